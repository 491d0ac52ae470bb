"""The two store backends the reliability tests about the store run against: ``backend`` is an SQLite folder, then
the session's PostgreSQL cluster (tests/postgres_cluster.py), with one fresh database per store a test asks for.

A test reads the store the way a second process would, never through the store under test: ``one`` opens the
SQLite file read-only (so a store not yet created stays absent) or connects to the database, and ``check`` is the
backend's own check that what a killed writer left is sound: SQLite's ``integrity_check``, PostgreSQL's ``amcheck``
over every B-tree index (heap rows against their indexes), each followed by the same referential checks.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

# Rows that would point at nothing: a link, a membership or a brief without its article or story.
ORPHANS = ("SELECT count(*) FROM duplicates d WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = d.id)",
           "SELECT count(*) FROM story_articles m WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = m.article_id)"
           " OR NOT EXISTS (SELECT 1 FROM stories s WHERE s.id = m.story_id)",
           "SELECT count(*) FROM briefs b WHERE NOT EXISTS (SELECT 1 FROM stories s WHERE s.id = b.story_id)",
           "SELECT count(*) FROM stories s WHERE NOT EXISTS (SELECT 1 FROM story_articles m WHERE m.story_id = s.id)")
AMCHECK = ("SELECT count(bt_index_check(c.oid, true)) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
           "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = c.relam "
           "WHERE n.nspname = 'public' AND am.amname = 'btree'")


class Backend:
    """One backend: ``new_db()`` is a new store's ``--db`` (a path or a URL), ``one(db, sql)`` the first row."""

    def __init__(self, name: str, folder: Path, cluster: Any = None) -> None:
        self.name, self.folder, self.cluster = name, folder, cluster
        self._made = 0

    @property
    def postgres(self) -> bool:
        return self.name == "postgresql"

    def new_db(self) -> str:
        if self.postgres:
            return self.cluster.create_database()
        self._made += 1
        return str(self.folder / f"store{self._made}.db")

    def one(self, db: str, sql: str) -> tuple:
        """The first row of ``sql`` as a tuple; None where the SQLite file does not exist yet."""
        if self.postgres:
            import psycopg

            with psycopg.connect(db) as conn:
                row = conn.execute(sql).fetchone()
                return None if row is None else tuple(row)
        if not Path(db).exists():
            return None
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        try:
            row = con.execute(sql).fetchone()
            return None if row is None else tuple(row)
        finally:
            con.close()

    def count(self, db: str, sql: str) -> int:
        row = self.one(db, sql)
        return 0 if row is None else row[0]

    def check(self, db: str) -> None:
        """Assert the store is sound: the backend's own check, then no row pointing at nothing."""
        if self.postgres:
            import psycopg

            with psycopg.connect(db, autocommit=True) as conn:
                # amcheck ships with the server's own package (Debian's postgresql-NN); a build without it
                # leaves the referential checks below
                if conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'amcheck'").fetchone():
                    conn.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
                    assert conn.execute(AMCHECK).fetchone()[0] > 0  # raises on a damaged index
        else:
            assert self.one(db, "PRAGMA integrity_check") == ("ok",)
        for sql in ORPHANS:
            assert self.count(db, sql) == 0, sql


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path) -> Backend:
    """Each test once per backend; the PostgreSQL cluster is the session's, started on first use."""
    if request.param == "sqlite":
        return Backend("sqlite", tmp_path)
    return Backend("postgresql", tmp_path, request.getfixturevalue("postgres_cluster"))
