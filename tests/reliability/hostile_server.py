"""A hostile HTTP server on 127.0.0.1 for fuzzing the fetcher: it writes raw bytes, so it can break HTTP itself.

``HostileServer`` answers each connection with the route registered for the request's path: a function that gets
the socket and the server's base URL and writes whatever it likes (truncated bodies, wrong Content-Length, broken
gzip, huge headers, redirect loops, a byte every few milliseconds...). Unknown paths get a 404. ``ROUTES`` is the
catalogue of named troubles the tests use; ``raw()`` builds a response from parts.
"""
from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Route = Callable[[socket.socket, str], None]
TRICKLE_S = 0.05  # slow-loris: one byte this often, for ever (until the client goes away)
STALL_S = 30.0  # how long a stalled answer waits (the client must give up much sooner)


def raw(status: str = "HTTP/1.1 200 OK", headers: list[tuple[str, str]] | None = None, body: bytes = b"",
        length: bool = True) -> bytes:
    """A response as bytes; ``Content-Length`` is added (correct) unless ``length`` is False or it is given."""
    headers = list(headers or [])
    if length and not any(k.lower() == "content-length" for k, _ in headers):
        headers.append(("Content-Length", str(len(body))))
    head = status + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "Connection: close\r\n\r\n"
    return head.encode("latin-1") + body


def article(n: int = 1, title: str = "Council vote") -> bytes:
    para = (f"<p>The city council voted on Tuesday to approve budget plan {n} after a long debate about schools, "
            "roads and the new library, officials said.</p>")
    return (f"<html><head><title>{title} {n}</title></head><body><article><h1>{title} {n}</h1>{para * 4}"
            "</article></body></html>").encode()


def send(data: bytes) -> Route:
    def route(sock: socket.socket, base: str) -> None:
        sock.sendall(data)
    return route


def trickle(data: bytes, forever: bytes = b"") -> Route:
    """Send ``data`` one byte at a time, then ``forever`` repeated one byte at a time, TRICKLE_S apart."""
    def route(sock: socket.socket, base: str) -> None:
        deadline = time.monotonic() + STALL_S
        stream = iter(data)
        while time.monotonic() < deadline:
            byte = next(stream, None)
            if byte is None:
                if not forever:
                    return
                stream = iter(forever)
                continue
            sock.sendall(bytes([byte]))
            time.sleep(TRICKLE_S)
    return route


def stall(data: bytes = b"") -> Route:
    """Send ``data``, then nothing for STALL_S seconds (or until the client hangs up)."""
    def route(sock: socket.socket, base: str) -> None:
        if data:
            sock.sendall(data)
        sock.settimeout(STALL_S)
        try:
            sock.recv(1)  # returns when the client closes
        except OSError:
            pass
    return route


