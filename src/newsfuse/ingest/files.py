"""Readers for files and folders: .txt, .html/.htm(.gz), .jsonl(.gz), .warc(.gz), .parquet; each yields Page | Drop."""
from __future__ import annotations

import codecs
import gzip
import io
import json
import re
import zlib
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from ..config import IngestConfig
from ..records import Drop, Page, make_id, to_utc
from .decode import decode_bytes, looks_binary

# Drop reasons (snake_case constants shared by stats, logs and tests).
NOT_FOUND = "not_found"
UNREADABLE = "unreadable"
EMPTY = "empty"
TOO_LARGE = "too_large"
BINARY = "binary"
BAD_GZIP = "bad_gzip"
BAD_JSON = "bad_json"
NO_TEXT = "no_text"
UNSUPPORTED = "unsupported_type"

SUFFIXES = (".txt", ".html", ".htm", ".html.gz", ".htm.gz", ".jsonl", ".jsonl.gz", ".warc", ".warc.gz", ".parquet")
_CANONICAL = re.compile(r"""<link[^>]+rel=["']canonical["'][^>]*>|<meta[^>]+property=["']og:url["'][^>]*>""", re.I)
_HREF = re.compile(r"""(?:href|content)=["']([^"']+)["']""", re.I)


def iter_paths(inputs: list[str | Path]) -> Iterator[Path | Drop]:
    """Files named, and the supported files inside folders (recursively, sorted for a stable order)."""
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.name.lower().endswith(SUFFIXES) and not child.name.startswith("."):
                    yield child
        elif path.is_file():
            yield path
        else:
            yield Drop(str(path), NOT_FOUND, "no such file or folder")


def read_paths(inputs: list[str | Path], config: IngestConfig = IngestConfig()) -> Iterator[Page | Drop]:
    """Every document in the inputs as a Page, or a Drop naming the file and the reason."""
    for path in iter_paths(inputs):
        if isinstance(path, Drop):
            yield path
        else:
            yield from read_file(path, config)


def read_file(path: Path, config: IngestConfig = IngestConfig()) -> Iterator[Page | Drop]:
    name = path.name.lower()
    if name.endswith((".warc", ".warc.gz")):  # streamed record by record: no whole-file size cap
        from .warc import read_warc_filtered

        yield from read_warc_filtered(path, config)
        return
    if name.endswith(".parquet"):  # read row group by row group
        from .parquet import read_parquet

        yield from read_parquet(path, config)
        return
    if name.endswith((".jsonl", ".jsonl.gz")):  # streamed line by line: max_bytes caps each line, not the file
        yield from read_jsonl_file(path, config)
        return
    try:
        size = path.stat().st_size
        if size > config.max_bytes:
            yield Drop(str(path), TOO_LARGE, f"{size} bytes > ingest.max_bytes={config.max_bytes}")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Drop(str(path), UNREADABLE, exc.strerror or str(exc))
        return
    if name.endswith(".gz"):
        try:
            data = _gunzip(data, config.max_bytes)
        except (OSError, EOFError, zlib.error) as exc:
            yield Drop(str(path), BAD_GZIP, str(exc))
            return
        name = name[:-3]
    if name.endswith(".jsonl"):
        yield from read_jsonl(str(path), data)
    elif name.endswith((".html", ".htm")):
        yield read_html(str(path), data)
    elif name.endswith(".txt"):
        yield read_text(str(path), data)
    else:
        yield Drop(str(path), UNSUPPORTED, f"expected one of {', '.join(SUFFIXES)}")


def _gunzip(data: bytes, limit: int) -> bytes:
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
        out = handle.read(limit + 1)
    if len(out) > limit:
        raise OSError(f"decompressed size exceeds ingest.max_bytes={limit}")
    return out


def _decoded(path: str, data: bytes, html: bool) -> str | Drop:
    if not data.strip():
        return Drop(path, EMPTY, "no content")
    text, _ = decode_bytes(data, html=html)
    if looks_binary(text):
        return Drop(path, BINARY, "binary data, not text")
    return text


def read_text(path: str, data: bytes) -> Page | Drop:
    """A page saved as text: the cleaner finds the title and the body."""
    text = _decoded(path, data, html=False)
    if isinstance(text, Drop):
        return text
    return Page(id=make_id(text=text), path=path, kind="text", content=text)


def read_html(path: str, data: bytes) -> Page | Drop:
    text = _decoded(path, data, html=True)
    if isinstance(text, Drop):
        return text
    if "<" not in text[:65536]:
        return Drop(path, BINARY if looks_binary(text) else "not_html", "no markup found")
    url = _page_url(text)
    return Page(id=make_id(url=url) if url else make_id(text=text), path=path, kind="html", content=text, url=url)


def _page_url(html: str) -> str | None:
    for tag in _CANONICAL.findall(html[:200_000]):
        match = _HREF.search(tag)
        if match and match.group(1).startswith(("http://", "https://")):
            return match.group(1)
    return None


