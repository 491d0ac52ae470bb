"""A polite HTTP fetcher: timeouts, retries, redirects, conditional GET, robots.txt, rate limits, size caps.

``Fetcher.fetch(url, state)`` never raises for a bad URL or a bad server: it returns a ``FetchResult`` or a
``Drop`` whose reason is one of the constants below. Conditional GET validators (ETag, Last-Modified) are
remembered through the small ``FetchState`` protocol, so the pipeline can back them with the Store.
"""
from __future__ import annotations

import email.utils
import ipaddress
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol, runtime_checkable
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from ..errors import ConfigError, require
from ..records import Drop
from .decode import decode_bytes

# Drop reasons (snake_case constants shared by stats, logs and tests). HTTP errors are ``http_<status>``.
BAD_URL = "bad_url"
TIMEOUT = "timeout"
CONNECT_ERROR = "connect_error"
BAD_RESPONSE = "bad_response"
REDIRECT_LOOP = "redirect_loop"
TOO_MANY_REDIRECTS = "too_many_redirects"
TOO_LARGE = "too_large"
UNSUPPORTED_TYPE = "unsupported_type"
PRIVATE_ADDRESS = "private_address"
ROBOTS_DISALLOWED = "robots_disallowed"
RETRY_LATER = "retry_later"  # a Retry-After longer than FetchConfig.max_retry_after_s

_SURROGATE = re.compile("[\ud800-\udfff]")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
                        "text/xml", "application/feed+json", "application/json"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ROBOTS_TTL_S = 24 * 3600  # RFC 9309: a cached robots.txt should not be used for more than 24 hours
_ROBOTS_RETRY_S = 600  # an unavailable robots.txt (5xx) keeps the host closed this long, then is asked again


def http_reason(status: int) -> str:
    """The drop reason for an HTTP error status: ``http_404``, ``http_500``..."""
    return f"http_{status}"


@dataclass(frozen=True, slots=True)
class FetchConfig:
    """How politely and how far the fetcher goes. Times are in seconds, sizes in bytes."""

    timeout_s: float = 15.0  # connect/read timeout, and the budget for downloading one body
    retries: int = 3  # extra attempts after a 429 or 5xx
    backoff_s: float = 1.0  # first wait between attempts; doubles each time
    max_retry_after_s: float = 60.0  # a longer Retry-After is not waited for: the URL is dropped as retry_later
    max_bytes: int = 5_000_000  # bodies are streamed and abandoned past this (too_large)
    max_redirects: int = 5
    per_host_interval_s: float = 1.0  # minimum time between two requests to the same host
    user_agent: str = "newsfuse/0.1 (+https://github.com/newsfuse/newsfuse)"
    allow_private: bool = False  # allow hosts on private, loopback, link-local or reserved addresses
    respect_robots: bool = True

    def __post_init__(self) -> None:
        _check(self.timeout_s > 0, f"fetch.timeout_s must be > 0 seconds, got {self.timeout_s}")
        _check(self.retries >= 0, f"fetch.retries must be >= 0, got {self.retries}")
        _check(self.backoff_s >= 0, f"fetch.backoff_s must be >= 0 seconds, got {self.backoff_s}")
        _check(self.max_retry_after_s >= 0, f"fetch.max_retry_after_s must be >= 0, got {self.max_retry_after_s}")
        _check(self.max_bytes > 0, f"fetch.max_bytes must be > 0, got {self.max_bytes}")
        _check(self.max_redirects >= 0, f"fetch.max_redirects must be >= 0, got {self.max_redirects}")
        _check(0 <= self.per_host_interval_s <= 600,
               f"fetch.per_host_interval_s must be in 0..600 seconds, got {self.per_host_interval_s}"
               + (" (milliseconds? use 1.0, not 1000)" if self.per_host_interval_s >= 1000 else ""))
        _check(bool(self.user_agent.strip()), "fetch.user_agent must not be empty")


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


