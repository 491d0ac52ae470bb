"""A PostgreSQL store outliving its connections and its schema: a transaction whose connection the server drops is
run again from its start and writes once; a kept read-only store notices that another process migrated the
database. The server drops a connection here as a restart would, by ``pg_terminate_backend``."""
import threading
import time
from contextlib import contextmanager

import pytest

from newsfuse.errors import StoreError
from newsfuse.records import Article, Drop
from newsfuse.store import open_store
from newsfuse.store.schema import SCHEMA_VERSION

from .test_postgres import terminate_others


def rows(url: str, sql: str) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql).fetchone()[0]


def test_a_transaction_whose_connection_drops_runs_again_and_writes_once(postgres_url):
    """The first attempt's writes (a failure row, which nothing keys, and an article) are rolled back with the
    connection; the second attempt, on a new connection, commits them once."""
    with open_store(postgres_url) as store:
        run_id = store.start_run({}, [])
        attempts = []

        def body() -> str:
            attempts.append(len(attempts))
            store.add_failure(run_id, Drop("page.html", "too_short"))
            store.add_article(Article(id="a1", text="x"))
            if len(attempts) == 1:
                assert terminate_others(postgres_url) == 1
            store.add_article(Article(id="a2", text="y"))
            return "stored"

        assert store.run_in_transaction(body) == "stored"
        assert attempts == [0, 1]
        assert store.count("failures") == 1 and store.count("articles") == 2 and store.changes() == 1


# A commit that waits in a deferred trigger, long enough for the test to end the server process while it commits.
SLOW_COMMIT = """
CREATE TABLE slow_commit (x integer);
CREATE FUNCTION slow_commit_wait() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_sleep(0.5); RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER slow_commit_wait AFTER INSERT ON slow_commit DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION slow_commit_wait();
"""


