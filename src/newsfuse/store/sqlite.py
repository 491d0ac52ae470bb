"""SQLite store: WAL mode, a versioned schema migrated in order, FTS5 over article titles and text."""
from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import NotFoundError, StoreError
from ..records import Annotations, Article, Brief, Drop, Duplicate, brief_from_json
from .schema import MIGRATIONS, SCHEMA_VERSION

# scheme:// (and scheme:/, what pathlib makes of it); one letter is a Windows drive, and "file:" is no path either.
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):/")
_ARTICLE_COLUMNS = "id, text, title, url, site, author, published, language, path, entities"


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(timezone.utc).isoformat() if value else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


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


def sqlite_path(path: str | Path) -> str:
    """``path`` as a string, when it names an SQLite file (or ``:memory:``); a URL such as
    ``postgresql://host/db`` raises StoreError instead of becoming a folder named ``postgresql:``."""
    text = str(path)
    found = _URL.match(text)
    if found:
        raise StoreError(f"unsupported store {text!r}: only SQLite file paths are supported for now "
                         f"(a {found.group(1)}: URL is not one)")
    return text


class SqliteStore:
    """The default Store. One connection; use as a context manager or call ``close()``."""

    def __init__(self, path: str | Path, *, readonly: bool = False, timeout: float = 30.0):
        self.path = sqlite_path(path)
        try:
            if readonly:
                uri = f"file:{Path(self.path).resolve()}?mode=ro"
                self.db = sqlite3.connect(uri, uri=True, timeout=timeout, check_same_thread=False)
            else:
                if self.path != ":memory:":
                    Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(self.path, timeout=timeout, check_same_thread=False)
                self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.row_factory = sqlite3.Row
            if not readonly:
                self.migrate()
            elif self.schema_version() != SCHEMA_VERSION:
                raise StoreError(f"{self.path}: schema version {self.schema_version()}, this newsfuse reads "
                                 f"{SCHEMA_VERSION}; open it once without --readonly to migrate")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open store {self.path}: {exc}") from exc

    # -- lifecycle -------------------------------------------------------------------------------------------
    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "SqliteStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all."""
        try:
            with self.db:
                yield
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: {exc}") from exc

    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> None:
        """Apply the migrations this store lacks, in order, each in its own transaction."""
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(f"{self.path} has schema version {current}, newer than this newsfuse "
                             f"({SCHEMA_VERSION}); upgrade newsfuse")
        for version in range(current + 1, SCHEMA_VERSION + 1):
            with self.db:
                self.db.executescript("BEGIN;" + MIGRATIONS[version] + f";PRAGMA user_version={version};COMMIT;")

    # -- articles --------------------------------------------------------------------------------------------
    def has_article(self, article_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE id=?", (article_id,)).fetchone() is not None

    def add_article(self, article: Article) -> bool:
        """Insert an article; False (and nothing changes) when its id is already stored."""
        cur = self.db.execute(
            f"INSERT OR IGNORE INTO articles ({_ARTICLE_COLUMNS}, added) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
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
            rows = self.db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY published, id")
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
            rows = self.db.execute(
                "SELECT a.id, snippet(articles_fts, 1, '[', ']', '…', 12) FROM articles_fts "
                "JOIN articles a ON a.rowid = articles_fts.rowid WHERE articles_fts MATCH ? "
                "ORDER BY rank LIMIT ?", (query, limit)).fetchall()
        except sqlite3.OperationalError as exc:
            raise StoreError(f"bad search query {query!r}: {exc}") from exc
        return [(r[0], r[1]) for r in rows]

    # -- dedup -----------------------------------------------------------------------------------------------
    def add_duplicate(self, link: Duplicate, state: bytes | None = None) -> None:
        self.db.execute("INSERT OR REPLACE INTO duplicates (id, duplicate_of, relation, similarity) VALUES (?,?,?,?)",
                        (link.id, link.duplicate_of, link.relation, link.similarity))
        if state is not None:
            self.db.execute("INSERT OR REPLACE INTO dedup_state (id, state) VALUES (?,?)", (link.id, state))

    def duplicates(self) -> dict[str, Duplicate]:
        rows = self.db.execute("SELECT id, duplicate_of, relation, similarity FROM duplicates")
        return {r[0]: Duplicate(r[0], r[1], r[2], r[3]) for r in rows}

    def dedup_states(self) -> Iterator[tuple[str, bytes]]:
        for row in self.db.execute("SELECT id, state FROM dedup_state ORDER BY rowid"):
            yield row[0], row[1]

    # -- stories ---------------------------------------------------------------------------------------------
    def set_story(self, article_id: str, story_id: str, published: datetime | None) -> None:
        when = _iso(published)
        self.db.execute(
            "INSERT INTO stories (id, headline, first_seen, last_seen, updated) VALUES (?, '', ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET first_seen=min(coalesce(first_seen, excluded.first_seen), "
            "coalesce(excluded.first_seen, first_seen)), last_seen=max(coalesce(last_seen, excluded.last_seen), "
            "coalesce(excluded.last_seen, last_seen)), updated=excluded.updated, brief_stale=1",
            (story_id, when, when, _now()))
        self.db.execute("INSERT OR REPLACE INTO story_articles (article_id, story_id) VALUES (?,?)",
                        (article_id, story_id))

    def story_of(self, article_id: str) -> str | None:
        row = self.db.execute("SELECT story_id FROM story_articles WHERE article_id=?", (article_id,)).fetchone()
        return row[0] if row else None

    def resolve_story(self, story_id: str) -> str:
        """A story id, or an alias or unique prefix of one, as the story's current id."""
        row = self.db.execute("SELECT story_id FROM story_aliases WHERE alias=?", (story_id,)).fetchone()
        if row:
            return row[0]
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
            self.db.execute("INSERT OR REPLACE INTO cluster_state (id, state, updated) VALUES (1, ?, ?)",
                            (state, _now()))

    # -- work left by an interrupted run ------------------------------------------------------------------------
    def pending_dedup(self) -> list[Article]:
        """Stored articles that no dedup phase has linked yet (a run stopped after storing them)."""
        rows = self.db.execute(f"SELECT {', '.join('a.' + c for c in _ARTICLE_COLUMNS.split(', '))} FROM articles a "
                               "LEFT JOIN duplicates d ON d.id = a.id WHERE d.id IS NULL")
        return [_article(r) for r in rows]

    def pending_cluster(self) -> list[Article]:
        """Linked articles that belong to no story yet."""
        rows = self.db.execute(f"SELECT {', '.join('a.' + c for c in _ARTICLE_COLUMNS.split(', '))} FROM articles a "
                               "JOIN duplicates d ON d.id = a.id LEFT JOIN story_articles m ON m.article_id = a.id "
                               "WHERE m.article_id IS NULL")
        return [_article(r) for r in rows]

    def stale_briefs(self) -> list[str]:
        """Stories whose brief is missing or older than their articles."""
        return [r[0] for r in self.db.execute("SELECT id FROM stories WHERE brief_stale=1 ORDER BY id")]

    def story_ids(self) -> list[str]:
        """Biggest first, then newest, then id."""
        rows = self.db.execute(
            "SELECT s.id FROM stories s JOIN story_articles m ON m.story_id = s.id GROUP BY s.id "
            "ORDER BY count(*) DESC, s.last_seen DESC, s.id")
        return [r[0] for r in rows]

    def story_members(self, story_id: str) -> list[str]:
        rows = self.db.execute(
            "SELECT m.article_id FROM story_articles m JOIN articles a ON a.id = m.article_id "
            "WHERE m.story_id=? ORDER BY a.published, a.id", (story_id,))
        return [r[0] for r in rows]

    def stories_overview(self) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT s.id, s.headline, s.first_seen, s.last_seen, count(m.article_id) AS articles, "
            f"sum(d.duplicate_of IS NULL) AS sources, {STORED_SPAN} FROM stories s "
            "JOIN story_articles m ON m.story_id = s.id JOIN articles a ON a.id = m.article_id "
            "LEFT JOIN duplicates d ON d.id = m.article_id GROUP BY s.id "
            "ORDER BY articles DESC, s.last_seen DESC, s.id")
        return [seen_span(dict(r)) for r in rows]

    def added_since(self, story_id: str, since: datetime) -> list[str]:
        """The story's articles stored at or after ``since``."""
        rows = self.db.execute(
            "SELECT m.article_id FROM story_articles m JOIN articles a ON a.id = m.article_id "
            "WHERE m.story_id=? AND a.added >= ? ORDER BY a.added, a.id", (story_id, _iso(since)))
        return [r[0] for r in rows]

    def set_brief(self, brief: Brief) -> None:
        self.db.execute("INSERT OR REPLACE INTO briefs (story_id, json, updated) VALUES (?,?,?)",
                        (brief.story, json.dumps(brief.to_json(), ensure_ascii=False), _now()))
        self.db.execute("UPDATE stories SET headline=?, brief_stale=0 WHERE id=?", (brief.headline, brief.story))

    def brief(self, story_id: str) -> Brief | None:
        row = self.db.execute("SELECT json FROM briefs WHERE story_id=?", (story_id,)).fetchone()
        return brief_from_json(json.loads(row[0])) if row else None

    # -- runs ------------------------------------------------------------------------------------------------
    def start_run(self, config: dict[str, Any], inputs: list[str]) -> int:
        with self.transaction():
            cur = self.db.execute("INSERT INTO runs (started, config, inputs) VALUES (?,?,?)",
                                  (_now(), json.dumps(config), json.dumps(inputs)))
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, counts: dict[str, int]) -> None:
        with self.transaction():
            self.db.execute("UPDATE runs SET finished=?, counts=? WHERE id=?", (_now(), json.dumps(counts), run_id))

    def add_failure(self, run_id: int, drop: Drop) -> None:
        self.db.execute("INSERT INTO failures (run_id, path, reason, detail) VALUES (?,?,?,?)",
                        (run_id, drop.path, drop.reason, drop.detail))


def _article(row: sqlite3.Row) -> Article:
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
