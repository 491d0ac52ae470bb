"""The store protocol, once per backend (``store_db``: an SQLite file, then a fresh PostgreSQL database)."""
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from newsfuse.errors import NotFoundError, StoreError
from newsfuse.records import Article, Brief, Cited, Drop, Duplicate, Quote
from newsfuse.store import edits, open_store, read
from newsfuse.store.ingest_state import SqliteIngestState
from newsfuse.store.schema import SCHEMA_VERSION

WHEN = datetime(2023, 3, 30, tzinfo=timezone.utc)


def test_schema_version_is_the_latest(store_db):
    with open_store(store_db) as store:
        assert store.schema_version() == SCHEMA_VERSION
    with open_store(store_db, readonly=True) as store:  # the web's read-only open accepts it
        assert store.count("articles") == 0


def test_articles_are_inserted_once_and_searchable(store_db):
    with open_store(store_db) as store:
        a = Article(id="a1", text="Kirby said the letters were at the surface level.", title="Letters")
        with store.transaction():
            assert store.add_article(a) is True
            assert store.add_article(a) is False
        assert store.count("articles") == 1
        assert store.search("surface")[0][0] == "a1"
        assert "surface" in store.search("surface")[0][1]
        assert store.search("letters")[0][0] == "a1"  # the title is searched too
        assert store.search("nowhere") == []
        with pytest.raises(NotFoundError):
            store.article("nope")


def test_stories_briefs_and_prefix_resolution(store_db):
    with open_store(store_db) as store:
        with store.transaction():
            store.add_article(Article(id="a1", text="x", published=WHEN))
            store.add_duplicate(Duplicate("a1", None, "original"), b"state\x00\xff")
            store.set_story("a1", "sabc123", WHEN)
            store.set_brief(Brief(story="sabc123", headline="H", summary=(Cited("x", ("a1",)),),
                                  quotes=(Quote("q", "Kirby", ("a1",)),)))
        assert store.resolve_story("sabc") == "sabc123"
        assert store.brief("sabc123").summary[0].sources == ("a1",)
        assert store.stories_overview()[0]["headline"] == "H"
        assert list(store.dedup_states()) == [("a1", b"state\x00\xff")]
        assert store.stale_briefs() == []
        with pytest.raises(NotFoundError):
            store.resolve_story("zzz")


def test_story_span_and_order_match_across_backends(store_db):
    """Undated articles sort first in a story and undated stories last in the list, as SQLite orders NULLs."""
    with open_store(store_db) as store:
        with store.transaction():
            for i, published in enumerate([WHEN, None, WHEN - timedelta(days=1), None]):
                store.add_article(Article(id=f"a{i}", text=f"text {i}", published=published))
                store.set_story(f"a{i}", "s1" if i < 3 else "s2", published)
        assert store.story_members("s1") == ["a1", "a2", "a0"]
        assert [a.id for a in store.articles()] == ["a1", "a3", "a2", "a0"]
        overview = store.stories_overview()
        assert [r["id"] for r in overview] == ["s1", "s2"] and store.story_ids() == ["s1", "s2"]
        assert overview[0]["first_seen"] == (WHEN - timedelta(days=1)).isoformat()
        assert overview[0]["last_seen"] == WHEN.isoformat() and overview[0]["sources"] == 3
        assert overview[1]["first_seen_source"] == "stored"


def test_dedup_states_load_in_the_order_saved_a_rewrite_moves_last(store_db):
    with open_store(store_db) as store:
        with store.transaction():
            for i in range(3):
                store.add_article(Article(id=f"a{i}", text="x"))
                store.add_duplicate(Duplicate(f"a{i}", None, "original"), f"s{i}".encode())
            store.add_duplicate(Duplicate("a0", "a1", "near", 0.9), b"again")
        assert [i for i, _ in store.dedup_states()] == ["a1", "a2", "a0"]
        assert store.duplicates()["a0"] == Duplicate("a0", "a1", "near", 0.9)


texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=200)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(text=texts.filter(lambda t: t.strip()), title=st.none() | texts, site=st.none() | texts,
       published=st.none() | st.datetimes(timezones=st.just(timezone.utc)))
def test_store_round_trips_articles(store_db, text, title, site, published):
    article = Article(id="x" + str(abs(hash((text, title, site, published)))), text=text, title=title, site=site,
                      published=published)
    with open_store(store_db) as store:
        with store.transaction():
            store.add_article(article)
        assert store.article(article.id) == article


