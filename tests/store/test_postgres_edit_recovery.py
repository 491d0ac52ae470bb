"""Analyst edits and the ingest state outliving a dropped PostgreSQL connection: each is one
``run_in_transaction``, so the server dropping the connection before the commit runs it again on a new connection,
and a commit whose answer was lost is looked up rather than applied twice. The outcome is the one an uninterrupted
edit or commit gives (on SQLite)."""
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest

from newsfuse.records import Article, Brief
from newsfuse.store import SqliteStore, edits, open_store
from newsfuse.store.base import SqlStore
from newsfuse.store.ingest_state import SqliteIngestState

from .test_postgres import terminate_others

WHEN = datetime(2024, 5, 1, 8, tzinfo=timezone.utc)
EDITS = {
    "merge": lambda store: edits.merge_stories(store, "s1", "s2"),
    "split": lambda store: edits.split_articles(store, "s1", ["a1", "a2"]),
    "exclude": lambda store: edits.exclude_article(store, "s1", "a0"),
}


def fill(store) -> None:
    """Stories s1 (a0, a1, a2) and s2 (a3), with a brief each, related links and a saved assigner state."""
    with store.transaction():
        for i, story in enumerate(["s1", "s1", "s1", "s2"]):
            store.add_article(Article(id=f"a{i}", text=f"senate vote {i}", published=WHEN + timedelta(hours=i)))
            store.set_story(f"a{i}", story, WHEN + timedelta(hours=i))
        for story in ("s1", "s2"):
            store.set_brief(Brief(story=story, headline=f"headline of {story}"))
        store.set_related({"s1": [("s2", 0.5)]})
        store.set_cluster_state(b"\x01state")


def outcome(store) -> tuple:
    """What an edit leaves: memberships, aliases, stories with their spans and marks, briefs, links, state."""
    def table(sql: str) -> list[tuple]:
        return [tuple(r) for r in store.db.execute(sql).fetchall()]

    return ({f"a{i}": store.story_of(f"a{i}") for i in range(4)},
            table("SELECT alias, story_id FROM story_aliases ORDER BY alias"),
            table("SELECT id, headline, first_seen, last_seen, brief_stale, related_stale FROM stories ORDER BY id"),
            table("SELECT story_id FROM briefs ORDER BY story_id"),
            table("SELECT story_id, other_id FROM story_related ORDER BY story_id, other_id"),
            store.cluster_state())


def uninterrupted(tmp_path, action: str) -> tuple:
    with SqliteStore(tmp_path / f"{action}.db") as store:
        fill(store)
        return EDITS[action](store), outcome(store)


@pytest.mark.parametrize("action", sorted(EDITS))
def test_an_edit_whose_connection_drops_runs_again_and_applies_once(postgres_url, tmp_path, monkeypatch, action):
    """The server drops the connection inside the edit's transaction, at its last write (every change before it is
    rolled back): the edit runs again on a new connection and leaves what an uninterrupted edit leaves."""
    from newsfuse.store.postgres import PostgresStore

    expected = uninterrupted(tmp_path, action)
    real, calls = PostgresStore.set_cluster_state, []

    def dropped_once(self, state):
        calls.append(state)
        if len(calls) == 1:
            assert terminate_others(postgres_url) == 1
        return real(self, state)

    with open_store(postgres_url) as store:
        fill(store)
        monkeypatch.setattr(PostgresStore, "set_cluster_state", dropped_once)
        result = EDITS[action](store)
        monkeypatch.undo()
        assert (result, outcome(store)) == expected
    assert calls == [None, None]


@pytest.mark.parametrize("action", sorted(EDITS))
def test_an_edit_whose_commit_answer_was_lost_is_not_applied_twice(postgres_url, tmp_path, monkeypatch, action):
    """The COMMIT landed and the connection went before its answer: the edit is found committed and returns its
    result, where a second run would find the articles moved (and fail: nothing to merge, no such article)."""
    import psycopg

    from newsfuse.store.postgres import PgConnection

    expected = uninterrupted(tmp_path, action)
    committed, lost, runs = PgConnection.transaction, [], []

    @contextmanager
    def answer_lost(self):
        with committed(self):
            yield
        if self.depth == 0 and not lost:
            lost.append(True)
            self.conn.close()
            raise psycopg.OperationalError("server closed the connection unexpectedly")

    def resolve(self, story_id):
        runs.append(story_id)
        return SqlStore.resolve_story(self, story_id)

    with open_store(postgres_url) as store:
        fill(store)
        monkeypatch.setattr(PgConnection, "transaction", answer_lost)
        monkeypatch.setattr(type(store), "resolve_story", resolve)
        result = EDITS[action](store)
        monkeypatch.undo()
        assert (result, outcome(store)) == expected
    assert lost == [True] and runs == (["s1", "s2"] if action == "merge" else ["s1"])


def ingest_state(store) -> tuple:
    state = SqliteIngestState(store)
    return (state.get("https://example.org/rss"), state.get("https://example.org/atom"),
            state.seen("entry-1"), state.seen("entry-2"),
            *(store.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("fetch_state", "feed_seen")))


def learn(store) -> None:
    """A poll's validators and seen entries, committed; the second poll re-learns one of each."""
    for etag, entries in (('"v1"', ["entry-1"]), ('"v2"', ["entry-1", "entry-2"])):
        state = SqliteIngestState(store)
        state.put("https://example.org/rss", etag, "Wed, 01 May 2024 08:00:00 GMT")
        state.put("https://example.org/atom", None, None)
        for entry in entries:
            state.mark(entry)
        state.commit()


def test_an_ingest_state_commit_whose_connection_drops_is_written_once(postgres_url, tmp_path, monkeypatch):
    """The server drops the connection between the validators' and the seen entries' writes of each commit: each
    commit is written again on a new connection, and the state read back is SQLite's."""
    from newsfuse.store.postgres import PgConnection

    with SqliteStore(tmp_path / "state.db") as store:
        learn(store)
        expected = ingest_state(store)
    real, calls = PgConnection.executemany, []

    def dropped_on_seen(self, sql, rows):
        calls.append(sql.split()[2])
        if "feed_seen" in sql and calls.count("feed_seen") in (1, 3):
            assert terminate_others(postgres_url) == 1
        return real(self, sql, rows)

    with open_store(postgres_url) as store:
        monkeypatch.setattr(PgConnection, "executemany", dropped_on_seen)
        learn(store)
        monkeypatch.undo()
        assert ingest_state(store) == expected
    assert calls == ["fetch_state", "feed_seen"] * 4
