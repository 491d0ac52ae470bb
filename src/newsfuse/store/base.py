"""What the SQLite and PostgreSQL stores share: the tables' rows as records, in one SQL text for both.

The SQL here is written with ``?`` placeholders and in the subset both databases read alike (``ON CONFLICT``
upserts, ``RETURNING``, explicit ``NULLS FIRST``/``NULLS LAST``); what differs (connecting, migrating, locking,
full-text search, the order dedup states are kept in) is the backends' own, in ``sqlite.py`` and ``postgres.py``.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timezone
from typing import Any, TypeVar

from ..errors import NotFoundError, StoreBusyError, StoreError
from ..records import Annotations, Article, Brief, Drop, Duplicate, brief_from_json

T = TypeVar("T")
_ARTICLE_COLUMNS = "id, text, title, url, site, author, published, language, path, entities"


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(timezone.utc).isoformat() if value else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# How many matches a search ranks at most, the newest (``match``): ranking reads each match, and a word in most
# articles has tens of thousands (bench/README.md, issue 23).
SEARCH_CANDIDATES = 1000

# When newsfuse first and last stored one of a story's articles (``a`` joined to the story's members).
STORED_SPAN = "min(a.added) AS first_stored, max(a.added) AS last_stored"


def seen_span(row: dict[str, Any]) -> dict[str, Any]:
    """A story row's ``first_seen`` and ``last_seen``, with ``first_seen_source`` and ``last_seen_source`` saying
    what they are: "published" (the articles' publication times), else "stored" (when newsfuse first and last
    stored one of its articles, from ``first_stored`` and ``last_stored``), else None (unknown)."""
    first, last = row.pop("first_stored", None), row.pop("last_stored", None)
    source = "published" if row.get("first_seen") or row.get("last_seen") else "stored" if first else None
    if source == "stored":
        row["first_seen"], row["last_seen"] = first, last
    row["first_seen_source"] = row["last_seen_source"] = source
    return row


# Seconds between two attempts to take the run lock without waiting in line (``run_exclusive``).
LOCK_POLL = 0.05


def run_busy(path: str, wait: float) -> StoreBusyError:
    """The one-line error of an edit that waited ``wait`` seconds for a run holding the store ``path``."""
    return StoreBusyError(f"{path}: a run is placing articles in this store (waited {wait:g} s for it); "
                          "retry the edit when it ends")


class SearchSyntaxError(StoreError):
    """A full-text query the backend cannot parse; ``read.search`` retries it as plain words."""


class SqlStore:
    """The Store over one DB-API-like connection ``db`` (``execute(sql, params)`` with ``?`` placeholders, rows
    readable by name and by position). Subclasses connect, migrate, and answer ``transaction`` and ``match``."""

    db: Any
    path: str
    # Two-argument scalar minimum and maximum of the dialect, each ignoring a NULL argument once coalesced.
    least, greatest = "min", "max"
    # The column that keeps dedup states in the order they were saved (a rewritten state moves to the end).
    state_order = "rowid"
    # A condition on ``a`` (articles), true when the article's title or text matches the full-text query ``?``.
    fts_match = ""

    # -- lifecycle -------------------------------------------------------------------------------------------
    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "SqlStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self) -> AbstractContextManager[None]:
        raise NotImplementedError

    def run_in_transaction(self, body: Callable[[], T]) -> T:
        """``body()`` in one transaction; what it returns. A backend whose connection can be lost (PostgreSQL) runs
        it again from its start on a new connection when that happens before the commit, so a body only reads and
        writes the store and keeps nothing of a lost attempt but its return value."""
        with self.transaction():
            return body()

    def connection_lost(self) -> bool:
        """Whether the store's connection is gone (a server store the server dropped); an embedded file never is.
        What was committed stays; the next ``transaction()`` or ``exclusive()`` opens a new connection."""
        return False

    def exclusive(self) -> AbstractContextManager[None]:
        """Held by a run from its dedup phase to its last brief, so that two runs writing one store at once take
        turns where they read and rewrite shared state (dedup states, the assigner's state, stale briefs)."""
        return nullcontext()

    def run_exclusive(self, body: Callable[[], T], wait: float) -> T:
        """``body()`` in one transaction (``run_in_transaction``) under the run lock of ``exclusive()``, waiting at
        most ``wait`` seconds for a run holding it to let go, then raising StoreBusyError (``run_busy``). Analyst
        edits use it: a run places articles a part at a time with the story assigner it loaded at its start, so an
        edit between two of its parts would be overwritten. Inside this store's own ``exclusive()`` (a run's
        merges) the lock is held already. A store no other process writes has no lock to wait for."""
        return self.run_in_transaction(body)

    def match(self, query: str, limit: int, offset: int = 0, marks: tuple[str, str] = ("[", "]"),
              tokens: int = 12) -> list[Any]:
        """Full-text matches, best first: rows of id, title, site, published, url, path and snippet (the matched
        words between ``marks``), ranked among the newest SEARCH_CANDIDATES matches (each backend says which are
        the newest); pages past them are empty. Raises SearchSyntaxError for a query the backend cannot parse."""
        raise NotImplementedError

    # -- articles --------------------------------------------------------------------------------------------
    def has_article(self, article_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE id=?", (article_id,)).fetchone() is not None

    def add_article(self, article: Article) -> bool:
        """Insert an article; False (and nothing changes) when its id is already stored."""
        cur = self.db.execute(
            f"INSERT INTO articles ({_ARTICLE_COLUMNS}, added) VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
            (article.id, article.text, article.title, article.url, article.site, article.author,
             _iso(article.published), article.language, article.path,
             json.dumps(article.entities.to_json(), separators=(",", ":")) if article.entities else None, _now()))
        return cur.rowcount == 1

    def article(self, article_id: str) -> Article:
        row = self.db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id=?", (article_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no article {article_id!r} in {self.path}")
        return _article(row)

    def articles(self, ids: Iterable[str] | None = None) -> list[Article]:
        if ids is None:
            rows = self.db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY published NULLS FIRST, id")
            return [_article(r) for r in rows]
        ids = list(ids)
        out: list[Article] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id IN ({marks})", chunk)
            found = {r["id"]: _article(r) for r in rows}
            out += [found[i] for i in chunk if i in found]
        return out

    def stored_at(self, ids: Iterable[str]) -> dict[str, str]:
        """When newsfuse first stored each of these articles: ISO 8601 UTC, by article id."""
        ids = list(ids)
        out: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows = self.db.execute(f"SELECT id, added FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            out.update((r[0], r[1]) for r in rows)
        return out

    def count(self, table: str) -> int:
        if table not in {"articles", "stories", "duplicates", "failures"}:
            raise StoreError(f"unknown table {table}")
        where = " WHERE duplicate_of IS NOT NULL" if table == "duplicates" else ""
        return self.db.execute(f"SELECT count(*) FROM {table}{where}").fetchone()[0]

    def search(self, query: str, limit: int = 20) -> list[tuple[str, str]]:
        """Full-text search: (article id, snippet) pairs, best first."""
        try:
            rows = self.match(query, limit)
        except SearchSyntaxError as exc:
            raise StoreError(f"bad search query {query!r}: {exc}") from exc
        return [(r["id"], r["snippet"]) for r in rows]

    # -- dedup -----------------------------------------------------------------------------------------------
    def add_duplicate(self, link: Duplicate, state: bytes | None = None) -> None:
        self.db.execute("INSERT INTO duplicates (id, duplicate_of, relation, similarity) VALUES (?,?,?,?) "
                        "ON CONFLICT (id) DO UPDATE SET duplicate_of=excluded.duplicate_of, "
                        "relation=excluded.relation, similarity=excluded.similarity",
                        (link.id, link.duplicate_of, link.relation, link.similarity))
        if state is not None:
            # Deleted and inserted, not updated in place: a rewritten state loads after the ones saved before it.
            self.db.execute("DELETE FROM dedup_state WHERE id=?", (link.id,))
            self.db.execute("INSERT INTO dedup_state (id, state) VALUES (?,?)", (link.id, state))

    def duplicates(self) -> dict[str, Duplicate]:
        rows = self.db.execute("SELECT id, duplicate_of, relation, similarity FROM duplicates")
        return {r[0]: Duplicate(r[0], r[1], r[2], r[3]) for r in rows}

    def dedup_states(self) -> Iterator[tuple[str, bytes]]:
        for row in self.db.execute(f"SELECT id, state FROM dedup_state ORDER BY {self.state_order}"):
            yield row[0], row[1]

    # -- stories ---------------------------------------------------------------------------------------------
    def set_story(self, article_id: str, story_id: str, published: datetime | None) -> None:
        when = _iso(published)
        self.db.execute(
            "INSERT INTO stories (id, headline, first_seen, last_seen, updated) VALUES (?, '', ?, ?, ?) "
            f"ON CONFLICT(id) DO UPDATE SET first_seen={self.least}(coalesce(stories.first_seen, "
            "excluded.first_seen), coalesce(excluded.first_seen, stories.first_seen)), "
            f"last_seen={self.greatest}(coalesce(stories.last_seen, excluded.last_seen), "
            "coalesce(excluded.last_seen, stories.last_seen)), updated=excluded.updated, brief_stale=1, "
            "related_stale=1",
            (story_id, when, when, _now()))
        self.db.execute("INSERT INTO story_articles (article_id, story_id) VALUES (?,?) "
                        "ON CONFLICT (article_id) DO UPDATE SET story_id=excluded.story_id",
                        (article_id, story_id))

    def story_of(self, article_id: str) -> str | None:
        row = self.db.execute("SELECT story_id FROM story_articles WHERE article_id=?", (article_id,)).fetchone()
        return row[0] if row else None

    def resolve_story(self, story_id: str) -> str:
        """A story id, or an alias or unique prefix of one, as the story's current id."""
        row = self.db.execute("SELECT story_id FROM story_aliases WHERE alias=?", (story_id,)).fetchone()
        if row:
            return row[0]
        if self.db.execute("SELECT 1 FROM stories WHERE id=?", (story_id,)).fetchone():
            return story_id  # the common case, by the primary key: the prefix search below scans every story
        rows = self.db.execute("SELECT id FROM stories WHERE id=? OR id LIKE ? LIMIT 2",
                               (story_id, story_id.replace("%", "") + "%")).fetchall()
        exact = [r[0] for r in rows if r[0] == story_id]
        if exact or len(rows) == 1:
            return exact[0] if exact else rows[0][0]
        hint = "; it matches several stories, give more characters" if rows else ""
        raise NotFoundError(f"no story {story_id!r} in {self.path}{hint}")

    def cluster_state(self) -> bytes | None:
        """The story assigner's saved state, or None when it must be rebuilt from the stories' articles."""
        row = self.db.execute("SELECT state FROM cluster_state WHERE id=1").fetchone()
        return row[0] if row else None

    def set_cluster_state(self, state: bytes | None) -> None:
        """Save the assigner's state; None clears it (after an edit of stories outside the pipeline)."""
        if state is None:
            self.db.execute("DELETE FROM cluster_state")
        else:
            self.db.execute("INSERT INTO cluster_state (id, state, updated) VALUES (1, ?, ?) ON CONFLICT (id) "
                            "DO UPDATE SET state=excluded.state, updated=excluded.updated",
                            (state, _now()))

    def related_stale(self) -> list[str]:
        """Stories whose related links were not computed since they last changed (or ever)."""
        return [r[0] for r in self.db.execute("SELECT id FROM stories WHERE related_stale=1 ORDER BY id")]

    def set_related(self, links: dict[str, list[tuple[str, float]]]) -> None:
        """Replace the related links of the stories in ``links`` (each ``[(other story, similarity)]``): every
        stored link touching one of them goes, then each given link is kept in both directions, and the stories
        are marked current. Links between two stories not given stay, as neither changed."""
        for story in links:
            self.db.execute("DELETE FROM story_related WHERE story_id=? OR other_id=?", (story, story))
        for story, found in links.items():
            for other, similarity in found:
                for a, b in ((story, other), (other, story)):
                    self.db.execute("INSERT INTO story_related (story_id, other_id, similarity) VALUES (?,?,?) "
                                    "ON CONFLICT (story_id, other_id) DO UPDATE SET similarity=excluded.similarity",
                                    (a, b, float(similarity)))
            self.db.execute("UPDATE stories SET related_stale=0 WHERE id=?", (story,))

    def related(self, story_id: str, limit: int = 5) -> list[tuple[str, float]] | None:
        """The stored related stories of ``story_id``, most similar first; None while its links are stale (the
        caller computes them, see ``pipeline.related_of``)."""
        row = self.db.execute("SELECT related_stale FROM stories WHERE id=?", (story_id,)).fetchone()
        if row is None or row[0]:
            return None if row else []
        rows = self.db.execute(
            "SELECT r.other_id, r.similarity FROM story_related r JOIN stories s ON s.id = r.other_id "
            "WHERE r.story_id=? AND r.other_id <> r.story_id ORDER BY r.similarity DESC, r.other_id LIMIT ?",
            (story_id, limit))
        return [(r[0], float(r[1])) for r in rows]

    # -- work left by an interrupted run ------------------------------------------------------------------------
    def pending_dedup(self) -> list[Article]:
        """Stored articles that no dedup phase has linked yet (a run stopped after storing them)."""
        return self._pending("dedup")

    def pending_cluster(self) -> list[Article]:
        """Linked articles that belong to no story yet."""
        return self._pending("cluster")

    def pending_ids(self, phase: str) -> list[tuple[str, datetime | None]]:
        """(id, published) of the articles ``pending_dedup`` ("dedup") or ``pending_cluster`` ("cluster") would
        give, without their texts: a run reads those a part at a time."""
        return [(r[0], _time(r[1])) for r in self.db.execute(f"SELECT a.id, a.published {_pending_from(phase)}")]

    def _pending(self, phase: str) -> list[Article]:
        columns = ", ".join("a." + c for c in _ARTICLE_COLUMNS.split(", "))
        return [_article(r) for r in self.db.execute(f"SELECT {columns} {_pending_from(phase)}")]

    def stale_briefs(self) -> list[str]:
        """Stories whose brief is missing or older than their articles."""
        return [r[0] for r in self.db.execute("SELECT id FROM stories WHERE brief_stale=1 ORDER BY id")]

    def story_ids(self) -> list[str]:
        """Biggest first, then newest, then id."""
        rows = self.db.execute(
            "SELECT s.id FROM stories s JOIN story_articles m ON m.story_id = s.id GROUP BY s.id "
            "ORDER BY count(*) DESC, s.last_seen DESC NULLS LAST, s.id")
        return [r[0] for r in rows]

    def story_members(self, story_id: str) -> list[str]:
        rows = self.db.execute(
            "SELECT m.article_id FROM story_articles m JOIN articles a ON a.id = m.article_id "
            "WHERE m.story_id=? ORDER BY a.published NULLS FIRST, a.id", (story_id,))
        return [r[0] for r in rows]

    def stories_overview(self) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT s.id, s.headline, s.first_seen, s.last_seen, count(m.article_id) AS articles, "
            f"sum(CASE WHEN d.duplicate_of IS NULL THEN 1 ELSE 0 END) AS sources, {STORED_SPAN} FROM stories s "
            "JOIN story_articles m ON m.story_id = s.id JOIN articles a ON a.id = m.article_id "
            "LEFT JOIN duplicates d ON d.id = m.article_id GROUP BY s.id "
            "ORDER BY articles DESC, s.last_seen DESC NULLS LAST, s.id")
        return [seen_span(dict(r)) for r in rows]

    def added_since(self, story_id: str, since: datetime) -> list[str]:
        """The story's articles stored at or after ``since``."""
        rows = self.db.execute(
            "SELECT m.article_id FROM story_articles m JOIN articles a ON a.id = m.article_id "
            "WHERE m.story_id=? AND a.added >= ? ORDER BY a.added, a.id", (story_id, _iso(since)))
        return [r[0] for r in rows]

    def set_brief(self, brief: Brief) -> None:
        self.db.execute("INSERT INTO briefs (story_id, json, updated) VALUES (?,?,?) ON CONFLICT (story_id) "
                        "DO UPDATE SET json=excluded.json, updated=excluded.updated",
                        (brief.story, json.dumps(brief.to_json(), ensure_ascii=False), _now()))
        self.db.execute("UPDATE stories SET headline=?, brief_stale=0 WHERE id=?", (brief.headline, brief.story))

    def brief(self, story_id: str) -> Brief | None:
        row = self.db.execute("SELECT json FROM briefs WHERE story_id=?", (story_id,)).fetchone()
        return brief_from_json(json.loads(row[0])) if row else None

    # -- runs ------------------------------------------------------------------------------------------------
    def start_run(self, config: dict[str, Any], inputs: list[str]) -> int:
        return int(self.run_in_transaction(lambda: self.db.execute(
            "INSERT INTO runs (started, config, inputs) VALUES (?,?,?) RETURNING id",
            (_now(), json.dumps(config), json.dumps(inputs))).fetchone()[0]))

    def finish_run(self, run_id: int, counts: dict[str, int]) -> None:
        self.run_in_transaction(lambda: self.db.execute("UPDATE runs SET finished=?, counts=? WHERE id=?",
                                                        (_now(), json.dumps(counts), run_id)))

    def add_failure(self, run_id: int, drop: Drop) -> None:
        self.db.execute("INSERT INTO failures (run_id, path, reason, detail) VALUES (?,?,?,?)",
                        (run_id, drop.path, drop.reason, drop.detail))


def _pending_from(phase: str) -> str:
    """The articles a run's ``phase`` has yet to do: not linked by dedup, or linked and in no story."""
    if phase == "dedup":
        return "FROM articles a LEFT JOIN duplicates d ON d.id = a.id WHERE d.id IS NULL"
    if phase == "cluster":
        return ("FROM articles a JOIN duplicates d ON d.id = a.id LEFT JOIN story_articles m "
                "ON m.article_id = a.id WHERE m.article_id IS NULL")
    raise ValueError(f"no pending phase {phase!r}: dedup or cluster")


def _article(row: Any) -> Article:
    return Article(id=row["id"], text=row["text"], title=row["title"], url=row["url"], site=row["site"],
                   author=row["author"], published=_time(row["published"]), language=row["language"],
                   path=row["path"], entities=_annotations(row["entities"]))


def _annotations(value: str | None) -> Annotations | None:
    """Stored entity spans; unreadable ones count as absent (the brief then finds the entities again)."""
    if not value:
        return None
    try:
        return Annotations.from_json(json.loads(value))
    except (ValueError, TypeError, KeyError):
        return None
