"""SQLite store: WAL mode, a versioned schema migrated in order, FTS5 over article titles and text.

Two runs writing one file at once take turns from their dedup phase on (``exclusive``) through an ``flock`` on a
file beside the store, ``<store>-lock``: the kernel releases it when the holder exits, even by SIGKILL, as the
server does PostgreSQL's advisory lock. Its own file, because closing any descriptor of the database file would drop
the POSIX locks SQLite holds on it.
"""
from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import StoreError
from .base import STORED_SPAN, SearchSyntaxError, SqlStore, seen_span
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


class SqliteStore(SqlStore):
    """The default Store. One connection; use as a context manager or call ``close()``."""

    fts_match = "a.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"

    def __init__(self, path: str | Path, *, readonly: bool = False, timeout: float = 30.0):
        self.path = sqlite_path(path)
        try:
            if readonly:
                uri = f"file:{Path(self.path).resolve()}?mode=ro"
                self.db = sqlite3.connect(uri, uri=True, timeout=timeout, check_same_thread=False)
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

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        if self.path == ":memory:" or fcntl is None:  # no other process can open it; no flock on this system
            yield
            return
        with open(f"{self.path}-lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
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
        try:
            return self.db.execute(
                "SELECT a.id, a.title, a.site, a.published, a.url, a.path, "
                f"snippet(articles_fts, 1, ?, ?, '…', {int(tokens)}) AS snippet "
                "FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid WHERE articles_fts MATCH ? "
                "ORDER BY rank LIMIT ? OFFSET ?", (*marks, query, limit, offset)).fetchall()
        except sqlite3.OperationalError as exc:
            raise SearchSyntaxError(str(exc)) from exc


__all__ = ["STORED_SPAN", "SqliteStore", "seen_span", "sqlite_path"]