def reset(sock: socket.socket, base: str) -> None:
    """Abort the connection (RST) without a byte."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def redirect(location: Callable[[str], str], status: str = "HTTP/1.1 302 Found") -> Route:
    def route(sock: socket.socket, base: str) -> None:
        sock.sendall(raw(status, [("Location", location(base))]))
    return route


def deflate_raw(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def feed(make: Callable[[str], bytes], ctype: str = "application/rss+xml") -> Route:
    """A feed made at request time (its links point back to this server: tests never use the network)."""
    def route(sock: socket.socket, base: str) -> None:
        sock.sendall(raw(headers=[("Content-Type", ctype)], body=make(base)))
    return route


def rss(items: str, title: str = "Hostile", doctype: str = "") -> bytes:
    return (f'<?xml version="1.0"?>{doctype}<rss version="2.0"><channel><title>{title}</title>'
            f"<link>http://127.0.0.1/</link><description>d</description>{items}</channel></rss>").encode()


def item(link: str, title: str = "An item") -> str:
    return f"<item><title>{title}</title><link>{link}</link></item>"


LAUGHS = ('<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
          + "".join(f'<!ENTITY {n} "{("&" + p + ";") * 10}">' for p, n in zip("abcdefg", "bcdefgh")) + "]>")
XXE = '<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
HTML = [("Content-Type", "text/html; charset=utf-8")]
GZIP_BOMB = gzip.compress(b"<html><body>" + b"\0" * 40_000_000, 9)  # 40 MB when inflated, ~40 KB on the wire
PAGE = article()
CHUNKED = [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")]
SURROGATE_PAGE = (b"<html><head><title>Escapes</title></head><body><article><h1>Escapes</h1>"
                  + b"<p>The council met on Tuesday \\ud800 to vote on the budget for schools and roads, caf\xe9.</p>"
                  * 4 + b"</article></body></html>")
JUNK = bytes(range(256)) * 40

# name -> (route, the Drop reasons the fetcher may answer with; None: a FetchResult is fine too)
ROUTES: dict[str, tuple[Route, frozenset[str] | None]] = {
    "ok": (send(raw(headers=HTML, body=PAGE)), None),
    "truncated-body": (send(raw(headers=[*HTML, ("Content-Length", "5000")], body=PAGE[:300])),
                       frozenset({"bad_response"})),
    "content-length-short": (send(raw(headers=[*HTML, ("Content-Length", "40")], body=PAGE)), None),
    "content-length-junk": (send(raw(headers=[*HTML, ("Content-Length", "12ab")], body=PAGE)),
                            frozenset({"bad_response"})),
    "content-length-negative": (send(raw(headers=[*HTML, ("Content-Length", "-5")], body=PAGE)),
                                frozenset({"bad_response"})),
    "content-length-twice": (send(raw(headers=[*HTML, ("Content-Length", "10"), ("Content-Length", "20")],
                                      body=PAGE)), frozenset({"bad_response"})),
    "content-length-huge": (send(raw(headers=[*HTML, ("Content-Length", "9" * 40)], body=PAGE)),
                            frozenset({"too_large", "bad_response"})),
    "gzip-invalid": (send(raw(headers=[*HTML, ("Content-Encoding", "gzip")], body=b"\x1f\x8b\x08\x00junkjunk")),
                     frozenset({"bad_response"})),
    "gzip-not-gzip": (send(raw(headers=[*HTML, ("Content-Encoding", "gzip")], body=PAGE)),
                      frozenset({"bad_response"})),
    "gzip-truncated": (send(raw(headers=[*HTML, ("Content-Encoding", "gzip")], body=gzip.compress(PAGE)[:60])),
                       None),
    "gzip-twice-declared": (send(raw(headers=[*HTML, ("Content-Encoding", "gzip, gzip")],
                                     body=gzip.compress(PAGE))), frozenset({"bad_response"})),
    "gzip-bomb": (send(raw(headers=[*HTML, ("Content-Encoding", "gzip")], body=GZIP_BOMB)),
                  frozenset({"too_large"})),
    "deflate-invalid": (send(raw(headers=[*HTML, ("Content-Encoding", "deflate")], body=b"\x00\xffnot deflate")),
                        frozenset({"bad_response"})),
    "deflate-raw": (send(raw(headers=[*HTML, ("Content-Encoding", "deflate")], body=deflate_raw(PAGE))), None),
    "brotli-invalid": (send(raw(headers=[*HTML, ("Content-Encoding", "br")], body=b"\xff" * 50)), None),
    "encoding-unknown": (send(raw(headers=[*HTML, ("Content-Encoding", "x-snappy")], body=PAGE)), None),
    "chunked-bad-size": (send(raw(headers=CHUNKED, body=b"zz\r\nhello\r\n0\r\n\r\n", length=False)),
                         frozenset({"bad_response"})),
    "chunked-truncated": (send(raw(headers=CHUNKED, body=b"400\r\n" + PAGE[:100], length=False)),
                          frozenset({"bad_response"})),
    "chunked-and-length": (send(raw(headers=[*CHUNKED, ("Content-Length", "3")],
                                    body=b"%x\r\n%s\r\n0\r\n\r\n" % (len(PAGE), PAGE))),
                           None),  # RFC 9112: Transfer-Encoding wins
    "huge-header": (send(raw(headers=[*HTML, ("X-Junk", "a" * 200_000)], body=PAGE)), frozenset({"bad_response"})),
    "many-headers": (send(raw(headers=[*HTML, *[(f"X-H{i}", "v") for i in range(20_000)]], body=PAGE)),
                     frozenset({"bad_response"})),
    "header-no-colon": (send(b"HTTP/1.1 200 OK\r\nContent-Type text/html\r\n\r\n" + PAGE),
                        frozenset({"bad_response"})),
    "status-garbage": (send(b"HTTP/1.1 abc Weird\r\n\r\n" + PAGE), frozenset({"bad_response"})),
    "status-999": (send(raw("HTTP/1.1 999 Whatever", HTML, PAGE)), frozenset({"http_999"})),
    "http-0.9": (send(PAGE), frozenset({"bad_response"})),
    "continue-only": (send(b"HTTP/1.1 100 Continue\r\n\r\n"), frozenset({"bad_response"})),
    "close-at-once": (send(b""), frozenset({"bad_response"})),
    "reset": (reset, frozenset({"bad_response", "connect_error"})),
    "redirect-self": (redirect(lambda b: "/redirect-self"), frozenset({"redirect_loop"})),
    "redirect-pingpong": (redirect(lambda b: f"{b}/redirect-pong"), frozenset({"redirect_loop"})),
    "redirect-pong": (redirect(lambda b: "/redirect-pingpong", "HTTP/1.1 301 Moved"), frozenset({"redirect_loop"})),
    "redirect-endless": (redirect(lambda b: "/hop/1"), frozenset({"too_many_redirects"})),
    "redirect-file": (redirect(lambda b: "file:///etc/passwd"), frozenset({"bad_url"})),
    "redirect-javascript": (redirect(lambda b: "javascript:alert(1)"), frozenset({"bad_url"})),
    "redirect-broken-url": (redirect(lambda b: "http://[::1"), frozenset({"bad_url", "bad_response"})),
    "redirect-no-location": (send(raw("HTTP/1.1 302 Found", HTML, b"")), frozenset({"http_302"})),
    "redirect-huge-location": (redirect(lambda b: "/" + "x" * 12_000), frozenset({"bad_response", "http_404"})),
    "slow-headers": (trickle(b"HTTP/1.1 200 OK\r\n", forever=b"X-Slow: 1\r\n"), frozenset({"timeout"})),
    "slow-body": (trickle(raw(headers=HTML, length=False), forever=b"<p>a</p>"), frozenset({"timeout"})),
    "stall": (stall(), frozenset({"timeout"})),
    "stall-after-headers": (stall(raw(headers=[*HTML, ("Content-Length", "1000")])), frozenset({"timeout"})),
    "binary-as-html": (send(raw(headers=HTML, body=JUNK)), None),
    "nul-as-html": (send(raw(headers=HTML, body=PAGE.replace(b"council", b"\0\0\0\0"))), None),
    "empty-200": (send(raw(headers=HTML, body=b"")), None),
    "charset-undefined": (send(raw(headers=[("Content-Type", "text/html; charset=undefined")],
                                   body=PAGE.replace(b"council", b"c\xf6uncil"))), None),
    "charset-idna": (send(raw(headers=[("Content-Type", "text/html; charset=idna")],
                              body=PAGE.replace(b"council", b"c\xf6uncil"))), None),
    "charset-unicode-escape": (send(raw(headers=[("Content-Type", "text/html; charset=unicode_escape")],
                                        body=SURROGATE_PAGE)), None),
    "charset-utf7-surrogate": (send(raw(headers=[("Content-Type", "text/html; charset=utf-7")],
                                        body=PAGE.replace(b"council", b"c+2AA-uncil\xff"))), None),
    "charset-rot13": (send(raw(headers=[("Content-Type", "text/html; charset=rot13")],
                               body=PAGE.replace(b"council", b"c\xf6uncil"))), None),
    "charset-quoted-junk": (send(raw(headers=[("Content-Type", 'text/html; charset="\'; ;=')],
                                     body=PAGE.replace(b"council", b"c\xf6uncil"))), None),
    "meta-undefined": (send(raw(headers=[("Content-Type", "text/html")],
                                body=b'<meta charset="undefined">' + PAGE.replace(b"council", b"c\xf6uncil"))),
                       None),
    "meta-unicode-escape": (send(raw(headers=[("Content-Type", "text/html")],
                                     body=b'<meta charset="unicode_escape">' + SURROGATE_PAGE)), None),
    "etag-latin1": (send(raw(headers=[*HTML, ("ETag", '"caf\xe9"'), ("Last-Modified", "Tue, 07 May 2024 \xe9")],
                             body=PAGE)), None),
    "type-pdf": (send(raw(headers=[("Content-Type", "application/pdf")], body=b"%PDF-1.4")),
                 frozenset({"unsupported_type"})),
    "retry-after-forever": (send(raw("HTTP/1.1 503 Busy", [("Retry-After", "99999999999999999999")])),
                            frozenset({"retry_later"})),
    "retry-after-junk": (send(raw("HTTP/1.1 429 Slow", [("Retry-After", "soon\xff")])), frozenset({"http_429"})),
    # hostile feeds (as pages they are unsupported_type drops)
    "feed-billion-laughs": (feed(lambda b: rss(item(f"{b}/article/laughs", "&h;"), "&h;", LAUGHS)), None),
    "feed-xxe": (feed(lambda b: rss(item(f"{b}/article/xxe", "&x;") + "<item><description>&x;</description>"
                                    f"<link>{b}/article/xxe2</link></item>", "&x;", XXE)), None),
    "feed-truncated": (feed(lambda b: rss(item(f"{b}/article/t1") + item(f"{b}/article/t2"))[:-60]), None),
    "feed-hostile-links": (feed(lambda b: rss("".join(item(link) for link in (
        "file:///etc/passwd", "javascript:alert(1)", "http://[::1", "", "/article/relative", "http://127.0.0.1:1/x",
        f"{b}/" + "l" * 10_000, f"{b}/redirect-self", f"{b}/article/ok?utm_source=a",
        f"{b}/article/ok?utm_source=b")))),
                           None),
    "feed-many-items": (feed(lambda b: rss("".join(item(f"{b}/article/same?utm_source={n}") for n in range(100)))),
                        None),
    "feed-json-hostile": (feed(lambda b: (
        '{"version": "https://jsonfeed.org/version/1.1", "title": {"x": 1}, "home_page_url": 7, "items": ['
        f'{{"url": "{b}/article/j1", "title": ["x"], "date_published": "9999-99-99"}}, "string item", 42, null, '
        '{"url": {"nested": true}}, {"external_url": "ftp://x/y"}, ' + "[" * 300 + "]" * 300 + "]}").encode(),
        "application/feed+json"), None),
}
SLOW = frozenset({"slow-headers", "slow-body", "stall", "stall-after-headers"})


class HostileServer:
    """A threaded raw-socket server; ``routes`` maps a path to a Route (``/name`` for each ``ROUTES`` entry)."""

    def __init__(self, routes: dict[str, Route] | None = None) -> None:
        self.routes: dict[str, Route] = {f"/{k}": v for k, (v, _) in ROUTES.items()}
        self.routes.update(routes or {})
        self.hits: Counter[str] = Counter()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.base = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def _serve(self) -> None:
        self._sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            head = b""
            try:
                while b"\r\n\r\n" not in head and len(head) < 65536:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    head += chunk
                parts = head.split(b" ", 2)
                path = parts[1].decode("latin-1").split("?", 1)[0] if len(parts) > 1 else "/"
                self.hits[path] += 1
                route = self.routes.get(path)
                if route is None and path.startswith("/hop/"):
                    route = _hop(path)
                if route is None and path.startswith("/article/"):
                    route = send(raw(headers=HTML, body=article(len(path), path.rsplit("/", 1)[1])))
                (route or send(raw("HTTP/1.1 404 Not Found", HTML, b"<h1>not here</h1>")))(conn, self.base)
            except OSError:
                pass  # the client gave up: that is what several routes are for

    def __enter__(self) -> "HostileServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()


def _hop(path: str) -> Route:
    n = path.rsplit("/", 1)[1]
    nxt = int(n) + 1 if n.isdigit() else 1
    return redirect(lambda b: f"/hop/{nxt}")


@contextmanager
def hostile_server(routes: dict[str, Route] | None = None) -> Iterator[HostileServer]:
    with HostileServer(routes) as server:
        yield server
