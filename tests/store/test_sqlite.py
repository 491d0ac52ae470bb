"""What only the SQLite store does (WAL, PRAGMA user_version, FTS5, NUL in text, the run lock); the protocol both
backends share is tested in test_backends.py."""
import sqlite3
import threading
from datetime import timezone

import pytest
from hypothesis import given, settings, strategies as st, HealthCheck

from newsfuse.errors import StoreError
from newsfuse.records import Article
from newsfuse.store import SqliteStore, sqlite as sqlite_module
from newsfuse.store.schema import SCHEMA_VERSION


def test_wal_and_schema_version(tmp_path):
    with SqliteStore(tmp_path / "n.db") as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.schema_version() == SCHEMA_VERSION


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "n.db"
    SqliteStore(path).close()
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(StoreError, match="newer"):
        SqliteStore(path)


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)


# SQLite text holds NUL characters too (PostgreSQL's cannot: test_postgres.py).
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(text=texts.filter(lambda t: t.strip()), title=st.none() | texts, site=st.none() | texts,
       published=st.none() | st.datetimes(timezones=st.just(timezone.utc)))
def test_store_round_trips_articles(tmp_path, text, title, site, published):
    article = Article(id="x" + str(abs(hash((text, title, site, published)))), text=text, title=title, site=site,
                      published=published)
    with SqliteStore(tmp_path / "rt.db") as store:
        with store.transaction():
            store.add_article(article)
        assert store.article(article.id) == article


def test_a_version_1_store_migrates_without_loss(tmp_path):
    from newsfuse.store.schema import MIGRATIONS

    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    con.executescript(MIGRATIONS[1] + ";PRAGMA user_version=1;")
    con.execute("INSERT INTO articles (id, text, title, added) VALUES ('a1', 'Kirby said so.', 'T', '2024-01-01')")
    con.execute("INSERT INTO stories (id, headline) VALUES ('sa1', 'T')")
    con.execute("INSERT INTO story_articles (article_id, story_id) VALUES ('a1', 'sa1')")
    con.commit()
    con.close()
    with SqliteStore(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.article("a1").text == "Kirby said so."
        assert store.story_members("sa1") == ["a1"]
        assert store.stale_briefs() == ["sa1"]  # an old store's briefs are rebuilt on the next run
        assert store.search("Kirby")[0][0] == "a1"


def test_a_second_run_waits_for_the_first_from_dedup_on(tmp_path):
    """``exclusive`` is an flock on ``<store>-lock``: a second holder waits until the first lets go (two runs at
    once: tests/reliability/test_concurrency.py)."""
    entered = threading.Event()
    with SqliteStore(tmp_path / "n.db") as first, SqliteStore(tmp_path / "n.db") as second:
        def take_turn() -> None:
            with second.exclusive():
                entered.set()

        with first.exclusive():
            waiting = threading.Thread(target=take_turn)
            waiting.start()
            assert not entered.wait(0.5)
        assert entered.wait(10)
        waiting.join(10)
    assert (tmp_path / "n.db-lock").exists()


# Senate said once, twice, ... six times: the more often, the higher bm25 puts it; the first stored say it most.
def _senate_store(path) -> SqliteStore:
    store = SqliteStore(path)
    with store.transaction():
        for i in range(6):
            store.add_article(Article(id=f"d{i}", text=" ".join(["senate vote"] * (6 - i) + ["budget talks"] * i)))
    return store


def _ranked_by_every_match(store: SqliteStore, query: str) -> list[str]:
    return [r[0] for r in store.db.execute(
        "SELECT a.id FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid WHERE articles_fts MATCH ? "
        "ORDER BY rank", (query,))]


def test_search_with_fewer_matches_than_candidates_ranks_them_all(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite_module, "SEARCH_CANDIDATES", 6)
    with _senate_store(tmp_path / "n.db") as store:
        found = [r["id"] for r in store.match("senate", 20)]
        assert found == _ranked_by_every_match(store, "senate") == ["d0", "d1", "d2", "d3", "d4", "d5"]
        assert [r["id"] for r in store.match("senate", 2, offset=2)] == found[2:4]
        assert [r["id"] for r in store.match("budget", 20)] == ["d5", "d4", "d3", "d2", "d1"]


def test_search_with_more_matches_ranks_the_newest_stored(tmp_path, monkeypatch):
    """Past SEARCH_CANDIDATES matches, only the most recently stored are ranked, by the weights of the whole store:
    d0-d2 rank higher over every match, but are not among the three newest."""
    monkeypatch.setattr(sqlite_module, "SEARCH_CANDIDATES", 3)
    with _senate_store(tmp_path / "n.db") as store:
        assert [r["id"] for r in store.match("senate", 20)] == ["d3", "d4", "d5"]
        assert [r["id"] for r in store.match("senate", 20, offset=3)] == []
        assert [r["id"] for r in store.match("budget", 20)] == ["d5", "d4", "d3"]  # 5 matches: the 3 newest
        assert [r["id"] for r in store.match('"senate vote" AND budget', 20)] == ["d3", "d4", "d5"]
        assert store.match("nowhere", 20) == []
