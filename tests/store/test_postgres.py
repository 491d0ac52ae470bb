"""What only the PostgreSQL store does: its migrations, its translation of the shared SQL, its locks, and what it
does when the server goes away (retried with backoff, then one line naming the host and never the password)."""
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from newsfuse.errors import MissingDependencyError, StoreError
from newsfuse.records import Article
from newsfuse.store import open_store, store_exists
from newsfuse.store.location import display_url, is_postgres_url
from newsfuse.store.schema import MIGRATIONS, SCHEMA_VERSION


def postgres():
    from newsfuse.store import postgres as module

    return module


def test_the_migrations_of_both_backends_end_at_one_version():
    from newsfuse.store.pg_schema import PG_MIGRATIONS

    assert max(PG_MIGRATIONS) == max(MIGRATIONS) == SCHEMA_VERSION


def test_urls_are_told_apart_and_shown_without_the_password():
    assert is_postgres_url("postgresql://u@h/db") and is_postgres_url("postgres://h/db")
    assert not is_postgres_url("news.db") and not is_postgres_url("postgresql:/h/db")
    assert display_url("postgresql://ann:s3cret@db.example:5433/news?sslmode=require&password=x") == \
        "postgresql://ann@db.example:5433/news?sslmode=require"


def test_placeholders_become_psycopg_ones_outside_string_literals():
    to_psycopg = postgres().to_psycopg
    assert to_psycopg("SELECT ? WHERE a LIKE 'x%' AND b='?' AND c=?") == \
        "SELECT %s WHERE a LIKE 'x%%' AND b='?' AND c=%s"


def test_a_missing_driver_names_the_pip_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'newsfuse\[postgresql\]'"):
        open_store("postgresql://u@127.0.0.1:1/db")


def test_an_unreachable_server_is_retried_then_one_line_with_the_host_not_the_password():
    started = time.monotonic()
    with pytest.raises(StoreError) as caught:
        postgres().PostgresStore("postgresql://ann:s3cret@127.0.0.1:1/news", delays=(0.05, 0.1))
    message = str(caught.value)
    assert time.monotonic() - started >= 0.15  # it waited between the three attempts
    assert "127.0.0.1" in message and "after 3 attempts" in message and "s3cret" not in message
    assert "\n" not in message


def test_schema_is_created_once_by_concurrent_openers(postgres_url):
    errors = []

    def open_one():
        try:
            open_store(postgres_url).close()
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with open_store(postgres_url) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.db.execute("SELECT count(*) FROM newsfuse_schema").fetchone()[0] == 1


def test_a_newer_schema_is_refused_and_readonly_needs_the_schema(postgres_url):
    assert not store_exists(postgres_url)
    with pytest.raises(StoreError, match="schema version 0"):
        open_store(postgres_url, readonly=True)
    with open_store(postgres_url) as store:
        store.db.execute("UPDATE newsfuse_schema SET version=?", (SCHEMA_VERSION + 1,))
    assert store_exists(postgres_url)
    with pytest.raises(StoreError, match="newer"):
        open_store(postgres_url)


def test_a_readonly_store_refuses_writes(postgres_url):
    open_store(postgres_url).close()
    with open_store(postgres_url, readonly=True) as store, pytest.raises(StoreError, match="read-only"):
        with store.transaction():
            store.add_article(Article(id="a1", text="x"))


def test_text_with_nul_is_refused_before_the_statement(postgres_url):
    with open_store(postgres_url) as store:
        with store.transaction():
            with pytest.raises(ValueError, match="NUL"):
                store.add_article(Article(id="a1", text="x\x00y"))
            assert store.add_article(Article(id="a2", text="fine"))  # the transaction goes on
        assert store.count("articles") == 1


