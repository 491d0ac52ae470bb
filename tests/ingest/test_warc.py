"""WARC archives written here with warcio, read back with host and date filters, streamed."""
from __future__ import annotations

import tracemalloc
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsfuse.config import IngestConfig
from newsfuse.errors import ConfigError
from newsfuse.ingest import read_paths
from newsfuse.ingest.warc import host_matches, read_warc
from newsfuse.records import Drop, Page, make_id

UTC = timezone.utc
HTML = "<html><head><title>{0}</title></head><body><p>Story {0} in full.</p></body></html>"


def _response(writer: WARCWriter, url: str, date: str, body: bytes, ctype: str = "text/html; charset=utf-8",
              status: str = "200 OK") -> None:
    headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
    record = writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=headers,
                                       warc_headers_dict={"WARC-Date": date})
    writer.write_record(record)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    path = tmp_path / "crawl.warc.gz"
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        request = StatusAndHeaders("GET /a HTTP/1.1", [("Host", "example.org")], is_http_request=True)
        writer.write_record(writer.create_warc_record("https://example.org/a", "request", http_headers=request,
                                                      warc_headers_dict={"WARC-Date": "2024-05-01T09:59:59Z"}))
        _response(writer, "https://example.org/a", "2024-05-01T10:00:00Z", HTML.format("A").encode())
        _response(writer, "https://news.example.com/b", "2024-05-03T10:00:00Z", HTML.format("B").encode("utf-16"))
        _response(writer, "https://www.example.org/c?utm_source=x", "2024-05-05T10:00:00Z", HTML.format("C").encode())
        _response(writer, "https://example.org/logo.png", "2024-05-02T10:00:00Z", b"\x89PNG\r\n", "image/png")
        _response(writer, "https://example.org/gone", "2024-05-02T10:00:00Z", b"<h1>404</h1>", status="404 Not Found")
    return path


def _urls(items) -> list[str]:
    return [i.url for i in items if isinstance(i, Page)]


def test_html_responses_only(archive: Path):
    items = list(read_warc(archive))
    pages = [i for i in items if isinstance(i, Page)]
    assert [p.url for p in pages] == ["https://example.org/a", "https://news.example.com/b",
                                      "https://www.example.org/c?utm_source=x"]
    assert pages[2].id == make_id(url="https://example.org/c") and pages[0].kind == "html"
    assert "Story B in full" in pages[1].content
    assert pages[0].published == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert [(d.reason, d.path.split(" ")[-1]) for d in items if isinstance(d, Drop)] == \
        [("http_404", "https://example.org/gone")]


def test_host_filter(archive: Path):
    assert _urls(read_warc(archive, hosts={"example.org"})) == ["https://example.org/a",
                                                                "https://www.example.org/c?utm_source=x"]
    assert _urls(read_warc(archive, hosts={"EXAMPLE.com"})) == ["https://news.example.com/b"]
    assert _urls(read_warc(archive, hosts={"ample.org"})) == []


def test_date_filter(archive: Path):
    since, until = datetime(2024, 5, 3, 10, tzinfo=UTC), datetime(2024, 5, 5, 10, tzinfo=UTC)
    assert _urls(read_warc(archive, since=since, until=until)) == ["https://news.example.com/b"]
    assert _urls(read_warc(archive, since=datetime(2024, 5, 2))) == ["https://news.example.com/b",
                                                                     "https://www.example.org/c?utm_source=x"]
    assert _urls(read_warc(archive, hosts={"example.org"}, until=since)) == ["https://example.org/a"]
    with pytest.raises(ConfigError, match="since"):
        list(read_warc(archive, since=until, until=since))


def test_too_large_and_broken_archives(archive: Path, tmp_path: Path):
    items = list(read_warc(archive, IngestConfig(max_bytes=50)))
    assert {d.reason for d in items if isinstance(d, Drop)} == {"too_large", "http_404"}
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(archive.read_bytes()[:100] + b"garbage" * 50)  # cut inside the first member
    assert [i.reason for i in read_warc(broken) if isinstance(i, Drop)][-1] == "bad_warc"
    (missing,) = read_warc(tmp_path / "nope.warc")
    assert missing.reason == "unreadable"


def test_file_reader_still_delegates_to_warc(archive: Path):
    assert _urls(read_paths([archive])) == _urls(read_warc(archive))


def test_run_filters_archives_by_host_and_date(archive: Path, tmp_path: Path):
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("newsfuse")
    db = tmp_path / "w.db"
    proc = subprocess.run([str(exe), "run", str(archive), "--db", str(db), "--host", "example.org",
                           "--until", "2024-05-03"], capture_output=True, text=True, timeout=300)
    # kept: example.org/a (too short to store) and example.org/gone (a 404); b and c are filtered out
    assert proc.returncode == 0 and "2 documents read" in proc.stderr and "#1: too_short" in proc.stderr, proc.stderr
    with pytest.raises(Exception):
        IngestConfig(since="yesterday")


def test_host_matches():
    assert host_matches("https://www.Example.org./x", {"example.org"})
    assert not host_matches(None, {"example.org"}) and host_matches(None, None)


def test_memory_stays_flat(tmp_path: Path):
    path = tmp_path / "big.warc.gz"
    body = (HTML.format("x") * 400).encode()  # ~30 KB a page, 120 pages: ~3.6 MB of HTML
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for n in range(120):
            _response(writer, f"https://example.org/{n}", "2024-05-01T10:00:00Z", body)
    tracemalloc.start()
    try:
        count = sum(1 for item in read_warc(path) if isinstance(item, Page))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 120 and peak < 20 * len(body)