def terminate_when_committing(url: str, ended: list[int]) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for _ in range(200):
            ended += [r[0] for r in conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event = 'PgSleep' AND query ILIKE 'commit%'")]
            if ended:
                return
            time.sleep(0.02)


def test_a_connection_lost_while_committing_runs_the_transaction_again(postgres_url):
    """The server ended the transaction without committing it: it is looked up, found aborted, run again."""
    with open_store(postgres_url) as store:
        store.db.execute(SLOW_COMMIT)
        attempts, ended = [], []
        killer = threading.Thread(target=terminate_when_committing, args=(postgres_url, ended))
        killer.start()

        def body() -> None:
            attempts.append(1)
            store.db.execute("INSERT INTO slow_commit (x) VALUES (1)")

        store.run_in_transaction(body)
        killer.join(10)
        assert ended == [True] and len(attempts) == 2
        assert store.db.execute("SELECT count(*) FROM slow_commit").fetchone()[0] == 1


def test_a_commit_whose_answer_was_lost_is_not_run_again(postgres_url, monkeypatch):
    """The COMMIT landed and then the connection went, before its answer: the transaction is found committed by
    its id, and the body is not run a second time (a second run would write a second failure row)."""
    import psycopg

    from newsfuse.store.postgres import PgConnection

    committed = PgConnection.transaction

    @contextmanager
    def answer_lost(self):
        with committed(self):
            yield
        if self.depth == 0 and not lost:
            lost.append(True)
            self.conn.close()
            raise psycopg.OperationalError("server closed the connection unexpectedly")

    with open_store(postgres_url) as store:
        run_id, lost, attempts = store.start_run({}, []), [], []
        monkeypatch.setattr(PgConnection, "transaction", answer_lost)

        def body() -> int:
            attempts.append(1)
            store.add_failure(run_id, Drop("page.html", "too_short"))
            return 7

        assert store.run_in_transaction(body) == 7
        assert lost == [True] and len(attempts) == 1 and store.count("failures") == 1


def test_a_lost_connection_inside_exclusive_is_not_run_again(postgres_url):
    """The run's lock went with the connection: running the body again would run it without the lock."""
    with open_store(postgres_url) as store, pytest.raises(StoreError, match="lost the connection"):
        attempts = []

        def body() -> None:
            attempts.append(1)
            store.add_article(Article(id="a1", text="x"))
            terminate_others(postgres_url)
            store.add_article(Article(id="a2", text="y"))

        with store.exclusive():
            store.run_in_transaction(body)
    assert len(attempts) == 1 and rows(postgres_url, "SELECT count(*) FROM articles") == 0


def test_a_write_outside_a_transaction_after_a_drop_lands_once(postgres_url):
    with open_store(postgres_url) as store:
        run_id = store.start_run({}, [])
        assert terminate_others(postgres_url) == 1
        store.add_failure(run_id, Drop("page.html", "too_short"))
        assert store.count("failures") == 1


def migrate_elsewhere(url: str, version: int) -> None:
    """What a newer newsfuse opening the database does, as far as the schema version says."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE newsfuse_schema SET version = %s", (version,))


def test_a_kept_store_notices_a_migration_and_is_opened_again(postgres_url):
    from newsfuse.store.postgres import PgStorePool, PostgresStore

    open_store(postgres_url).close()
    pool = PgStorePool(recheck=60.0)
    first, second = PostgresStore(postgres_url, readonly=True), PostgresStore(postgres_url, readonly=True)
    pool.give(first)
    pool.give(second)
    migrate_elsewhere(postgres_url, SCHEMA_VERSION + 1)
    assert pool.take() is second  # checked less than a minute ago: not read again
    second.checked -= 60.0
    pool.give(second)
    assert pool.take() is None and pool.idle == []  # every kept store is closed, the caller opens one
    assert first.db.conn.closed and second.db.conn.closed
    with pytest.raises(StoreError, match=f"schema version {SCHEMA_VERSION + 1}, this newsfuse reads "
                                         f"{SCHEMA_VERSION}; upgrade newsfuse"):
        PostgresStore(postgres_url, readonly=True)
    migrate_elsewhere(postgres_url, SCHEMA_VERSION)
    third = PostgresStore(postgres_url, readonly=True)
    third.checked -= 60.0
    pool.give(third)
    assert pool.take() is third and not third.db.lost()  # found current, kept in use


def test_a_running_server_answers_503_after_a_migration_to_a_newer_schema(postgres_url, caplog):
    """``newsfuse serve`` keeps its connections; another process migrating the database is noticed within a
    second: the requests after it are refused with the reason logged, until the schema is one it reads."""
    from fastapi.testclient import TestClient

    from newsfuse.web import create_app

    with open_store(postgres_url) as store:
        store.add_article(Article(id="a1", text="senate vote"))
    with TestClient(create_app(postgres_url, cache_mb=0)) as client:
        assert client.get("/api/search", params={"q": "senate"}).status_code == 200
        migrate_elsewhere(postgres_url, SCHEMA_VERSION + 1)
        time.sleep(1.1)
        assert client.get("/api/search", params={"q": "senate"}).status_code == 503
        assert "upgrade newsfuse" in caplog.text
        migrate_elsewhere(postgres_url, SCHEMA_VERSION)
        assert client.get("/api/search", params={"q": "senate"}).status_code == 200


def test_a_transaction_lost_every_time_fails_after_the_retries(postgres_url):
    from newsfuse.store.postgres import PostgresStore

    attempts = []

    def body() -> None:
        attempts.append(1)
        store.add_article(Article(id=f"a{len(attempts)}", text="x"))
        terminate_others(postgres_url)
        store.add_article(Article(id="last", text="y"))

    with PostgresStore(postgres_url, delays=(0.01, 0.01)) as store:
        with pytest.raises(StoreError, match="lost the connection inside a transaction") as caught:
            store.run_in_transaction(body)
        assert len(attempts) == 3 and "\n" not in str(caught.value) and store.count("articles") == 0


def test_a_run_whose_connection_drops_goes_on_from_what_it_committed(postgres_url, tmp_path, monkeypatch, caplog):
    """The server drops the run's connection while it stores a batch, places articles and stores a brief (once
    each): the batch runs again, the phases start again from their last commit under the lock taken again, and the
    run ends with what an uninterrupted run gives (on SQLite): every article once, the same copies, stories and
    briefs, the counts of the attempts that committed."""
    import json
    import logging
    from dataclasses import replace
    from datetime import timedelta

    from newsfuse.cluster import evaluate
    from newsfuse.config import Config
    from newsfuse.executors import SerialExecutor
    from newsfuse.pipeline import Runner
    from newsfuse.store import SqliteStore
    from newsfuse.store.postgres import PostgresStore

    from ..conftest import DATA

    articles = evaluate.events_dated(DATA)[0][:24]
    copies = [replace(a, id=a.id + "-copy", published=a.published + timedelta(hours=5)) for a in articles[::8]]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"id": a.id, "title": a.title, "text": a.text,
                                        "published": a.published.isoformat()}) + "\n" for a in articles + copies))

    def outcome(store):
        ids = [a.id for a in articles + copies]
        briefs = {s: [line.text for line in store.brief(s).summary] for s in store.story_ids()}
        return ({i: store.story_of(i) for i in ids}, {i: d.duplicate_of for i, d in store.duplicates().items()},
                briefs, store.count("articles"))

    with SqliteStore(tmp_path / "clean.db") as store:
        clean = Runner(store, Config(), SerialExecutor()).run([path])
        expected = outcome(store)
    dropped: list[str] = []
    for name in ("add_article", "set_story", "set_brief"):
        real = getattr(PostgresStore, name)

        def once(self, *args, _real=real, _name=name):
            if _name not in dropped:
                dropped.append(_name)
                assert terminate_others(postgres_url) == 1
            return _real(self, *args)

        monkeypatch.setattr(PostgresStore, name, once)
    with caplog.at_level(logging.WARNING, logger="newsfuse"), open_store(postgres_url) as store:
        report = Runner(store, Config(), SerialExecutor()).run([path])
        monkeypatch.undo()
        assert dropped == ["add_article", "set_story", "set_brief"]
        assert outcome(store) == expected
        assert store.count("failures") == 0 and rows(postgres_url, "SELECT count(*) FROM articles") == 27
    assert report.counts() == clean.counts()
    assert sum("lost the store's connection" in r.message for r in caplog.records) == 2  # the phases, twice
