"""An SQLite store's read-only connections are kept between requests (``SqliteStorePool``): a few are reused, each
sees what other processes committed since, and none reads a file that was replaced, deleted or migrated."""
from __future__ import annotations

import os
import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient

from newsfuse.records import Article
from newsfuse.store import SqliteStore
from newsfuse.store.sqlite import SqliteStorePool
from newsfuse.store.schema import SCHEMA_VERSION
from newsfuse.web import create_app
from newsfuse.web.app import open_store

from .conftest import build_store
from .test_cache import add_story

ARTICLES = 29  # conftest.build_store: four articles and 25 fillers


def reads_app(db: Path):
    """The app, without the response cache, and a route that reports what its store reads and which connection it
    is; ``hold=true`` leaves a statement unfinished, as a half-read generator would."""
    app = create_app(str(db), cache_mb=0)
    held = []

    @app.get("/_test/reads")
    def reads(store: Annotated[SqliteStore, Depends(open_store)], hold: bool = False) -> dict:
        if hold:
            cursor = store.db.execute("SELECT id FROM articles")
            cursor.fetchone()
            held.append(cursor)
        return {"articles": store.db.execute("SELECT count(*) FROM articles").fetchone()[0],
                "connection": id(store.db)}

    return app


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "news.db"
    build_store(path)
    return path


def opened_readonly(monkeypatch) -> list[str]:
    """Every read-only SQLite connection opened from now on, by its URI."""
    opened, connect = [], sqlite3.connect

    def counting(database, *args, **kwargs):
        if "mode=ro" in str(database):
            opened.append(str(database))
        return connect(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", counting)
    return opened


def files_open(path: Path) -> int:
    """Descriptors of this process open on the store's file."""
    found = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            found += os.readlink(f"/proc/self/fd/{fd}") == str(path)
        except OSError:
            pass
    return found


def test_requests_reuse_a_bounded_number_of_connections(db, monkeypatch):
    with TestClient(reads_app(db)) as client:
        assert client.get("/_test/reads").json()["articles"] == ARTICLES
        assert client.get("/api/stories").status_code == 200  # the snapshot is read: no thread opens one later
        opened = opened_readonly(monkeypatch)
        for _ in range(20):
            assert client.get("/api/stories").status_code == 200
            assert client.get("/_test/reads").status_code == 200
        assert opened == []
        pool = client.app.state.store_pool
        with ThreadPoolExecutor(16) as threads:  # more requests at once than the pool keeps
            answers = list(threads.map(lambda _: client.get("/_test/reads").status_code, range(64)))
        assert answers == [200] * 64 and len(opened) < 64  # beyond the kept ones, a request opens its own
        assert 1 <= len(pool.idle) <= pool.size == 8
        kept = pool.idle[0]
    assert pool.idle == [] and files_open(db) == 0  # closing the app closes them
    with pytest.raises(sqlite3.ProgrammingError):
        kept.db.execute("SELECT 1")


def test_a_write_after_a_request_is_seen_by_the_next(db):
    with TestClient(reads_app(db)) as client:
        first = client.get("/_test/reads", params={"hold": True}).json()  # a statement left unfinished
        assert len(client.app.state.store_pool.idle) == 1
        add_story(str(db))
        second = client.get("/_test/reads").json()
        assert second["connection"] == first["connection"]
        assert (first["articles"], second["articles"]) == (ARTICLES, ARTICLES + 1)
        late = Article(id="late", text="A later report on the harbour bridge.", title="Later")
        add_story(str(db), late, "s-late")
        assert client.get(f"/api/articles/{late.id}").status_code == 200


def test_a_replaced_or_deleted_store_file_is_detected(db, tmp_path):
    other = tmp_path / "other" / "news.db"
    build_store(other, fillers=2)
    with TestClient(reads_app(db)) as client:
        assert client.get("/_test/reads").json()["articles"] == ARTICLES
        assert len(client.app.state.store_pool.idle) == 1
        os.replace(other, db)  # as `mv new.db news.db` does: the kept connection still reads the old file
        assert client.get("/_test/reads").json()["articles"] == 6
        for name in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            name.unlink(missing_ok=True)
        response = client.get("/api/stories")
        assert response.status_code == 503 and "no store yet" in response.json()["error"]


def read_after_copy(db: Path, source: Path, sql: str) -> tuple[Any, Any]:
    """``sql`` read by a kept store of ``db``, then again by the next store taken from its pool (or opened, when the
    pool gives none) after ``source`` was copied over ``db`` in place, as ``cp source db`` does (same inode)."""
    pool = SqliteStorePool(str(db))
    store = SqliteStore(db, readonly=True)
    before = store.db.execute(sql).fetchone()[0]
    pool.give(store)
    inode = db.stat().st_ino
    shutil.copyfile(source, db)
    assert db.stat().st_ino == inode
    store = pool.take() or SqliteStore(db, readonly=True)
    try:
        return before, store.db.execute(sql).fetchone()[0]
    finally:
        store.close()
        pool.close()


def test_a_store_copied_over_in_place_is_detected(db, tmp_path):
    """The kept connection would read its cached pages of the old file among the new file's (SQLite's WAL index
    is as it was): with this small store the mix is "malformed" as soon as the schema version is read."""
    other = tmp_path / "other" / "news.db"
    build_store(other, fillers=2)
    assert read_after_copy(db, other, "SELECT count(*) FROM articles") == (ARTICLES, 6)


def test_a_copy_of_the_same_size_is_detected(db, tmp_path):
    """A copy the size of the file it overwrites (its headlines changed) is told apart by its times; the kept
    connection would give the old headline from its cache."""
    other = tmp_path / "other.db"
    shutil.copyfile(db, other)
    with sqlite3.connect(other) as writer:
        writer.execute("UPDATE stories SET headline = upper(headline)")
    writer.close()
    assert other.stat().st_size == db.stat().st_size
    before, after = read_after_copy(db, other, "SELECT headline FROM stories ORDER BY id LIMIT 1")
    assert after == before.upper() != before


def test_a_migrated_store_is_detected(db):
    with TestClient(reads_app(db)) as client:
        assert client.get("/_test/reads").json()["articles"] == ARTICLES
        assert len(client.app.state.store_pool.idle) == 1
        with sqlite3.connect(db) as writer:  # another newsfuse, newer than this one, migrated it in place
            writer.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
        writer.close()
        assert client.get("/_test/reads").status_code == 503
        assert client.app.state.store_pool.idle == []
