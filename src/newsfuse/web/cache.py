"""The response cache: finished GET responses of the pages and the JSON API, kept per server process and answered
again while the store is unchanged; and an ETag on every 200, so a browser or a proxy revalidating (``Cache-Control:
no-cache``) gets ``304 Not Modified`` without the body.

A response is kept under its request (path, query, host) and the store's version, which ``StoreVersion`` reads
before the handler runs: a write by any process (``newsfuse run``, ``watch``, an edit, another worker) changes the
version, so the next request misses and is answered from the store, as without the cache. The key also names the
snapshot the process holds (``web/snapshot.py``), and nothing is kept while that snapshot is known to trail the
store, so the pages read from it change when it is rebuilt. Only 200 responses are kept: an error is answered
afresh every time. A POST (an edit) empties this process's cache as well. Bounded by entries and bytes, least
recently used first out.
"""
from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..store import is_postgres_url
from .snapshot import SnapshotCache, fingerprint

DEFAULT_MB = 32       # per server process (--cache-mb)
MAX_ENTRIES = 1024    # a bound on the count too: at the bench store's 2-41 KB an answer, this one usually binds first
RETRY_SECONDS = 5.0   # how long requests go uncached after the store's version could not be read
ENTRY_SHARE = 8       # one response may take at most this fraction of the budget: one huge answer evicts no more
# Headers a 304 repeats from the 200 it stands for (RFC 9110, 15.4.5); the security headers are added outside.
NOT_MODIFIED_HEADERS = {b"cache-control", b"content-location", b"date", b"etag", b"expires", b"vary"}
log = logging.getLogger("newsfuse.web")


@dataclass(frozen=True, slots=True)
class CachedResponse:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    etag: bytes

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 200  # 200: the objects around


def etag_of(body: bytes) -> bytes:
    """A strong validator: the same bytes, the same tag, whichever worker answered."""
    return b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"'