def terminate_others(url: str) -> int:
    """Ends every other session on the store's database, as a server restart or a network cut would."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()[0]


def test_a_connection_dropped_between_transactions_is_opened_again(postgres_url):
    with open_store(postgres_url) as store:
        with store.transaction():
            store.add_article(Article(id="a1", text="x"))
        assert terminate_others(postgres_url) == 1
        assert store.count("articles") == 1  # a read reconnects
        assert terminate_others(postgres_url) == 1
        with store.transaction():  # so does the start of a transaction
            store.add_article(Article(id="a2", text="y"))
        assert store.count("articles") == 2


def test_a_connection_dropped_inside_a_transaction_fails_it_in_one_line(postgres_url):
    with open_store(postgres_url) as store:
        with pytest.raises(StoreError) as caught:
            with store.transaction():
                store.add_article(Article(id="a1", text="x"))
                terminate_others(postgres_url)
                store.add_article(Article(id="a2", text="y"))
        assert "127.0.0.1" in str(caught.value) and "\n" not in str(caught.value)
        assert store.count("articles") == 0  # rolled back; the store answers again


def test_runs_take_turns_through_the_advisory_lock(postgres_url):
    order = []
    with open_store(postgres_url) as first, open_store(postgres_url) as second:
        def later():
            with second.exclusive():
                order.append("second")

        with first.exclusive():
            thread = threading.Thread(target=later)
            thread.start()
            time.sleep(0.3)
            order.append("first")
        thread.join(10)
    assert order == ["first", "second"]


def test_a_version_7_store_upgrades_and_counts_committed_writes(postgres_url):
    """Schema 8 adds the change counter the web UI's snapshot watches: a store made at version 7 (the migrations
    up to 7, with an article) upgrades in place, and then every committed write moves the counter by one."""
    import psycopg

    from newsfuse.store.pg_schema import PG_MIGRATIONS

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        for version in (5, 6, 7):
            conn.execute(PG_MIGRATIONS[version])
        conn.execute("UPDATE newsfuse_schema SET version=7")
        conn.execute("INSERT INTO articles (id, text, added) VALUES ('old', 'kept', '2024-01-01T00:00:00+00:00')")
    with pytest.raises(StoreError, match="schema version 7"):
        open_store(postgres_url, readonly=True)
    with open_store(postgres_url) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.article("old").text == "kept" and store.changes() == 0
        with store.transaction():  # several statements and tables: one transaction, one step
            store.add_article(Article(id="a1", text="x"))
            store.set_story("a1", "s1", None)
        assert store.changes() == 1
        store.add_article(Article(id="a2", text="y"))  # a statement outside a transaction commits by itself
        assert store.changes() == 2
        assert not store.add_article(Article(id="a2", text="y"))  # nothing written, nothing counted
        with store.transaction():
            store.has_article("a1")
        with pytest.raises(StoreError), store.transaction():  # rolled back: not counted
            store.add_article(Article(id="a3", text="z"))
            store.db.execute("SELECT 1/0")
        assert store.changes() == 2
    with open_store(postgres_url, readonly=True) as reader:
        assert reader.changes() == 2


def test_a_writer_does_not_wait_for_another_ones_open_transaction(postgres_url):
    """The counter's row is taken only while committing: a writer whose transaction stays open does not hold up
    another one's commit (as two runs storing articles at once), and both count."""
    open_store(postgres_url).close()
    done, errors = [], []

    def write(name: str, delay: float, hold: float) -> None:
        try:
            time.sleep(delay)
            with open_store(postgres_url) as store, store.transaction():
                store.add_article(Article(id=name, text=name))
                time.sleep(hold)
            done.append(name)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=write, args=("slow", 0.0, 2.0)),
               threading.Thread(target=write, args=("quick", 0.5, 0.0))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not errors and done == ["quick", "slow"]
    with open_store(postgres_url) as store:
        assert store.count("articles") == 2 and store.changes() == 2


def test_a_version_8_store_upgrades_with_the_index_search_reads(postgres_url):
    """Schema 9 adds ``articles_newest``, the order a search takes its candidates in: a store made at version 8
    upgrades in place and still finds its articles."""
    import psycopg

    from newsfuse.store.pg_schema import PG_MIGRATIONS

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        for version in (5, 6, 7, 8):
            conn.execute(PG_MIGRATIONS[version])
        conn.execute("UPDATE newsfuse_schema SET version=8")
        conn.execute("INSERT INTO articles (id, text, added) VALUES ('old', 'senate kept', '2024-01-01T00:00:00Z')")
    with open_store(postgres_url) as store:
        assert store.schema_version() == SCHEMA_VERSION == 9
        assert store.db.execute("SELECT to_regclass('articles_newest')").fetchone()[0] is not None
        assert [r[0] for r in store.search("senate")] == ["old"]


