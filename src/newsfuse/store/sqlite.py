"""SQLite store: WAL mode, a versioned schema migrated in order, FTS5 over article titles and text.

Two runs writing one file at once take turns from their dedup phase on (``exclusive``) through an ``flock`` on a
file beside the store, ``<store>-lock``: the kernel releases it when the holder exits, even by SIGKILL, as the
server does PostgreSQL's advisory lock. Its own file, because closing any descriptor of the database file would drop
the POSIX locks SQLite holds on it. An analyst edit takes the same lock, waiting a bounded time (``run_exclusive``).

A server keeps read-only stores for its requests (``SqliteStorePool``): opening one costs the file's opening, the
PRAGMAs, the schema check and the parsing of the schema by the first statement, more than a cheap page's reads.
"""
from __future__ import annotations

import os
import re
import sqlite3
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from ..errors import StoreError
from .base import LOCK_POLL, SEARCH_CANDIDATES, STORED_SPAN, SearchSyntaxError, SqlStore, T, run_busy, seen_span
from .pool import StorePool
from .schema import MIGRATIONS, SCHEMA_VERSION

try:
    import fcntl
except ImportError:  # Windows: runs at once do not take turns there
    fcntl = None  # type: ignore[assignment]

# scheme:// (and scheme:/, what pathlib makes of it); one letter is a Windows drive, and "file:" is no path either.
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):/")


def sqlite_path(path: str | Path) -> str:
    """``path`` as a string, when it names an SQLite file (or ``:memory:``); a URL such as
    ``mysql://host/db`` raises StoreError instead of becoming a folder named ``mysql:`` (``open_store`` takes
    ``postgresql://`` URLs to the PostgreSQL store before they reach here)."""
    text = str(path)
    found = _URL.match(text)
    if found:
        raise StoreError(f"unsupported store {text!r}: a store is an SQLite file path or a postgresql:// URL "
                         f"(a {found.group(1)}: URL is neither)")
    return text


def file_state(path: str) -> tuple[int, ...] | None:
    """What ``SqliteStorePool`` compares to tell that the file at ``path`` is not the one a connection opened, or
    was rewritten under it: its device and inode (a file put in its place, by a rename over it or deleted and
    created again, has others, while a connection still reads the one it opened), its size and its modification
    and status-change times in nanoseconds (a file copied over it in place, ``cp other.db store.db``, keeps the
    inode). None when there is no file."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns


class ReadConnection(sqlite3.Connection):
    """A connection that can end its reads: a statement whose rows were not all fetched (``fetchone`` of several,
    a generator left half-way) holds its read transaction, and so the snapshot it began with, until its cursor is
    closed or freed; neither COMMIT nor ROLLBACK ends it. The connection keeps a weak reference to each cursor it
    makes (``cursor``, ``execute``), so ``end_reads`` closes those still alive."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.made: list[weakref.ref] = []
        self.prune_at = 64

    def cursor(self, factory: Any = sqlite3.Cursor) -> Any:
        made = super().cursor(factory)
        self.made.append(weakref.ref(made))
        if len(self.made) > self.prune_at:  # a long-lived store: forget the cursors already freed
            self.made = [ref for ref in self.made if ref() is not None]
            self.prune_at = 2 * len(self.made) + 64
        return made

    def execute(self, sql: str, parameters: Any = (), /) -> Any:  # the C method makes its cursor unseen
        return self.cursor().execute(sql, parameters)

    def end_reads(self) -> None:
        """Close every cursor still open, so that no statement holds a read transaction."""
        made, self.made = self.made, []
        for ref in made:
            found = ref()
            if found is not None:
                found.close()