@runtime_checkable
class FetchState(Protocol):
    """Remembers conditional-GET validators per URL (the URL as passed to ``fetch``)."""

    def get(self, url: str) -> tuple[str | None, str | None] | None:
        """``(etag, last_modified)`` from the last successful fetch of ``url``, or None."""

    def put(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Remember the validators of a successful fetch of ``url``."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A fetched body. ``not_modified`` is True for a 304 answer to a conditional GET (``content`` is empty)."""

    url: str
    final_url: str
    status: int
    content_type: str  # media type, lowercased, without parameters ("" when the server sent none)
    content: bytes
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False

    @property
    def is_html(self) -> bool:
        return self.content_type in HTML_TYPES

    def text(self) -> str:
        """The body as text: UTF-8 when it decodes, else the header charset, else the usual fallbacks.

        Never raises, whatever codec the server names (``undefined`` and ``idna`` raise even with "replace"), and
        lone surrogates (``unicode_escape`` and ``utf-7`` can make them; UTF-8 cannot hold them) become U+FFFD.
        """
        try:
            return self.content.decode("utf-8")
        except UnicodeDecodeError:
            pass
        text = None
        if self.charset:
            try:
                text = self.content.decode(self.charset, "replace")
            except (LookupError, UnicodeError, ValueError):
                pass
        if text is None:
            try:
                text = decode_bytes(self.content, html=self.is_html)[0]
            except (UnicodeError, ValueError):  # the page's <meta charset> names such a codec
                text = decode_bytes(self.content)[0]
        return _SURROGATE.sub("\ufffd", text)


def is_blocked_address(address: str) -> bool:
    """True for addresses a fetcher must not reach by default: private, loopback, link-local, reserved..."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (not ip.is_global or ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
            or ip.is_multicast or ip.is_unspecified)


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (raises OSError when it does not resolve)."""
    return sorted({info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


def accepted_type(content_type: str) -> bool:
    """HTML and feed types are fetched; a missing type is let through and judged on the content."""
    return (not content_type or content_type in HTML_TYPES or content_type in FEED_TYPES
            or content_type.endswith(("+xml", "+json")))


class _Reject(Exception):
    """Internal: stop one fetch with a Drop (reason, detail)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason, detail)
        self.reason, self.detail = reason, detail


class Fetcher:
    """Fetches pages and feeds politely. One Fetcher per run; it keeps the robots cache and host clocks.

    ``transport``, ``resolve``, ``sleep`` and ``clock`` are for tests and special setups.
    """

    def __init__(self, config: FetchConfig = FetchConfig(), *, transport: object | None = None,
                 resolve: Callable[[str, int], list[str]] = resolve_host,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic):
        httpx = require("httpx", "feeds")
        self.config = config
        self._httpx = httpx
        timeout = httpx.Timeout(config.timeout_s)
        # No keep-alive: each request opens its own connection, which its _Deadline can then shut down.
        self._client = httpx.Client(timeout=timeout, follow_redirects=False, transport=transport,
                                    limits=httpx.Limits(max_keepalive_connections=0),
                                    headers={"User-Agent": config.user_agent}, trust_env=False)
        self._resolve, self._sleep, self._clock = resolve, sleep, clock
        self._next_turn: dict[str, float] = {}
        self._robots: dict[str, tuple[float, RobotFileParser, str]] = {}  # origin -> (expires, rules, note)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(self, url: str, state: FetchState | None = None) -> FetchResult | Drop:
        """GET ``url`` (following redirects) as a FetchResult, or a Drop naming the URL and the reason."""
        validators = state.get(url) if state is not None else None
        try:
            result = self._get(url, validators, robots=self.config.respect_robots, any_type=False)
        except _Reject as reject:
            return Drop(url, reject.reason, reject.detail)
        except Exception as exc:  # noqa: BLE001 - translated at the boundary: httpx and friends
            reason, detail = self._translate(exc)
            return Drop(url, reason, detail)
        if state is not None and (result.etag or result.last_modified):
            state.put(url, result.etag, result.last_modified)
        return result

    def _translate(self, exc: Exception) -> tuple[str, str]:
        httpx = self._httpx
        detail = f"{type(exc).__name__}: {exc}".rstrip(": ")
        if isinstance(exc, httpx.TimeoutException):
            return TIMEOUT, detail
        if isinstance(exc, (httpx.ConnectError, httpx.NetworkError, OSError)):
            return CONNECT_ERROR, detail
        if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol, UnicodeError, ValueError)):
            return BAD_URL, detail
        if isinstance(exc, httpx.HTTPError):
            return BAD_RESPONSE, detail
        raise exc

    def _get(self, url: str, validators: tuple[str | None, str | None] | None, *, robots: bool,
             any_type: bool) -> FetchResult:
        """Follow redirects by hand so that every hop passes the address guard, robots and the rate limit."""
        headers = _conditional_headers(validators)
        seen: set[str] = set()
        current = url
        for _ in range(self.config.max_redirects + 1):
            seen.add(current)
            self._admit(current, robots)
            with self._send(current, headers) as response:
                if response.status_code in _REDIRECTS and response.headers.get("location"):
                    current = self._next_hop(current, response.headers["location"], seen)
                    continue
                return self._finish(url, current, response, any_type)
        raise _Reject(TOO_MANY_REDIRECTS, f"more than fetch.max_redirects={self.config.max_redirects}")

    def _next_hop(self, current: str, location: str, seen: set[str]) -> str:
        target = urljoin(current, location.strip())
        if target in seen:
            raise _Reject(REDIRECT_LOOP, f"{current} -> {target}")
        return target

    def _admit(self, url: str, robots: bool) -> None:
        """The checks before any request: a valid http(s) URL, a public address, robots.txt."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _Reject(BAD_URL, f"expected an http(s) URL with a host, got {url[:200]!r}")
        if not self.config.allow_private:
            self._guard(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
        if robots:
            self._check_robots(url)

    def _guard(self, host: str, port: int) -> None:
        try:
            addresses = self._resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise _Reject(CONNECT_ERROR, f"cannot resolve {host}: {exc}") from exc
        blocked = [a for a in addresses if is_blocked_address(a)]
        if blocked or not addresses:
            raise _Reject(PRIVATE_ADDRESS, f"{host} resolves to {', '.join(blocked) or 'nothing'}"
                          " (set allow_private to fetch it)")

    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        cached = self._robots.get(origin)
        if cached is None or self._clock() > cached[0]:
            cached = self._load_robots(origin)
            self._robots[origin] = cached
        _, parser, note = cached
        if not parser.can_fetch(self.config.user_agent, url):
            raise _Reject(ROBOTS_DISALLOWED, note or f"robots.txt disallows {parts.path or '/'}")

    def _load_robots(self, origin: str) -> tuple[float, RobotFileParser, str]:
        """RFC 9309: a 4xx means no rules; a server error means stay out (for a while: it is retried later).

        A network error is not cached: it is the page's Drop too (``timeout``, ``connect_error``).
        """
        parser = RobotFileParser(origin + "/robots.txt")
        try:
            result = self._get(origin + "/robots.txt", None, robots=False, any_type=True)
        except _Reject as reject:
            if reject.reason.startswith("http_4"):
                parser.allow_all = True
                return self._clock() + _ROBOTS_TTL_S, parser, ""
            parser.disallow_all = True
            return self._clock() + _ROBOTS_RETRY_S, parser, f"robots.txt unavailable ({reject.reason}): staying out"
        parser.parse(result.text().splitlines())
        return self._clock() + _ROBOTS_TTL_S, parser, ""

    @contextmanager
    def _send(self, url: str, headers: dict[str, str]) -> Iterator:
        """One GET with retries on 429 and 5xx (exponential backoff, Retry-After honoured up to a cap); yields the
        streaming response, each attempt (its body read included) within ``timeout_s``."""
        host = urlsplit(url).netloc.lower()
        for attempt in range(self.config.retries + 1):
            self._wait_turn(host)
            with _Deadline(self.config.timeout_s, self._httpx.HTTPError) as deadline:
                request = self._client.build_request("GET", url, headers=headers,
                                                     extensions={"trace": deadline.trace})
                response = self._client.send(request, stream=True)
                try:
                    status = response.status_code
                    if not (status == 429 or 500 <= status < 600) or attempt == self.config.retries:
                        yield response
                        return
                    delay = self._retry_delay(response, attempt)
                finally:
                    response.close()
            self._sleep(delay)

    def _retry_delay(self, response, attempt: int) -> float:
        backoff = min(self.config.backoff_s * 2 ** attempt, self.config.max_retry_after_s)
        asked = retry_after_seconds(response.headers.get("retry-after"))
        if asked is None:
            return backoff
        if asked > self.config.max_retry_after_s:
            response.close()
            raise _Reject(RETRY_LATER, f"HTTP {response.status_code} with Retry-After {asked:.0f}s "
                                       f"> fetch.max_retry_after_s={self.config.max_retry_after_s}")
        return max(asked, backoff)

    def _wait_turn(self, host: str) -> None:
        """The per-host rate limit: at most one request per ``per_host_interval_s`` to a host."""
        now = self._clock()
        turn = self._next_turn.get(host, now)
        if turn > now:
            self._sleep(turn - now)
        self._next_turn[host] = max(turn, now) + self.config.per_host_interval_s

    def _finish(self, url: str, final_url: str, response, any_type: bool) -> FetchResult:
        status = response.status_code
        headers = response.headers
        etag, modified = headers.get("etag"), headers.get("last-modified")
        if status == 304:
            return FetchResult(url, final_url, status, "", b"", None, etag, modified, not_modified=True)
        if status >= 300:
            raise _Reject(http_reason(status), response.reason_phrase or "")
        ctype, charset = _media_type(headers.get("content-type", ""))
        if not any_type and not accepted_type(ctype):
            raise _Reject(UNSUPPORTED_TYPE, f"Content-Type {ctype}; expected HTML or a feed")
        content = self._read_body(response)
        return FetchResult(url, final_url, status, ctype, content, charset, etag, modified)

    def _read_body(self, response) -> bytes:
        """Stream the body, stopping past ``max_bytes`` (decompressed) or past the time budget."""
        limit = self.config.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            raise _Reject(TOO_LARGE, f"Content-Length {declared} > fetch.max_bytes={limit}")
        deadline = self._clock() + self.config.timeout_s
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise _Reject(TOO_LARGE, f"body > fetch.max_bytes={limit}")
            if self._clock() > deadline:
                raise _Reject(TIMEOUT, f"body took longer than fetch.timeout_s={self.config.timeout_s}")
            chunks.append(chunk)
        return b"".join(chunks)


class _Deadline:
    """One request's whole time budget. httpx's timeouts bound each read, not the answer, so a server sending a
    byte a second (slow loris) would hold a fetch for ever: a timer shuts the request's socket down when the time is
    up, and the error that follows (or a body cut short without one) becomes a ``timeout`` Drop."""

    def __init__(self, seconds: float, http_error: type[Exception]) -> None:
        self.seconds, self.fired, self._error = seconds, False, http_error
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def trace(self, event: str, info: dict) -> None:
        """httpcore's trace hook: remembers the socket of each new connection."""
        if event in ("connection.connect_tcp.complete", "connection.connect_unix_socket.complete"):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if hasattr(stream, "get_extra_info") else None
            with self._lock:
                self._sockets.append(sock)
                late = self.fired
            if late:
                _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)

    def __enter__(self) -> "_Deadline":
        self._timer.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        self._timer.cancel()
        if self.fired and (kind is None or issubclass(kind, self._error)):
            raise _Reject(TIMEOUT, f"no complete answer within fetch.timeout_s={self.seconds}") from exc


def _shutdown(sock: socket.socket | None) -> None:
    try:
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)  # wakes a recv blocked in another thread, unlike close()
    except OSError:
        pass


def _conditional_headers(validators: tuple[str | None, str | None] | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from remembered validators; values HTTP cannot carry (a server may send
    Latin-1 bytes in an ETag) are left out, else every later fetch of the URL would fail."""
    headers: dict[str, str] = {}
    if validators:
        etag, modified = validators
        if etag and etag.isascii() and etag.isprintable():
            headers["If-None-Match"] = etag
        if modified and modified.isascii() and modified.isprintable():
            headers["If-Modified-Since"] = modified
    return headers


def _media_type(value: str) -> tuple[str, str | None]:
    """``text/html; charset=UTF-8`` -> ``("text/html", "utf-8")``."""
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'").lower()
    return media.strip().lower(), charset


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header (seconds or an HTTP date) as seconds from now; None when absent or unreadable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


__all__ = ["BAD_RESPONSE", "BAD_URL", "CONNECT_ERROR", "FEED_TYPES", "FetchConfig", "FetchResult", "FetchState",
           "Fetcher", "HTML_TYPES", "PRIVATE_ADDRESS", "REDIRECT_LOOP", "RETRY_LATER", "ROBOTS_DISALLOWED",
           "TIMEOUT", "TOO_LARGE", "TOO_MANY_REDIRECTS", "UNSUPPORTED_TYPE", "accepted_type", "http_reason",
           "is_blocked_address", "resolve_host", "retry_after_seconds"]
