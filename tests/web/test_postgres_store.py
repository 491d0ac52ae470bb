"""The web UI and JSON API over a PostgreSQL store hold what they hold over the SQLite one: the same records
(conftest.build_store) written into both, the same JSON from every read endpoint, and every page answered."""
from __future__ import annotations

import pytest

from .conftest import build_store

JSON_PATHS = ("/api/stories", "/api/stories?limit=5&offset=20", "/api/stories?source=wxii12.com",
              "/api/stories?since=2023-09-01&until=2023-09-30", "/api/stories/{story}", "/api/stories/{evil}",
              "/api/articles/{a}", "/api/articles/{c}", "/api/sources/wxii12.com")


STORED_TIMES = {"stored", "first_stored", "last_stored"}


@pytest.fixture(scope="module")
def pg_client(postgres_cluster):
    from fastapi.testclient import TestClient

    from newsfuse.web import create_app

    url = postgres_cluster.create_database()
    ids = build_store(url)
    with TestClient(create_app(url)) as test_client:
        yield test_client, ids


@pytest.mark.parametrize("path", JSON_PATHS)
def test_read_endpoints_answer_as_over_sqlite(client, ids, pg_client, path):
    pg, pg_ids = pg_client
    assert pg_ids == ids
    mine, theirs = pg.get(path.format(**ids)), client.get(path.format(**ids))
    assert mine.status_code == theirs.status_code == 200, mine.text
    assert without_stored_times(mine.json()) == without_stored_times(theirs.json())


def without_stored_times(value):
    """The JSON without when each store stored its records, which differs between two stores by construction."""
    if isinstance(value, dict):
        return {k: without_stored_times(v) for k, v in value.items() if k not in STORED_TIMES}
    if isinstance(value, list):
        return [without_stored_times(v) for v in value]
    return value


def test_search_and_pages_answer(pg_client):
    pg, ids = pg_client
    found = pg.get("/api/search", params={"q": "Kirby"}).json()
    assert {r["id"] for r in found["results"]} >= {ids["b"]}
    assert pg.get("/api/search", params={"q": 'letters "unbalanced'}).status_code == 200
    for page in ("/", f"/stories/{ids['story']}", f"/articles/{ids['b']}", "/search?q=Putin", "/feed.xml"):
        response = pg.get(page)
        assert response.status_code in (200, 404) and "<script>alert" not in response.text, page
    assert pg.get(f"/stories/{ids['story']}").status_code == 200


def test_the_snapshot_fingerprint_moves_with_a_committed_write(postgres_url):
    """The front page's aggregates are read again after a write: a PostgreSQL store is fingerprinted by its change
    counter, one row, where a count of the tables read each of them whole on every request."""
    from newsfuse.records import Article
    from newsfuse.store import open_store
    from newsfuse.web.snapshot import fingerprint

    build_store(postgres_url, fillers=2)
    with open_store(postgres_url) as writer, open_store(postgres_url, readonly=True) as reader:
        before = fingerprint(postgres_url, reader)
        assert fingerprint(postgres_url, reader) == before
        with writer.transaction():
            writer.add_article(Article(id="late", text="late news"))
            assert fingerprint(postgres_url, reader) == before  # not before the commit
        assert fingerprint(postgres_url, reader) != before


def backends(url: str) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND pid <> pg_backend_pid()").fetchone()[0]


def test_requests_reuse_connections_and_survive_a_dropped_one(postgres_cluster):
    """Requests share a few kept connections instead of opening one each; a kept connection that the server
    dropped (a restart, a network cut) is opened again by the next request that takes it."""
    from fastapi.testclient import TestClient

    from newsfuse.web import create_app

    from ..store.test_postgres import terminate_others

    url = postgres_cluster.create_database()
    ids = build_store(url, fillers=2)
    with TestClient(create_app(url, cache_mb=0)) as client:
        for _ in range(3):
            assert client.get(f"/api/stories/{ids['story']}").status_code == 200
        assert client.get("/api/stories/no-such-story").status_code == 404
        kept = backends(url)
        for _ in range(20):
            assert client.get("/api/stories").status_code == 200
            assert client.get(f"/articles/{ids['b']}").status_code == 200
        assert backends(url) == kept <= 3
        assert terminate_others(url) == kept
        assert client.get(f"/api/stories/{ids['story']}").json()["id"] == ids["story"]