class SqliteStore(SqlStore):
    """The default Store. One connection; use as a context manager or call ``close()``."""

    fts_match = "a.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"

    def __init__(self, path: str | Path, *, readonly: bool = False, timeout: float = 30.0):
        self.path = sqlite_path(path)
        self.locks = 0  # how deeply the run lock is held by this store (``_run_lock``)
        # The file this store reads, taken before connecting: a file replaced or rewritten in between reads as
        # another (SqliteStorePool).
        self.identity = file_state(self.path) if readonly else None
        try:
            if readonly:
                uri = f"file:{Path(self.path).resolve()}?mode=ro"
                self.db = sqlite3.connect(uri, uri=True, timeout=timeout, check_same_thread=False,
                                          factory=ReadConnection)
            else:
                if self.path != ":memory:":
                    Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(self.path, timeout=timeout, check_same_thread=False)
                self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.row_factory = sqlite3.Row
            if not readonly:
                self.migrate()
            elif self.schema_version() != SCHEMA_VERSION:
                raise StoreError(f"{self.path}: schema version {self.schema_version()}, this newsfuse reads "
                                 f"{SCHEMA_VERSION}; open it once without --readonly to migrate")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open store {self.path}: {exc}") from exc

    # -- lifecycle -------------------------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all."""
        try:
            with self.db:
                yield
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: {exc}") from exc

    def exclusive(self) -> AbstractContextManager[None]:
        return self._run_lock(None)

    def run_exclusive(self, body: Callable[[], T], wait: float) -> T:
        with self._run_lock(wait):
            return self.run_in_transaction(body)

    @contextmanager
    def _run_lock(self, wait: float | None) -> Iterator[None]:
        """The flock on ``<store>-lock``, taken once by a store however deeply its holders nest (a run's merges
        inside its phases); a second store, in this process or another, waits for it. ``wait`` bounds that wait in
        seconds (None: as long as it takes): the lock is tried every LOCK_POLL seconds, as flock has no timeout."""
        if self.locks or self.path == ":memory:" or fcntl is None:  # held; no other writer; no flock on this system
            self.locks += 1
            try:
                yield
            finally:
                self.locks -= 1
            return
        with open(f"{self.path}-lock", "a") as lock:
            if wait is None:
                fcntl.flock(lock, fcntl.LOCK_EX)
            else:
                _try_flock(lock, self.path, wait)
            self.locks += 1
            try:
                yield
            finally:
                self.locks -= 1
                fcntl.flock(lock, fcntl.LOCK_UN)

    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> None:
        """Apply the migrations this store lacks, in order, each in its own transaction."""
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(f"{self.path} has schema version {current}, newer than this newsfuse "
                             f"({SCHEMA_VERSION}); upgrade newsfuse")
        for version in range(current + 1, SCHEMA_VERSION + 1):
            with self.db:
                self.db.executescript("BEGIN;" + MIGRATIONS[version] + f";PRAGMA user_version={version};COMMIT;")

    def match(self, query: str, limit: int, offset: int = 0, marks: tuple[str, str] = ("[", "]"),
              tokens: int = 12) -> list[Any]:
        """Full-text matches, best first by FTS5's ``rank`` (bm25), among at most SEARCH_CANDIDATES of them: the
        most recently stored (the highest rowids). A query with fewer matches ranks them all, in the order ranking
        every match gives; a word in many articles is answered from its newest matches, where ranking every one
        scored tens of thousands of rows (bench/README.md, issue 23). Pages past the candidates are empty.

        FTS5 reads a query's matches in rowid order, so the rowid of the SEARCH_CANDIDATES-th newest match is
        found without reading the others, and ranking with ``rowid >=`` it scores the candidates alone. bm25's
        weights (how many articles hold each term) still count the whole store, so a candidate scores as it
        did. PostgreSQL takes the newest published instead (``PostgresStore.match``): here that needs every
        match's date, which costs what ranking them did."""
        try:
            return self.db.execute(
                "SELECT a.id, a.title, a.site, a.published, a.url, a.path, "
                f"snippet(articles_fts, 1, ?, ?, '…', {int(tokens)}) AS snippet "
                "FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid WHERE articles_fts MATCH ? "
                "AND articles_fts.rowid >= coalesce((SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? "
                "ORDER BY rowid DESC LIMIT 1 OFFSET ?), 0) ORDER BY rank LIMIT ? OFFSET ?",
                (*marks, query, query, SEARCH_CANDIDATES - 1, limit, offset)).fetchall()
        except sqlite3.OperationalError as exc:
            raise SearchSyntaxError(str(exc)) from exc


def _try_flock(lock: Any, path: str, wait: float) -> None:
    """Take the flock on the open file ``lock`` within ``wait`` seconds, else raise StoreBusyError."""
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            left = deadline - time.monotonic()
            if left <= 0:
                raise run_busy(path, wait) from None
            time.sleep(min(LOCK_POLL, left))


class SqliteStorePool(StorePool[SqliteStore]):
    """Read-only stores of the file at ``path`` kept open between a server's requests, at most ``size`` (each holds
    its page cache, up to 2 MB by SQLite's default): ``StorePool``.

    A kept store sees other processes' commits: in WAL mode each read transaction starts at the newest commit, and
    ``give`` closes the store's open cursors, so no read transaction outlives its request. ``take`` checks that the
    file at ``path`` is as the store found it when it opened (``file_state``) and that it is at this newsfuse's
    schema version (another newsfuse may have migrated it in place): a stat and one PRAGMA, microseconds. When
    either differs every idle store is closed, and the caller's opening reports the store as it is now.

    The stat catches what SQLite does not: a connection keeps reading a file renamed over or deleted (device and
    inode), and one copied over in place (``cp other.db store.db``: same inode) leaves the shared-memory index
    as it was, so a kept connection trusts its page cache and reads a mix of the two files' pages, which neither
    ``PRAGMA data_version`` nor the header's change counter shows in WAL mode. A copy changes the file's
    modification and status-change times (``cp -p`` sets the first back, not the second), and usually its size.
    So does a legitimate checkpoint, when a writer moves its commits from the WAL into the file: the idle stores
    are closed then too, which costs their reopening (under a millisecond each) and reads nothing wrong. A file
    copied over while a request reads it is seen by the next request only."""

    def __init__(self, path: str, size: int = 8) -> None:
        super().__init__(size)
        self.path = path

    def _current(self, store: SqliteStore) -> bool:
        try:
            return store.identity == file_state(self.path) and store.schema_version() == SCHEMA_VERSION
        except sqlite3.Error:
            return False

    def _reusable(self, store: SqliteStore) -> bool:
        if not isinstance(store.db, ReadConnection) or store.identity is None:
            return False
        try:
            store.db.end_reads()
            return not store.db.in_transaction
        except sqlite3.Error:
            return False


__all__ = ["STORED_SPAN", "SqliteStore", "seen_span", "sqlite_path"]
