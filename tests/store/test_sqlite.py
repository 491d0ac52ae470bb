import sqlite3
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings, strategies as st, HealthCheck

from newsfuse.errors import NotFoundError, StoreError
from newsfuse.records import Article, Brief, Cited, Duplicate, Quote
from newsfuse.store import SqliteStore
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


def test_articles_are_inserted_once_and_searchable(tmp_path):
    with SqliteStore(tmp_path / "n.db") as store:
        a = Article(id="a1", text="Kirby said the letters were at the surface level.", title="Letters")
        with store.transaction():
            assert store.add_article(a) is True
            assert store.add_article(a) is False
        assert store.count("articles") == 1
        assert store.search("surface")[0][0] == "a1"
        with pytest.raises(NotFoundError):
            store.article("nope")


def test_stories_briefs_and_prefix_resolution(tmp_path):
    with SqliteStore(tmp_path / "n.db") as store:
        when = datetime(2023, 3, 30, tzinfo=timezone.utc)
        with store.transaction():
            store.add_article(Article(id="a1", text="x", published=when))
            store.add_duplicate(Duplicate("a1", None, "original"), b"state")
            store.set_story("a1", "sabc123", when)
            store.set_brief(Brief(story="sabc123", headline="H", summary=(Cited("x", ("a1",)),),
                                  quotes=(Quote("q", "Kirby", ("a1",)),)))
        assert store.resolve_story("sabc") == "sabc123"
        assert store.brief("sabc123").summary[0].sources == ("a1",)
        assert store.stories_overview()[0]["headline"] == "H"
        assert list(store.dedup_states()) == [("a1", b"state")]


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
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


def test_work_left_by_a_killed_run_is_pending(tmp_path):
    with SqliteStore(tmp_path / "n.db") as store:
        with store.transaction():
            store.add_article(Article(id="a1", text="x"))
            store.add_article(Article(id="a2", text="y"))
            store.add_duplicate(Duplicate("a2", None, "original"))
        assert [a.id for a in store.pending_dedup()] == ["a1"]
        assert [a.id for a in store.pending_cluster()] == ["a2"]
