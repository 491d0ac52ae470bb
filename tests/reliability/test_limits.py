"""Caps: page size (IngestConfig.max_bytes), article length, articles per brief (BriefConfig.max_articles), and the
size of web requests. Each gives a clear Drop reason or HTTP error; the missing ones are strict xfails."""
from __future__ import annotations

import gzip
import io
import socket
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from newsfuse.brief import build_brief
from newsfuse.config import BriefConfig, ExtractConfig, IngestConfig
from newsfuse.errors import ConfigError
from newsfuse.extract import extract_page
from newsfuse.ingest import read_file
from newsfuse.records import Article, Drop, Page
from newsfuse.web import create_app

from ..web.browser import running_server
from ..web.conftest import build_store

SMALL = IngestConfig(max_bytes=1000)
PAGE = b"<html><body><article><p>" + b"The council met today. " * 100 + b"</p></article></body></html>"


# -- page size ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["big.html", "big.txt", "big.jsonl"])
def test_a_file_over_max_bytes_is_a_too_large_drop(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(PAGE)
    [drop] = list(read_file(path, SMALL))
    assert isinstance(drop, Drop) and drop.reason == "too_large"
    # JSON Lines are streamed whatever the file's size: the cap applies to each line, which the Drop names
    assert "ingest.max_bytes=1000" in drop.detail and drop.path == str(path) + (":1" if name.endswith(".jsonl") else "")


def test_a_gzip_that_inflates_over_max_bytes_is_dropped_with_the_cap_named(tmp_path):
    path = tmp_path / "bomb.html.gz"
    path.write_bytes(gzip.compress(b"<p>" + b"a " * 1_000_000))  # 2 MB from a 2 KB file
    [drop] = list(read_file(path, IngestConfig(max_bytes=100_000)))
    assert isinstance(drop, Drop) and "ingest.max_bytes=100000" in drop.detail
    assert drop.reason in ("too_large", "bad_gzip")  # today bad_gzip; too_large would match the plain file's


def test_a_warc_record_over_max_bytes_is_a_too_large_drop(tmp_path):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "a.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, body in (("http://news.example/big", PAGE), ("http://news.example/small", PAGE[:900])):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))
    big, small = list(read_file(path, SMALL))
    assert isinstance(big, Drop) and big.reason == "too_large" and "ingest.max_bytes=1000" in big.detail
    assert isinstance(small, Page)  # the archive goes on after a record that is too large


def test_max_bytes_must_be_positive():
    with pytest.raises(ConfigError, match="ingest.max_bytes must be > 0"):
        IngestConfig(max_bytes=0)


# -- article length -------------------------------------------------------------------------------------------------
def test_an_article_over_max_words_is_a_too_long_drop():
    config = ExtractConfig(max_words=50_000)  # type: ignore[call-arg]
    page = Page(id="p", path="long.txt", kind="article", content="word " * 60_000)
    drop = extract_page(page, config)
    assert isinstance(drop, Drop) and drop.reason == "too_long" and "extract.max_words" in drop.detail


# -- articles per brief ---------------------------------------------------------------------------------------------
def test_a_brief_reads_at_most_max_articles_the_most_recent():
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    text = "The harbour ferry returned to service on Wednesday after storm repairs, the port authority said. "
    articles = [Article(id=f"a{i:02d}", text=text + f"Crossing number {i} left on time with {i} passengers.",
                        published=start + timedelta(hours=i), site=f"s{i}") for i in range(30)]
    brief = build_brief("s1", articles, {}, BriefConfig(max_articles=5))
    cited = {s for c in brief.summary for s in c.sources} | {s for e in brief.entities for s in e.sources}
    assert cited and cited <= {f"a{i:02d}" for i in range(25, 30)}


def test_max_articles_must_be_at_least_one():
    with pytest.raises(ConfigError, match="brief.max_articles must be >= 1"):
        BriefConfig(max_articles=0)


# -- web requests ---------------------------------------------------------------------------------------------------
@pytest.fixture
def client(backend) -> TestClient:
    """The web app over a small store, once per backend: the caps hold before a query reaches either."""
    db = backend.new_db()
    build_store(db)
    return TestClient(create_app(db), raise_server_exceptions=False)


def test_page_size_over_the_cap_is_a_422_naming_the_limit(client):
    response = client.get("/api/stories?limit=1000")
    assert response.status_code == 422 and "100" in response.text


@pytest.mark.parametrize("url", ["/api/stories?offset=9223372036854775808", "/api/search?q=kirby&offset=" + "9" * 25])
def test_a_huge_offset_is_a_4xx_not_a_500(client, url):
    assert 400 <= client.get(url).status_code < 500


def test_a_huge_search_query_is_refused_quickly(client):
    import time

    started = time.monotonic()
    response = client.get("/api/search", params={"q": "a* " * 300})
    assert 400 <= response.status_code < 500 and time.monotonic() - started < 2


def _raw_request(base: str, request: bytes) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(request)
        return sock.recv(200)


# The HTTP server's own caps on request lines, headers and bodies, answered before any store is read: SQLite only.
def test_oversized_requests_get_a_4xx_and_the_server_keeps_answering(tmp_path):
    build_store(tmp_path / "web.db")
    with running_server(str(tmp_path / "web.db")) as base:
        long_url = b"GET /api/search?q=" + b"a" * 200_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
        status = _raw_request(base, long_url).split(b" ")[1]
        assert status.startswith(b"4"), status
        big_header = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 200_000 + b"\r\n\r\n"
        status = _raw_request(base, big_header).split(b" ")[1]
        assert status.startswith(b"4"), status
        body = httpx.post(base + "/api/stories/x/merge?other=y", content=b"x" * 5_000_000, timeout=30)
        assert body.status_code == 403  # edits are off; the body is never read
        assert httpx.get(base + "/api/stories", timeout=30).status_code == 200