def etag_matches(header: str | None, etag: bytes) -> bool:
    """Whether an If-None-Match header names ``etag`` (weak comparison, as RFC 9110 asks for GET)."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    tag = etag.decode()
    return any(candidate.strip().removeprefix("W/") == tag for candidate in header.split(","))


class ResponseCache:
    """Least recently used responses within ``max_bytes`` and ``max_entries``. Used from the event loop only."""

    def __init__(self, max_bytes: int, max_entries: int = MAX_ENTRIES):
        self.max_bytes, self.max_entries = max_bytes, max_entries
        self.entries: OrderedDict[tuple, CachedResponse] = OrderedDict()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, key: tuple) -> CachedResponse | None:
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
        return found

    def put(self, key: tuple, response: CachedResponse) -> None:
        if response.size > self.max_bytes // ENTRY_SHARE:
            return
        old = self.entries.pop(key, None)
        if old is not None:
            self.bytes -= old.size
        self.entries[key] = response
        self.bytes += response.size
        while self.bytes > self.max_bytes or len(self.entries) > self.max_entries:
            _, evicted = self.entries.popitem(last=False)
            self.bytes -= evicted.size

    def clear(self) -> None:
        self.entries.clear()
        self.bytes = 0


class StoreVersion:
    """What changes whenever the store is written, read in microseconds before each request.

    SQLite: the files' sizes and change times (the snapshot's fingerprint) with ``PRAGMA data_version`` on one
    connection this object keeps, which moves with every commit by any other connection, also within one tick of
    the file clock. PostgreSQL: ``pg_current_snapshot()`` on one kept connection, whose text changes when any
    transaction on the server takes a transaction id or ends, so it never repeats after a commit; writes to other
    databases of the server change it too, which costs hits, never freshness. None when it cannot be read (no
    store yet, the server away): the request is then answered without the cache.
    """

    def __init__(self, path: str):
        self.path = path
        self.blocking = is_postgres_url(path)  # a round trip to a server: read it off the event loop
        self.lock = threading.Lock()
        self.conn: Any = None
        self.opened_at: Any = None  # the database file's (mtime, size) when the SQLite connection was opened
        self.retry_at = 0.0  # after a failure, requests go uncached for RETRY_SECONDS before the next attempt

    def read(self) -> tuple | None:
        with self.lock:
            if time.monotonic() < self.retry_at:
                return None
            try:
                return self._postgres() if self.blocking else self._sqlite()
            except Exception as exc:  # noqa: BLE001 - any failure means "unknown": answer without the cache
                log.warning("the response cache cannot read the store's version, answering uncached for %.0f s: "
                            "%s", RETRY_SECONDS, exc)
                self.retry_at = time.monotonic() + RETRY_SECONDS
                self._close()
                return None

    def _sqlite(self) -> tuple | None:
        marks = fingerprint(self.path)
        if marks[0] is None:
            return None  # no store yet
        if self.conn is None or marks[0] != self.opened_at:  # a checkpoint, or another file at the path
            self._close()
            self.conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self.opened_at = marks[0]
        return marks, self.conn.execute("PRAGMA data_version").fetchone()[0]

    def _postgres(self) -> tuple:
        if self.conn is None:
            from ..store.postgres import PgConnection

            self.conn = PgConnection(self.path, readonly=True, delays=())
        return (self.conn.execute("SELECT pg_current_snapshot()::text").fetchone()[0],)

    def _close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # noqa: BLE001 - a connection already broken closes as well as it can
                pass
        self.conn = None

    def close(self) -> None:
        with self.lock:
            self._close()


class CachedResponses:
    """ASGI middleware: GET answers from the cache when the store is unchanged, ETags and 304s on every 200."""

    def __init__(self, app: ASGIApp, cache: ResponseCache, version: StoreVersion, snapshots: SnapshotCache):
        self.app, self.cache, self.version, self.snapshots = app, cache, version, snapshots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)  # static files carry their own ETag and Last-Modified
            return
        if scope["method"] != "GET":
            try:
                await self.app(scope, receive, send)
            finally:
                if scope["method"] not in ("HEAD", "OPTIONS"):
                    self.cache.clear()  # an edit: this process's next GET reads the store even before its version
            return
        key = await self._key(scope)
        found = self.cache.get(key) if key is not None else None
        if found is not None:
            await self._send(scope, send, found, b"hit")
            return
        found = await self._answer(scope, receive, send)
        if found is None:
            return
        if key is not None and found.status == 200 and not self.snapshots.behind:
            self.cache.put(key, found)
        await self._send(scope, send, found, b"miss")

    async def _key(self, scope: Scope) -> tuple | None:
        version = await run_in_threadpool(self.version.read) if self.version.blocking else self.version.read()
        if version is None:
            return None
        snap = self.snapshots.current
        host = Headers(scope=scope).get("host")
        return (scope["path"], scope["query_string"], host, scope.get("scheme"), scope.get("root_path"), version,
                snap.built if snap is not None else None)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> CachedResponse | None:
        """The app's response, held whole (the pages are rendered whole anyway); None when it sent none."""
        start: Message | None = None
        chunks: list[bytes] = []

        async def hold(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            else:
                await send(message)

        await self.app(scope, receive, hold)
        if start is None:
            return None
        body = b"".join(chunks)
        return CachedResponse(start["status"], tuple(start.get("headers") or ()), body, etag_of(body))

    @staticmethod
    async def _send(scope: Scope, send: Send, response: CachedResponse, status: bytes) -> None:
        headers = list(response.headers)
        if response.status == 200:
            headers.append((b"etag", response.etag))
        headers.append((b"x-cache", status))
        if response.status == 200 and etag_matches(Headers(scope=scope).get("if-none-match"), response.etag):
            kept = [(k, v) for k, v in headers if k.lower() in NOT_MODIFIED_HEADERS or k == b"x-cache"]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body})


__all__ = ["CachedResponse", "CachedResponses", "DEFAULT_MB", "ResponseCache", "StoreVersion", "etag_matches",
           "etag_of"]
