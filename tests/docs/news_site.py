"""https://example.org for the documentation's examples: a small news site on 127.0.0.1."""
from __future__ import annotations

import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class NewsSite:
    """https://example.org for the examples: an RSS feed and two article pages made from examples/, on
    127.0.0.1. It never changes, so a second poll finds nothing new (the feed answers 304 to its ETag)."""

    def __init__(self) -> None:
        texts = sorted((ROOT / "examples").glob("*.txt"))
        self.pages = {f"/news/{n}": _page(p) for n, p in enumerate(texts, start=1)}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path == "/robots.txt":
                    return self._send(404, b"", "text/plain")
                if path.rstrip("/").endswith(("rss", ".xml", "feed")):
                    if self.headers.get("If-None-Match") == '"v1"':
                        return self._send(304, b"", "application/rss+xml")
                    return self._send(200, site.rss(), "application/rss+xml", {"ETag": '"v1"'})
                if path in site.pages:
                    return self._send(200, site.pages[path], "text/html; charset=utf-8")
                self._send(404, b"not found", "text/plain")

            def _send(self, status: int, body: bytes, ctype: str, headers: dict | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def rss(self) -> bytes:
        items = "".join(f"<item><title>Article {n}</title><link>{self.base}{p}</link><guid>{self.base}{p}</guid>"
                        f"<pubDate>Wed, 30 Aug 2023 1{n}:00:00 GMT</pubDate></item>"
                        for n, p in enumerate(self.pages, start=1))
        return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Example Daily</title>'
                f"<link>{self.base}/</link><description>canned</description>{items}</channel></rss>").encode()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _page(path: Path) -> bytes:
    paragraphs = [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.split()) > 25]
    title = html.escape(path.read_text(encoding="utf-8").splitlines()[0].strip())
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article>"
            "</body></html>").encode()