# Senate said once, twice, ... six times: the more often, the higher ts_rank_cd puts it; the older, the more often.
def _senate_articles() -> list[Article]:
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    dated = [Article(id=f"d{i}", text=" ".join(["senate vote"] * (6 - i) + ["budget talks"] * i),
                     published=start + timedelta(days=i)) for i in range(6)]
    return dated + [Article(id="u0", text="senate senate senate senate senate senate senate")]


def _ranked_by_every_match(store, query: str) -> list[str]:
    return [r[0] for r in store.db.execute(
        "SELECT a.id FROM articles a, websearch_to_tsquery('simple', ?) AS q WHERE a.fts @@ q "
        "ORDER BY ts_rank_cd(a.fts, q) DESC, a.id", (query,))]


# Both ways of taking the candidates (articles_newest read until enough match, or every match sorted) give them.
@pytest.mark.parametrize("newest_first", [False, True])
def test_search_with_fewer_matches_than_candidates_ranks_them_all(postgres_url, monkeypatch, newest_first):
    monkeypatch.setattr(postgres().PostgresStore, "newest_first", lambda self, query: newest_first)
    with open_store(postgres_url) as store:
        with store.transaction():
            for article in _senate_articles():
                store.add_article(article)
        found = [r["id"] for r in store.match("senate", 20)]
        assert found == _ranked_by_every_match(store, "senate") == ["u0", "d0", "d1", "d2", "d3", "d4", "d5"]
        assert [r["id"] for r in store.match("senate", 2, offset=2)] == found[2:4]


def _three_candidates(url: str, monkeypatch, newest_first: bool):
    """A store of the senate articles whose searches rank 3 candidates, taken one way or the other."""
    monkeypatch.setattr(postgres(), "SEARCH_CANDIDATES", 3)
    monkeypatch.setattr(postgres().PostgresStore, "newest_first", lambda self, query: newest_first)
    store = open_store(url)
    with store.transaction():
        for article in _senate_articles():
            store.add_article(article)
    return store


@pytest.mark.parametrize("newest_first", [False, True])
def test_search_with_more_matches_ranks_the_newest_candidates(postgres_url, monkeypatch, newest_first):
    """Past SEARCH_CANDIDATES matches, only the newest published (undated last) are ranked: d0-d2 and the
    undated u0 rank higher over every match, but are not among the three newest."""
    with _three_candidates(postgres_url, monkeypatch, newest_first) as store:
        assert [r["id"] for r in store.match("senate", 20)] == ["d3", "d4", "d5"]
        assert [r["id"] for r in store.match("senate", 20, offset=3)] == []
        assert [r["id"] for r in store.match("budget", 20)] == ["d5", "d4", "d3"]  # 5 matches: the 3 newest


def test_a_word_in_most_articles_reads_the_newest_first(postgres_url, monkeypatch):
    """Of 300 articles, 294 say senate: reading the newest until 10 match beats sorting 294; 6 say budget."""
    monkeypatch.setattr(postgres(), "SEARCH_CANDIDATES", 10)
    with open_store(postgres_url) as store:
        with store.transaction():
            for i in range(300):
                store.add_article(Article(id=f"a{i}", text="senate vote" if i % 50 else "budget talks"))
        store.db.execute("ANALYZE articles")
        assert store.newest_first("senate") and not store.newest_first("budget")
        assert not store.newest_first('"')  # no word at all: nothing to read


@pytest.mark.parametrize("newest_first", [False, True])
def test_an_alert_over_every_story_matches_the_newest_candidates(postgres_url, monkeypatch, newest_first):
    """An alert's feed (every story) lists the stories of the articles a search would rank, newest activity first;
    an alert over the stories a run touched (given ids) still matches every article of them."""
    from newsfuse.store.alerts import query_matches

    with _three_candidates(postgres_url, monkeypatch, newest_first) as store:
        with store.transaction():
            for article in _senate_articles():
                store.set_story(article.id, "s" + article.id, article.published)
        assert query_matches(store, "senate", None) == ["sd5", "sd4", "sd3"]
        assert query_matches(store, "senate", None, limit=2) == ["sd5", "sd4"]
        assert query_matches(store, "budget", None) == ["sd5", "sd4", "sd3"]  # 5 matches: the 3 newest
        every = ["sd5", "sd4", "sd3", "sd2", "sd1", "sd0", "su0"]
        assert query_matches(store, "senate", every) == every
