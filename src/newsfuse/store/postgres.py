"""PostgreSQL store (psycopg 3): the SQLite store's tables and queries over a server many processes share.

``--db postgresql://USER@HOST:PORT/DB`` selects it (``open_store``). The shared SQL of ``base.py`` and
``read.py`` reaches the server through ``PgConnection``, which turns ``?`` into psycopg's ``%s`` and hands out
rows readable by name and by position, as ``sqlite3.Row`` is. Two runs writing at once take turns from their
dedup phase on (``exclusive``: a session advisory lock); storing articles needs no turn (``ON CONFLICT DO
NOTHING``). A connection the server dropped between transactions is opened again with backoff. One dropped
inside a transaction rolls it back: a body given to ``run_in_transaction`` runs again from its start on a new
connection (``PgConnection.run``), a ``with transaction()`` block fails with one line naming the host (a rerun
redoes it). A run stores its batches with ``run_in_transaction`` and starts its dedup-to-briefs phases again from
what they committed (``Runner``); the ingest state is one ``run_in_transaction``, and so is each analyst edit, under
the run lock taken for that transaction (``run_exclusive``). Messages never carry the password.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from functools import lru_cache, partial
from typing import Any, TypeVar
from urllib.parse import urlsplit

import psycopg

from ..errors import StoreError
from ..records import Article, Drop
from .base import LOCK_POLL, SEARCH_CANDIDATES, SqlStore, run_busy
from .location import display_url
from .pg_schema import PG_MIGRATIONS
from .pool import StorePool
from .schema import SCHEMA_VERSION

# Seconds to wait before each new attempt to connect: six tries over about eight seconds.
RETRY_DELAYS = (0.25, 0.5, 1.0, 2.0, 4.0)
# Advisory lock keys (any two fixed integers): one run at a time from dedup on; one migration at a time.
_RUN_LOCK, _MIGRATE_LOCK = 0x6E657773_66757365, 0x6E657773_6D696772
# SQLSTATE classes of a server that may accept the same connection soon: 08 connection, 53 resources, 57P01-03
# shutting down or starting up. Anything else the server answered (a wrong password, no such database) is final.
_TRANSIENT = re.compile(r"^(08|53|57P0[1-3])")
_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\?|%")
_READ = re.compile(r"^\s*(SELECT|WITH)\b", re.IGNORECASE)
# Statements that change nothing, so sending one again after a lost connection is safe (the WITH statements of the
# shared SQL only read).
_REPEATABLE = re.compile(r"^\s*(SELECT|WITH|EXPLAIN)\b", re.IGNORECASE)
T = TypeVar("T")


def _first_line(exc: BaseException, secret: str | None) -> str:
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return text.replace(secret, "***") if secret else text


@lru_cache(maxsize=1024)
def to_psycopg(sql: str) -> str:
    """``?`` placeholders as ``%s`` and every ``%`` as ``%%``; a ``?`` inside a string literal stays."""
    return _PLACEHOLDER.sub(lambda m: "%s" if m[0] == "?" else m[0].replace("%", "%%"), sql)


class Row(tuple):
    """A result row: by position (``row[0]``), by column name (``row["id"]``), and ``dict(row)``."""

    _index: dict[str, int]

    def __new__(cls, values: Sequence[Any], index: dict[str, int]) -> "Row":
        row = super().__new__(cls, values)
        row._index = index
        return row

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        return tuple.__getitem__(self, self._index[key] if isinstance(key, str) else key)

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor: Any) -> Any:
    index = {column.name: i for i, column in enumerate(cursor.description or ())}
    return lambda values: Row(values, index)


class PgConnection:
    """The few methods of ``sqlite3.Connection`` the shared SQL uses, over psycopg in autocommit mode: a
    statement outside ``transaction()`` commits by itself, as SQLite's do outside ``with db``."""

    def __init__(self, url: str, readonly: bool = False, delays: Sequence[float] = RETRY_DELAYS) -> None:
        self.url, self.readonly, self.delays = url, readonly, tuple(delays)
        self.display = display_url(url)
        self.secret = urlsplit(url).password
        self.depth = 0  # open transaction() blocks and held locks: no silent reconnect while any is open
        self.conn = self._connect()

    def _connect(self) -> psycopg.Connection:
        options = "-c default_transaction_read_only=on" if self.readonly else None
        for attempt, delay in enumerate((0.0, *self.delays), start=1):
            time.sleep(delay)
            try:
                return psycopg.connect(self.url, autocommit=True, connect_timeout=10, options=options,
                                       row_factory=_row_factory)
            except psycopg.Error as exc:
                final = exc.sqlstate is not None and not _TRANSIENT.match(exc.sqlstate)
                if final or attempt > len(self.delays):
                    tries = "" if final else f" after {attempt} attempts"
                    raise StoreError(f"cannot connect to the PostgreSQL store {self.display}{tries}: "
                                     f"{_first_line(exc, self.secret)}") from exc
        raise AssertionError("unreachable")

    def lost(self) -> bool:
        return self.conn.closed or self.conn.broken

    def reopen(self) -> None:
        """A new connection in place of a lost one (with the connect retries and backoff)."""
        self.conn = self._connect()

    def execute(self, sql: str, params: Sequence[Any] | None = None, prepare: bool | None = None) -> psycopg.Cursor:
        """``prepare=False`` plans the statement for its parameters each time, where psycopg would prepare one it
        runs often and the server might keep a plan made for no parameter in particular."""
        if params and _READ.match(sql) and any(isinstance(p, str) and "\x00" in p for p in params):
            # PostgreSQL text holds no NUL, so no stored value equals or contains one: a read looking one up (an id
            # typed in a URL) finds no row, as it does in SQLite, where psycopg would refuse to send it. The
            # shared reads only ever match their parameters (=, LIKE, IN), never exclude them.
            return self.conn.execute("SELECT 1 WHERE false")
        query = to_psycopg(sql) if params else sql
        if not self.depth and not _REPEATABLE.match(sql):
            # A write outside transaction() commits by itself; as a transaction of its own it is sent again after a
            # lost connection only if it did not commit (``run``).
            return self.run(lambda: self._send(query, params, prepare))
        return self._send(query, params, prepare)

    def _send(self, query: str, params: Sequence[Any] | None, prepare: bool | None) -> psycopg.Cursor:
        try:
            return self.conn.execute(query, params or None, prepare=prepare)
        except psycopg.OperationalError as exc:
            if not self.lost():
                raise
            if self.depth:
                raise StoreError(f"{self.display}: lost the connection inside a transaction, which the server "
                                 f"rolled back (a rerun redoes it): {_first_line(exc, self.secret)}") from exc
        self.conn = self._connect()
        return self.conn.execute(query, params or None, prepare=prepare)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.conn.cursor() as cursor:
            cursor.executemany(to_psycopg(sql), rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with ExitStack() as stack:
            try:
                stack.enter_context(self.conn.transaction())
            except psycopg.OperationalError:  # BEGIN found the connection gone: nothing was sent inside it yet
                if self.depth or not self.lost():
                    raise
                self.conn = self._connect()
                stack.enter_context(self.conn.transaction())
            self.depth += 1
            try:
                yield
            finally:
                self.depth -= 1

    def run(self, body: Callable[[], T]) -> T:
        """``body()`` inside ``transaction()``, run again from its start on a new connection when the connection is
        lost before the commit is known to have happened (a server restart, ``pg_terminate_backend``, a network
        cut): the server rolled back what the lost attempt did, so the body must keep nothing of a run but its
        return value. A COMMIT whose answer was lost is looked up by transaction id (``txid_status``), not sent
        again, so the body's writes land once. Only the outermost transaction of a connection that holds no lock
        retries: inside another transaction or ``held()``, what came before is gone with the connection and the
        loss fails as it does in ``transaction()``. After ``len(delays)`` retries the last loss is raised."""
        if self.depth:
            with self.transaction():
                return body()
        for _ in range(len(self.delays) + 1):
            xid, committing = None, False
            try:
                with self.transaction():
                    result = body()
                    xid = self.execute("SELECT txid_current_if_assigned()").fetchone()[0]
                    committing = True
                return result
            except (psycopg.Error, StoreError) as exc:
                if not self.lost():
                    raise
                loss = exc
            self.conn = self._connect()
            if committing and (xid is None or self._committed(xid)):
                return result
        raise loss

    def _committed(self, xid: int) -> bool:
        """Whether transaction ``xid``, whose COMMIT went out on a connection lost before it answered, committed.
        The old server process may still be ending it: it is asked again after each delay."""
        for delay in (0.0, *self.delays):
            time.sleep(delay)
            status = self.execute("SELECT txid_status(?)", (xid,)).fetchone()[0]
            if status != "in progress":
                return status == "committed"
        raise StoreError(f"{self.display}: lost the connection while committing, and the server has not ended "
                         f"that transaction {sum(self.delays):.0f} s later; whether it committed is unknown")

    @contextmanager
    def held(self) -> Iterator[None]:
        """While inside, a lost connection is an error, not a reconnect (what it held is gone with it)."""
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1

    def close(self) -> None:
        self.conn.close()


class PostgresStore(SqlStore):
    """The Store on a PostgreSQL server. One connection; use as a context manager or call ``close()``."""

    least, greatest = "least", "greatest"
    state_order = "seq"
    fts_match = "a.fts @@ websearch_to_tsquery('simple', ?)"

    def __init__(self, url: str, *, readonly: bool = False, delays: Sequence[float] = RETRY_DELAYS) -> None:
        self.db = PgConnection(str(url), readonly, delays)
        self.path = self.db.display
        try:
            if readonly:
                self.check_schema()
            else:
                self.migrate()
        except StoreError:
            self.close()
            raise
        self.checked = time.monotonic()  # when the schema was last found to be this newsfuse's (PgStorePool)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all."""
        with self._translated():
            with self.db.transaction():
                yield

    def run_in_transaction(self, body: Callable[[], T]) -> T:
        """``body()`` in one transaction, run again on a new connection when the server drops the connection before
        the commit (``PgConnection.run``). Retried: ``start_run``, ``finish_run``, ``migrate``, adding and removing
        alerts, recording and marking alert hits outside a run's ``exclusive()``, a run's batches of new articles,
        analyst edits (``edits``, ``run_exclusive``), the ingest state's commit, and a write statement outside any
        transaction. Inside ``exclusive()`` (the parts of a run's phases, and the merges its assigner makes there) a
        loss fails with one line; the runner then starts its phases again (``Runner.PHASE_RETRIES``)."""
        with self._translated():
            return self.db.run(body)

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except psycopg.Error as exc:
            raise StoreError(f"{self.path}: {_first_line(exc, self.db.secret)}") from exc

    def connection_lost(self) -> bool:
        return self.db.lost()

    def run_exclusive(self, body: Callable[[], T], wait: float) -> T:
        """``body()`` in one ``run_in_transaction`` that first takes the run lock's key as a transaction-level
        advisory lock: it conflicts with a run's session lock (``exclusive``) and ends with the transaction, so an
        attempt run again on a new connection takes it again, and a commit whose answer was lost is looked up as
        for any body. The lock is tried every LOCK_POLL seconds for ``wait`` seconds, then StoreBusyError. Inside
        this store's ``exclusive()`` (a run's merges) the session holds the key already and is granted it at
        once; a lost connection there fails, as any transaction inside it does."""
        def locked() -> T:
            deadline = time.monotonic() + wait
            while not self.db.execute("SELECT pg_try_advisory_xact_lock(?)", (_RUN_LOCK,)).fetchone()[0]:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise run_busy(self.path, wait)
                time.sleep(min(LOCK_POLL, left))
            return body()

        return self.run_in_transaction(locked)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        if self.db.lost() and not self.db.depth:  # the lock went with the old connection: take it on a new one
            self.db.reopen()
        with self.db.held():
            self.db.execute("SELECT pg_advisory_lock(?)", (_RUN_LOCK,))
            try:
                yield
            finally:
                if not self.db.lost():
                    self.db.execute("SELECT pg_advisory_unlock(?)", (_RUN_LOCK,))

    def check_schema(self) -> None:
        """Raises StoreError unless the store has the schema this newsfuse reads."""
        version = self.schema_version()
        if version != SCHEMA_VERSION:
            hint = ("upgrade newsfuse (and restart a server reading the store)" if version > SCHEMA_VERSION else
                    "open it once without --readonly to create or migrate it")
            raise StoreError(f"{self.path}: schema version {version}, this newsfuse reads {SCHEMA_VERSION}; {hint}")

    def schema_version(self) -> int:
        if self.db.execute("SELECT to_regclass('newsfuse_schema')").fetchone()[0] is None:
            return 0
        return self.db.execute("SELECT max(version) FROM newsfuse_schema").fetchone()[0]

    def migrate(self) -> None:
        """Apply the migrations this store lacks, in order, each in its own transaction; a second process
        migrating at once waits for the first and then finds nothing left to do."""
        def step(version: int) -> None:
            self.db.execute("SELECT pg_advisory_xact_lock(?)", (_MIGRATE_LOCK,))
            current = self.schema_version()
            if current > SCHEMA_VERSION:
                raise StoreError(f"{self.path} has schema version {current}, newer than this newsfuse "
                                 f"({SCHEMA_VERSION}); upgrade newsfuse")
            if current < version:
                self.db.execute(PG_MIGRATIONS[version])
                self.db.execute("UPDATE newsfuse_schema SET version=?", (version,))

        for version in sorted(PG_MIGRATIONS):
            self.run_in_transaction(partial(step, version))

    def changes(self) -> int:
        """How many transactions wrote articles, their links, stories or briefs (a counter kept at each commit,
        ``pg_schema._V8``): a reader caching aggregates of those tables reads them again when it moves."""
        return self.db.execute("SELECT version FROM newsfuse_changes WHERE id = 1").fetchone()[0]

    def add_article(self, article: Article) -> bool:
        # PostgreSQL text holds no NUL character: such a record is refused before the statement, so the batch's
        # transaction goes on (a failed statement would abort it) and the run counts one store_error.
        for name in ("text", "title", "url", "site", "author", "language", "path"):
            if "\x00" in (getattr(article, name) or ""):
                raise ValueError(f"{name} holds a NUL character, which PostgreSQL text cannot store")
        return super().add_article(article)

    def add_failure(self, run_id: int, drop: Drop) -> None:
        super().add_failure(run_id, replace(drop, path=drop.path.replace("\x00", "\\x00"),
                                            detail=(drop.detail or "").replace("\x00", "\\x00")))

    def match(self, query: str, limit: int, offset: int = 0, marks: tuple[str, str] = ("[", "]"),
              tokens: int = 12) -> list[Any]:
        """Full-text matches, best first by ``ts_rank_cd`` (then id), among at most SEARCH_CANDIDATES of them: the
        newest published (undated last, then by id). A query with fewer matches ranks them all, in the order
        ranking every match gives; a word in many articles is answered from its newest matches, where ranking
        every one read each match's stored vector (``bench/README.md``, issues 22 and 23). Pages past the
        candidates are empty."""
        options = f'StartSel="{marks[0]}", StopSel="{marks[1]}", MaxWords={int(tokens)}, MinWords={int(tokens) // 2}'
        try:
            candidates, params = self.newest_matches(query)
            return self.db.execute(
                # The candidates carry their stored vector, expanded only to rank them; the page's rows come last.
                f"WITH ranked AS MATERIALIZED (SELECT c.id, ts_rank_cd(c.fts, q) AS rank FROM ({candidates}) c, "
                "websearch_to_tsquery('simple', ?) q ORDER BY rank DESC, c.id LIMIT ? OFFSET ?) "
                "SELECT a.id, a.title, a.site, a.published, a.url, a.path, "
                "ts_headline('simple', a.text, q, ?) AS snippet "
                "FROM ranked r JOIN articles a ON a.id = r.id, websearch_to_tsquery('simple', ?) q "
                "ORDER BY r.rank DESC, a.id",
                (*params, query, limit, offset, options, query), prepare=False).fetchall()
        except psycopg.Error as exc:
            raise StoreError(f"bad search query {query!r}: {_first_line(exc, self.db.secret)}") from exc

    def newest_matches(self, query: str) -> tuple[str, list[Any]]:
        """The candidates a search ranks, as a subquery and its parameters: ``id`` and ``fts`` of at most
        SEARCH_CANDIDATES articles matching the full-text ``query``, the newest published (undated last, then by
        id). An alert over the whole store (its feed) lists the stories of these (``alerts.query_matches``)."""
        # The same order either way; written on the bare column, ``articles_newest`` can give it.
        newest = "m.published" if self.newest_first(query) else "(m.published || '') COLLATE \"C\""
        return ("SELECT m.id, m.fts FROM articles m, websearch_to_tsquery('simple', ?) q WHERE m.fts @@ q "
                f"ORDER BY {newest} DESC NULLS LAST, m.id DESC LIMIT ?", [query, SEARCH_CANDIDATES])

    def newest_first(self, query: str) -> bool:
        """Whether a search takes its candidates by reading ``articles_newest`` until enough match, rather than
        all matches from the full-text index, sorted. The first reads each article's vector to test it, about
        SEARCH_CANDIDATES / share of the articles, the second each match's row, at about half the cost; the
        planner does not price the first's vector reads, so the choice is made here from its estimates of both
        counts (bench/README.md, issues 22 and 23, fifth session)."""
        plan = self.db.execute(
            "EXPLAIN (FORMAT JSON) SELECT 1 FROM articles WHERE fts @@ websearch_to_tsquery('simple', ?) "
            "UNION ALL SELECT 1 FROM articles", (query,), prepare=False).fetchone()[0][0]["Plan"]
        if len(plan.get("Plans", ())) != 2:  # not the two scans: a query the planner found can match nothing
            return False
        matches, total = (part["Plan Rows"] for part in plan["Plans"])
        return matches * matches > 2 * SEARCH_CANDIDATES * total


class PgStorePool(StorePool[PostgresStore]):
    """Read-only stores kept open between uses, for a server answering many short requests (``StorePool``):
    opening one costs a connection (TCP, authentication, a server process's start) and the schema check, more than
    a page's reads, and psycopg prepares a statement only after a connection ran it a few times. A store is kept
    unless its connection broke or was left inside a transaction.

    Another process may migrate the database while the stores are kept (a newer newsfuse opening it): ``take``
    checks the schema version of a store last checked ``recheck`` seconds ago or more (two one-row reads) and,
    when it moved, closes every kept store and gives None, so the caller opens one again, which reads the new
    schema or refuses it in one line (``check_schema``: upgrade newsfuse). Reads in the seconds between the
    migration and that check run on the schema as the migration left it."""

    def __init__(self, size: int = 16, recheck: float = 1.0) -> None:
        super().__init__(size)
        self.recheck = recheck

    def _current(self, store: PostgresStore) -> bool:
        if time.monotonic() - store.checked < self.recheck:
            return True
        try:
            store.check_schema()
        except (StoreError, psycopg.Error):
            return False
        store.checked = time.monotonic()
        return True

    def _reusable(self, store: PostgresStore) -> bool:
        return not store.db.lost() and store.db.conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE


__all__ = ["SEARCH_CANDIDATES", "PgConnection", "PgStorePool", "PostgresStore", "to_psycopg"]
