"""WARC and WARC.gz archives: HTML response records, streamed (memory stays flat), filtered by host and date.

Request, metadata and non-HTML records are skipped silently, as are records outside the host and date
filters (the caller asked for that). An HTML response that is not usable (an HTTP error, too large) is a Drop.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from ..config import IngestConfig
from ..errors import ConfigError, require
from ..records import Drop, Page, make_id, to_utc
from .decode import decode_bytes
from .files import parse_time

BAD_WARC = "bad_warc"
TOO_LARGE = "too_large"
UNREADABLE = "unreadable"
BAD_RESPONSE = "bad_response"


def read_warc(path: str | Path, config: IngestConfig = IngestConfig(), hosts: set[str] | None = None,
              since: datetime | None = None, until: datetime | None = None, *, start: int = 0, first: int = 0,
              count: int | None = None) -> Iterator[Page | Drop]:
    """HTML pages of the archive's response records, one record in memory at a time.

    ``hosts`` keeps pages whose host is one of them or a subdomain of one (``www.`` is ignored); ``since``
    (inclusive) and ``until`` (exclusive) filter on the capture time (WARC-Date); naive datetimes are UTC.
    ``start``, ``first`` and ``count`` read one shard: ``count`` records from the record at byte ``start``,
    which is record number ``first`` of the archive (see ``newsfuse.ingest.shards``).
    """
    archive = require("warcio.archiveiterator", "feeds")
    wanted = {_host(h) for h in hosts} if hosts is not None else None
    since, until = to_utc(since), to_utc(until)
    if since and until and since >= until:
        raise ConfigError(f"read_warc: since ({since.isoformat()}) must be before until ({until.isoformat()})")
    try:
        stream = open(path, "rb")
    except OSError as exc:
        yield Drop(str(path), UNREADABLE, exc.strerror or str(exc))
        return
    with stream:
        records = 0
        try:
            stream.seek(start)
            for number, record in enumerate(archive.ArchiveIterator(stream), start=first):
                if count is not None and records >= count:
                    break
                records += 1
                page = _page(record, f"{path}#{number}", config, wanted, since, until)
                if page is not None:
                    yield page
        except Exception as exc:  # noqa: BLE001 - warcio raises plain Exceptions for bad archives
            yield Drop(str(path), BAD_WARC, f"{type(exc).__name__}: {exc}")
            return
        if records == 0 and stream.tell() > 0:  # warcio can stop silently on a garbled first member
            yield Drop(str(path), BAD_WARC, "no readable WARC record")


def _host(value: str) -> str:
    return value.strip().lower().rstrip(".").removeprefix("www.")


def host_matches(url: str | None, wanted: set[str] | None) -> bool:
    """True when no host filter is set, or the URL's host is a wanted host or one of its subdomains."""
    if wanted is None:
        return True
    host = _host(urlsplit(url or "").hostname or "")
    return any(host == w or host.endswith("." + w) for w in wanted)


def _in_window(when: datetime | None, since: datetime | None, until: datetime | None) -> bool:
    if since is None and until is None:
        return True
    if when is None:
        return False
    return (since is None or when >= since) and (until is None or when < until)


def _page(record, where: str, config: IngestConfig, wanted: set[str] | None, since: datetime | None,
          until: datetime | None) -> Page | Drop | None:
    """A Page for a wanted HTML response, a Drop for an unusable one, None for everything else."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    ctype = (record.http_headers.get_header("Content-Type") or "").lower()
    if "html" not in ctype:
        return None
    url = record.rec_headers.get_header("WARC-Target-URI")
    captured = parse_time(record.rec_headers.get_header("WARC-Date"))
    if not host_matches(url, wanted) or not _in_window(captured, since, until):
        return None
    named = f"{where} {url}" if url else where
    status = record.http_headers.get_statuscode() or ""
    if not status.startswith("2"):
        return Drop(named, f"http_{status}" if status.isdigit() else BAD_RESPONSE, "not a 2xx response")
    data = record.content_stream().read(config.max_bytes + 1)
    if len(data) > config.max_bytes:
        return Drop(named, TOO_LARGE, f"> ingest.max_bytes={config.max_bytes}")
    text, _ = decode_bytes(data, html=True)
    return Page(id=make_id(url=url) if url else make_id(text=text), path=where, kind="html", content=text,
                url=url, published=captured)


def read_warc_filtered(path: str | Path, config: IngestConfig = IngestConfig(), *, start: int = 0, first: int = 0,
                       count: int | None = None) -> Iterator[Page | Drop]:
    """:func:`read_warc` with the host and capture-time filters of ``config`` (``--host``, ``--since``,
    ``--until``): how the file reader and the shard reader both read an archive."""
    yield from read_warc(path, config, hosts=set(config.hosts) or None, since=parse_time(config.since),
                         until=parse_time(config.until), start=start, first=first, count=count)


__all__ = ["BAD_WARC", "host_matches", "read_warc", "read_warc_filtered"]
