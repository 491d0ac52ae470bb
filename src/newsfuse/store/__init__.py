"""The store: SQLite by default, PostgreSQL for a ``postgresql://`` URL, behind one small protocol."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import require
from .base import SqlStore
from .location import is_postgres_url, shown
from .sqlite import SqliteStore, sqlite_path

__all__ = ["SqlStore", "SqliteStore", "is_postgres_url", "open_store", "shown", "sqlite_path", "store_exists"]


def open_store(db: str | Path, *, readonly: bool = False, **options: Any) -> SqlStore:
    """The store ``db`` names: a PostgreSQL store for a postgresql:// URL (needs the ``postgresql`` extra),
    else the SQLite file at that path. Writable stores are created or migrated on opening."""
    if is_postgres_url(db):
        require("psycopg", "postgresql")
        from .postgres import PostgresStore

        return PostgresStore(str(db), readonly=readonly, **options)
    return SqliteStore(db, readonly=readonly, **options)


def store_exists(db: str | Path) -> bool:
    """Whether ``db`` holds a store already: the SQLite file exists, or the PostgreSQL database has the schema
    (a server that cannot be reached raises StoreError)."""
    if not is_postgres_url(db):
        return Path(sqlite_path(db)).exists()
    require("psycopg", "postgresql")
    from .postgres import PgConnection

    conn = PgConnection(str(db), readonly=True)
    try:
        return conn.execute("SELECT to_regclass('newsfuse_schema')").fetchone()[0] is not None
    finally:
        conn.close()
