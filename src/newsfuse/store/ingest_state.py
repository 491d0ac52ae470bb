"""Store-backed state for network ingest: conditional-GET validators and the feed entries already seen.

Writes are deferred until ``commit()``, which the caller runs once the pages of a poll are stored: a poll
interrupted half-way leaves no validator or seen mark behind, so the next poll fetches the same entries again
(and the store, keyed by URL, keeps each article once).
"""
from __future__ import annotations

from datetime import datetime, timezone

from .base import SqlStore


class SqliteIngestState:
    """Implements the FetchState and FeedState protocols of ``newsfuse.ingest`` over a store (SQLite or PostgreSQL)."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self._validators: dict[str, tuple[str | None, str | None]] = {}
        self._seen: set[str] = set()

    def get(self, url: str) -> tuple[str | None, str | None] | None:
        if url in self._validators:
            return self._validators[url]
        row = self.store.db.execute("SELECT etag, last_modified FROM fetch_state WHERE url=?", (url,)).fetchone()
        return (row[0], row[1]) if row else None

    def put(self, url: str, etag: str | None, last_modified: str | None) -> None:
        self._validators[url] = (etag, last_modified)

    def seen(self, key: str) -> bool:
        if key in self._seen:
            return True
        return self.store.db.execute("SELECT 1 FROM feed_seen WHERE key=?", (key,)).fetchone() is not None

    def mark(self, key: str) -> None:
        self._seen.add(key)

    def commit(self) -> None:
        """Write what this poll learnt, in one transaction (``run_in_transaction``: on PostgreSQL, written again on
        a new connection when the server drops the connection before the commit; both writes are upserts)."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")

        def write() -> None:
            self.store.db.executemany(
                "INSERT INTO fetch_state (url, etag, last_modified, checked) VALUES (?,?,?,?) ON CONFLICT (url) "
                "DO UPDATE SET etag=excluded.etag, last_modified=excluded.last_modified, checked=excluded.checked",
                [(url, etag, modified, now) for url, (etag, modified) in self._validators.items()])
            self.store.db.executemany("INSERT INTO feed_seen (key, seen) VALUES (?,?) ON CONFLICT DO NOTHING",
                                      [(key, now) for key in self._seen])

        self.store.run_in_transaction(write)
        self._validators.clear()
        self._seen.clear()