def test_work_left_by_a_killed_run_is_pending(store_db):
    with open_store(store_db) as store:
        with store.transaction():
            store.add_article(Article(id="a1", text="x"))
            store.add_article(Article(id="a2", text="y", published=datetime(2024, 5, 1, 12, tzinfo=timezone.utc)))
            store.add_duplicate(Duplicate("a2", None, "original"))
        assert [a.id for a in store.pending_dedup()] == ["a1"]
        assert [a.id for a in store.pending_cluster()] == ["a2"]
        assert store.pending_ids("dedup") == [("a1", None)]  # what a run reads first, without the texts
        assert store.pending_ids("cluster") == [("a2", datetime(2024, 5, 1, 12, tzinfo=timezone.utc))]
        with pytest.raises(ValueError):
            store.pending_ids("brief")


def test_runs_failures_and_cluster_state(store_db):
    with open_store(store_db) as store:
        first, second = store.start_run({"k": 1}, ["in"]), store.start_run({}, [])
        assert second == first + 1
        with store.transaction():
            store.add_failure(first, Drop("p.html", "too_short", "12 words"))
            store.set_cluster_state(b"\x00blob")
            store.set_cluster_state(b"\x01blob")
        store.finish_run(first, {"articles": 0})
        assert store.count("failures") == 1 and store.cluster_state() == b"\x01blob"
        with store.transaction():
            store.set_cluster_state(None)
        assert store.cluster_state() is None
        with pytest.raises(StoreError):
            store.count("runs; DROP TABLE articles")


def test_analyst_edits(store_db):
    with open_store(store_db) as store:
        with store.transaction():
            for i, story in enumerate(["s1", "s1", "s2"]):
                store.add_article(Article(id=f"a{i}", text=f"t{i}", published=WHEN + timedelta(hours=i)))
                store.set_story(f"a{i}", story, WHEN + timedelta(hours=i))
        assert edits.merge_stories(store, "s1", "s2")["moved"] == 1
        assert store.resolve_story("s2") == "s1" and store.story_members("s1") == ["a0", "a1", "a2"]
        assert store.stories_overview()[0]["last_seen"] == (WHEN + timedelta(hours=2)).isoformat()
        assert edits.exclude_article(store, "s1", "a2") == {"story": "s1", "excluded": "a2", "articles": 2}
        assert store.story_of("a2") == "xa2" and sorted(store.stale_briefs()) == ["s1", "xa2"]


def test_ingest_state_commits_once(store_db):
    with open_store(store_db) as store:
        state = SqliteIngestState(store)
        state.put("https://example.org/rss", '"etag"', None)
        state.mark("entry-1")
        assert store.count("articles") == 0 and not SqliteIngestState(store).seen("entry-1")
        state.commit()
        state.put("https://example.org/rss", '"etag2"', "Mon")
        state.mark("entry-1")
        state.commit()
        again = SqliteIngestState(store)
        assert again.get("https://example.org/rss") == ('"etag2"', "Mon") and again.seen("entry-1")


def test_read_queries(store_db):
    with open_store(store_db) as store:
        with store.transaction():
            for i, site in enumerate(["b.example", "a.example", None]):
                store.add_article(Article(id=f"a{i}", text=f"senate vote number {i}", site=site, published=WHEN))
                store.add_duplicate(Duplicate(f"a{i}", "a0" if i == 2 else None, "near" if i == 2 else "original"))
                store.set_story(f"a{i}", "s1", WHEN)
            store.set_brief(Brief(story="s1", headline="Vote", summary=(Cited("The senate voted.", ("a0",)),)))
        rows, total = read.list_stories(store)
        assert total == 1 and rows[0]["sites"] == ["a.example", "b.example"] and rows[0]["sources"] == 2
        assert rows[0]["teaser"] == "The senate voted."
        assert read.sources(store) == ["a.example", "b.example"]
        assert [c["id"] for c in read.lineage(store, "a0")["copied_by"]] == ["a2"]
        found, used = read.search(store, "senate")
        assert {r["id"] for r in found} == {"a0", "a1", "a2"} and "\x02" in found[0]["snippet"]
        assert read.search(store, 'senate "vote')[0]  # unbalanced quote: answered, not an error
