"""A canned news site on 127.0.0.1 for the network ingest tests: feeds, articles and every kind of trouble.

Each test module that needs it imports the ``site`` fixture; the server runs in a thread on a free port and is
shut down when the module ends. ``site.hits`` counts requests per path.
"""
from __future__ import annotations

import gzip
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ..conftest import DATA

REAL_PAGE = DATA / "extraction" / "wcxb-dev" / "html" / "0001.html.gz"
SLOW_S = 1.0  # the slow page answers after this long; tests use a much smaller timeout
HUGE_BYTES = 1_000_000


def article(n: int) -> bytes:
    return (f"<html><head><title>Article {n}</title></head><body><h1>Article {n}</h1>"
            f"<p>The council approved plan number {n} on Tuesday after a long debate.</p></body></html>").encode()


def rss(base: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Local Times</title><link>{base}/</link><description>News</description>
<item><title>First &amp; foremost</title><link>{base}/articles/1</link><guid>{base}/articles/1</guid>
<pubDate>Tue, 07 May 2024 10:00:00 +0200</pubDate><description>&lt;p&gt;The first story.&lt;/p&gt;</description></item>
<item><title>Second</title><link>{base}/articles/2?utm_source=rss</link><pubDate>Wed, 08 May 2024 09:30:00 GMT</pubDate></item>
<item><title>No link here</title><description>An item without a link.</description></item>
</channel></rss>""".encode()


def atom(base: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Local Atom</title><id>urn:x</id><updated>2024-05-09T00:00:00Z</updated>
<entry><title>Third</title><id>urn:3</id><link href="{base}/articles/3"/><updated>2024-05-09T08:00:00Z</updated>
<summary>Third summary</summary></entry>
<entry><title>Fourth (relative link)</title><id>urn:4</id><link href="/articles/4"/>
<published>2024-05-09T12:00:00-04:00</published><updated>2024-05-09T16:00:00Z</updated></entry>
</feed>""".encode()


def json_feed(base: str) -> bytes:
    return json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "Local JSON", "home_page_url": base + "/",
        "items": [
            {"id": "5", "url": f"{base}/articles/5", "title": "Fifth", "summary": "Five.",
             "date_published": "2024-05-10T06:00:00+02:00"},
            {"id": "6", "url": "/articles/6", "title": "Sixth", "content_text": "Six."},
            "not an item",
        ]}).encode()


@dataclass
class Site:
    base: str
    hits: Counter = field(default_factory=Counter)

    def url(self, path: str) -> str:
        return self.base + path


class _Handler(BaseHTTPRequestHandler):
    site: Site  # set on the subclass made per server

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8",
             headers: dict[str, str] | None = None, length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = self.path.split("?", 1)[0]
        self.site.hits[path] += 1
        base = self.site.base
        handler = _ROUTES.get(path)
        if handler is not None:
            handler(self, base)
        elif path.startswith("/articles/") and path.rsplit("/", 1)[1].isdigit():
            self.send(200, article(int(path.rsplit("/", 1)[1])))
        else:
            self.send(404, b"<h1>not found</h1>")


def _flaky(h: _Handler, base: str) -> None:
    if h.site.hits["/flaky"] == 1:
        h.send(429, b"slow down", headers={"Retry-After": "0"})
    else:
        h.send(200, article(429))


def _slow(h: _Handler, base: str) -> None:
    time.sleep(SLOW_S)
    h.send(200, article(0))


def _etag(h: _Handler, base: str) -> None:
    if h.headers.get("If-None-Match") == '"v1"':
        h.send(304, headers={"ETag": '"v1"'}, length=False)
    else:
        h.send(200, article(304), headers={"ETag": '"v1"', "Last-Modified": "Tue, 07 May 2024 10:00:00 GMT"})


_ROUTES = {
    "/robots.txt": lambda h, b: h.send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain"),
    "/rss.xml": lambda h, b: h.send(200, rss(b), "application/rss+xml"),
    "/atom.xml": lambda h, b: h.send(200, atom(b), "application/atom+xml"),
    "/feed.json": lambda h, b: h.send(200, json_feed(b), "application/feed+json"),
    "/bad.xml": lambda h, b: h.send(200, b"<rss><channel><item><title>oops</ti", "application/rss+xml"),
    "/real": lambda h, b: h.send(200, gzip.decompress(REAL_PAGE.read_bytes())),
    "/slow": _slow,
    "/flaky": _flaky,
    "/broken": lambda h, b: h.send(500, b"boom"),
    "/busy": lambda h, b: h.send(503, b"later", headers={"Retry-After": "3600"}),
    "/huge": lambda h, b: h.send(200, b"<html><body>" + b"<p>word</p>" * (HUGE_BYTES // 11), length=False),
    "/huge-declared": lambda h, b: h.send(200, b"<html>" + b" " * HUGE_BYTES),
    "/doc.pdf": lambda h, b: h.send(200, b"%PDF-1.4 fake", "application/pdf"),
    "/loop/a": lambda h, b: h.send(302, headers={"Location": "/loop/b"}),
    "/loop/b": lambda h, b: h.send(302, headers={"Location": f"{b}/loop/a"}),
    "/chain": lambda h, b: h.send(302, headers={"Location": "/chain2"}),
    "/chain2": lambda h, b: h.send(301, headers={"Location": "/articles/7?utm_source=x"}),
    "/to-localhost": lambda h, b: h.send(302, headers={"Location": b.replace("127.0.0.1", "localhost")
                                                        + "/articles/8"}),
    "/etag": _etag,
    "/private/secret": lambda h, b: h.send(200, article(666)),
    "/empty": lambda h, b: h.send(200, b""),
}


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    """The canned site, serving on a free port of 127.0.0.1 for the module's tests."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    state = Site(base=f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = type("Handler", (_Handler,), {"site": state})
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
