"""WARC and WARC.gz archives: HTML response records, streamed (memory stays flat)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..config import IngestConfig
from ..errors import require
from ..records import Drop, Page, make_id
from .decode import decode_bytes
from .files import parse_time

BAD_WARC = "bad_warc"


def read_warc(path: Path, config: IngestConfig = IngestConfig()) -> Iterator[Page | Drop]:
    archive = require("warcio.archiveiterator", "feeds")
    try:
        with open(path, "rb") as stream:
            for number, record in enumerate(archive.ArchiveIterator(stream)):
                page = _page(record, f"{path}#{number}", config)
                if page is not None:
                    yield page
    except Exception as exc:  # warcio raises plain Exceptions for bad archives
        yield Drop(str(path), BAD_WARC, f"{type(exc).__name__}: {exc}")


def _page(record, where: str, config: IngestConfig) -> Page | Drop | None:
    if record.rec_type != "response" or record.http_headers is None:
        return None
    ctype = (record.http_headers.get_header("Content-Type") or "").lower()
    if "html" not in ctype:
        return None
    url = record.rec_headers.get_header("WARC-Target-URI")
    data = record.content_stream().read(config.max_bytes + 1)
    if len(data) > config.max_bytes:
        return Drop(f"{where} {url}", "too_large", f"> ingest.max_bytes={config.max_bytes}")
    text, _ = decode_bytes(data, html=True)
    return Page(id=make_id(url=url) if url else make_id(text=text), path=where, kind="html", content=text,
                url=url, published=parse_time(record.rec_headers.get_header("WARC-Date")))