def read_jsonl(path: str, data: bytes) -> Iterator[Page | Drop]:
    """Article objects, one per line: ``{id?, title?, text, url?, source?, published?}``."""
    for item in iter_json_lines(path, data):
        yield item if isinstance(item, Drop) else page_from_object(item[1], item[0])


def read_jsonl_file(path: Path, config: IngestConfig = IngestConfig(), start: int = 0, end: int | None = None,
                    first: int = 1) -> Iterator[Page | Drop]:
    """The article objects of a JSON Lines file (``.gz`` too), streamed: any size, one line in memory at a time.

    ``start``/``end`` (byte offsets of line starts; plain files only) read one shard of the file, whose first line
    is line number ``first``; documents are named ``path:line`` either way."""
    try:
        handle = gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")
    except OSError as exc:
        yield Drop(str(path), UNREADABLE, exc.strerror or str(exc))
        return
    with handle:
        try:
            head = handle.peek(2)[:2] if start == 0 else b""
            if head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):  # not splittable by bytes: read it whole
                yield from read_jsonl(str(path), _capped(handle, config.max_bytes))
                return
            handle.seek(start)
            for number, line in enumerate(_lines(handle, config.max_bytes, end), start=first):
                where = f"{path}:{number}"
                if line is None:
                    yield Drop(where, TOO_LARGE, f"line over ingest.max_bytes={config.max_bytes}")
                    continue
                parsed = parse_json_line(where, line.removeprefix(codecs.BOM_UTF8) if number == 1 else line)
                if parsed is not None:
                    yield parsed if isinstance(parsed, Drop) else page_from_object(parsed[1], where)
        except (OSError, EOFError, zlib.error) as exc:
            yield Drop(str(path), BAD_GZIP if path.name.lower().endswith(".gz") else UNREADABLE, str(exc))


def _capped(handle: io.BufferedIOBase, limit: int) -> bytes:
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise OSError(f"a UTF-16 file over ingest.max_bytes={limit}")
    return data


def _lines(handle: io.BufferedIOBase, limit: int, end: int | None) -> Iterator[bytes | None]:
    """Lines without their "\n" (None for a line over ``limit`` bytes, which is skipped, not kept in memory),
    up to the line that starts at or after byte ``end``."""
    while end is None or handle.tell() < end:
        line = handle.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = handle.readline(1 << 20)
            yield None
            continue
        yield line.rstrip(b"\n")


def iter_json_lines(path: str, data: bytes) -> Iterator[tuple[str, object] | Drop]:
    """``(path:line, parsed value)`` for each non-blank line, or a ``bad_json`` Drop naming the line.

    Lines end at "\n" only (a U+2028 inside a JSON string is text, not a line end), and each line is decoded
    on its own, so a shard of the file (``newsfuse.ingest.shards``) reads exactly what the whole file gives."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        lines: list[bytes] | list[str] = decode_bytes(data)[0].split("\n")
    else:
        lines = data.removeprefix(codecs.BOM_UTF8).split(b"\n")
    for number, line in enumerate(lines, start=1):
        parsed = parse_json_line(f"{path}:{number}", line)
        if parsed is not None:
            yield parsed


def parse_json_line(where: str, line: bytes | str) -> tuple[str, object] | Drop | None:
    """One JSON Lines line: ``(where, value)``, a ``bad_json`` Drop, or None for a blank line."""
    text = decode_bytes(line)[0] if isinstance(line, bytes) else line
    if not text.strip():
        return None
    try:
        return where, json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, 4,300+ digit numbers, deep nesting
        return Drop(where, BAD_JSON, getattr(exc, "msg", str(exc))[:200])


def page_from_object(obj: object, where: str) -> Page | Drop:
    """An article object (as the JSON formats define it) as a Page of kind ``article``."""
    if not isinstance(obj, dict):
        return Drop(where, BAD_JSON, "expected a JSON object")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        return Drop(where, NO_TEXT, "no 'text' string")
    text = clean_str(text)
    url = _str(obj.get("url"))
    ident = obj.get("id")
    ident = str(ident) if ident not in (None, "") else make_id(url=url) if url else make_id(text=text)
    kind = "html" if obj.get("html") is True else "article"
    return Page(id=ident, path=where, kind=kind, content=text, url=url, title=_str(obj.get("title")),
                site=_str(obj.get("source") or obj.get("site")), author=_str(obj.get("author")),
                published=parse_time(obj.get("published")), language=_str(obj.get("language")))


def _str(value: object) -> str | None:
    return clean_str(value).strip() or None if isinstance(value, str) else None


def clean_str(value: str) -> str:
    """Text that UTF-8 can hold: lone surrogates (possible in JSON) become U+FFFD."""
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace") if not value.isascii() else value


def parse_time(value: object) -> datetime | None:
    """ISO 8601 (or a Unix timestamp) to aware UTC; anything unparseable is None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return to_utc(datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
    except (ValueError, OverflowError):
        return None
