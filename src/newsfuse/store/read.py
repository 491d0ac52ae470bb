"""Read-only queries for the web UI and JSON API: functions over a store's connection (``store.db``), in SQL that
the SQLite and PostgreSQL stores both run (the PostgreSQL schema defines the SQLite functions used here).

Nothing here writes. Dates in filters are ISO strings (``YYYY-MM-DD``) compared against the stored UTC ISO times.
"""
from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..errors import NotFoundError, StoreError
from ..records import outlet_name
from .base import STORED_SPAN, SearchSyntaxError, seen_span
from .sqlite import SqliteStore

_STORY_ROW = (
    "SELECT s.id, s.headline, s.first_seen, s.last_seen, count(m.article_id) AS articles, "
    f"sum(d.duplicate_of IS NULL) AS sources, group_concat(DISTINCT a.site) AS sites, {STORED_SPAN} "
    "FROM stories s JOIN story_articles m ON m.story_id = s.id JOIN articles a ON a.id = m.article_id "
    "LEFT JOIN duplicates d ON d.id = m.article_id")
_MEMBER_ROW = (
    "SELECT a.id, a.title, a.url, a.site, a.path, a.author, a.published, a.added AS stored, d.duplicate_of, "
    "coalesce(d.relation, 'original') AS relation, d.similarity FROM articles a "
    "LEFT JOIN duplicates d ON d.id = a.id")
_WORD = re.compile(r"\w+", re.UNICODE)
# A story's span as the list shows it: its articles' publication times, else when newsfuse stored them (seen_span).
_STORED = ("(SELECT {}(a3.added) FROM story_articles m3 JOIN articles a3 ON a3.id = m3.article_id "
           "WHERE m3.story_id = s.id)")
_FIRST_SEEN = f"coalesce(s.first_seen, {_STORED.format('min')})"
_LAST_SEEN = f"coalesce(s.last_seen, {_STORED.format('max')})"


@dataclass(frozen=True, slots=True)
class StoryFilter:
    """What the story list is narrowed to: an outlet (``site``) and a date range on the story's span."""

    source: str | None = None
    since: date | None = None
    until: date | None = None

    def where(self) -> tuple[str, list[Any]]:
        """A SQL condition on ``s`` (stories) and its parameters."""
        clauses: list[str] = ["EXISTS (SELECT 1 FROM story_articles x WHERE x.story_id = s.id)"]
        params: list[Any] = []
        if self.source:
            clauses.append("s.id IN (SELECT m2.story_id FROM story_articles m2 JOIN articles a2 "
                           "ON a2.id = m2.article_id WHERE a2.site = ?)")
            params.append(self.source)
        if self.since:
            clauses.append(f"{_LAST_SEEN} >= ?")
            params.append(self.since.isoformat())
        if self.until:
            clauses.append(f"{_FIRST_SEEN} < ?")
            params.append((self.until + timedelta(days=1)).isoformat())
        return " AND ".join(clauses), params


def list_stories(store: SqliteStore, flt: StoryFilter = StoryFilter(), limit: int = 20,
                 offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """One page of stories, biggest then newest first, and how many match in all."""
    where, params = flt.where()
    total = store.db.execute(f"SELECT count(*) FROM stories s WHERE {where}", params).fetchone()[0]
    page = [r[0] for r in store.db.execute(
        "WITH sizes AS (SELECT story_id, count(*) AS n FROM story_articles GROUP BY story_id) "
        f"SELECT s.id FROM stories s JOIN sizes z ON z.story_id = s.id WHERE {where} "
        f"ORDER BY z.n DESC, {_LAST_SEEN} DESC, s.id LIMIT ? OFFSET ?", [*params, limit, offset])]
    return story_rows(store, page), total


def newest_stories(store: SqliteStore, limit: int = 50) -> list[dict[str, Any]]:
    """The most recently active stories, for the feed."""
    page = [r[0] for r in store.db.execute(
        f"SELECT s.id FROM stories s WHERE {StoryFilter().where()[0]} ORDER BY {_LAST_SEEN} DESC, s.id LIMIT ?",
        (limit,))]
    return story_rows(store, page)


def story_rows(store: SqliteStore, story_ids: list[str]) -> list[dict[str, Any]]:
    """The list rows (counts, sites, outlets, teaser) of these stories, in the order given."""
    if not story_ids:
        return []
    marks = ",".join("?" * len(story_ids))
    rows = store.db.execute(f"{_STORY_ROW} WHERE s.id IN ({marks}) GROUP BY s.id", story_ids)
    found = {r["id"]: _story_dict(r) for r in rows}
    teasers = brief_teasers(store, story_ids)
    outlets = story_outlets(store, story_ids)
    out = [found[i] for i in story_ids if i in found]
    for story in out:
        story["teaser"] = teasers.get(story["id"])
        story["outlets"] = outlets.get(story["id"], [])
    return out


def story_outlets(store: SqliteStore, story_ids: list[str]) -> dict[str, list[str]]:
    """Each story's outlets, alphabetically: its articles' sites, else their URLs' hosts, else their files' names."""
    marks = ",".join("?" * len(story_ids))
    found: dict[str, set[str]] = {}
    for row in store.db.execute(f"SELECT DISTINCT m.story_id, a.site, a.url, a.path FROM story_articles m "
                                f"JOIN articles a ON a.id = m.article_id WHERE m.story_id IN ({marks})", story_ids):
        name = outlet_name(row["site"], row["url"], row["path"])
        if name:
            found.setdefault(row["story_id"], set()).add(name)
    return {story: sorted(names) for story, names in found.items()}


def _story_dict(row: sqlite3.Row) -> dict[str, Any]:
    out = seen_span(dict(row))
    out["sites"] = sorted(filter(None, (row["sites"] or "").split(",")))
    out["sources"] = int(out["sources"] or 0)
    return out


def brief_teasers(store: SqliteStore, story_ids: list[str]) -> dict[str, str]:
    """The first summary sentence of each story's brief, where it has one."""
    if not story_ids:
        return {}
    marks = ",".join("?" * len(story_ids))
    rows = store.db.execute(f"SELECT story_id, json_extract(json, '$.summary[0].text') FROM briefs "
                            f"WHERE story_id IN ({marks})", story_ids)
    return {r[0]: r[1] for r in rows if r[1]}


def sources(store: SqliteStore) -> list[str]:
    """Every outlet in the store, alphabetically."""
    rows = store.db.execute("SELECT DISTINCT site FROM articles WHERE site IS NOT NULL AND site != '' ORDER BY site")
    return [r[0] for r in rows]


def story(store: SqliteStore, story_id: str) -> dict[str, Any]:
    """A story's row (id resolved from an alias or unique prefix) with its member articles and their lineage."""
    resolved = store.resolve_story(story_id)
    row = store.db.execute("SELECT id, headline, first_seen, last_seen FROM stories WHERE id=?",
                           (resolved,)).fetchone()
    if row is None:
        raise NotFoundError(f"no story {story_id!r}")
    members = store.db.execute(
        f"{_MEMBER_ROW} JOIN story_articles m ON m.article_id = a.id WHERE m.story_id=? "
        "ORDER BY a.published NULLS FIRST, a.id", (resolved,)).fetchall()
    out = dict(row)
    out["first_stored"] = min((m["stored"] for m in members), default=None)
    out["last_stored"] = max((m["stored"] for m in members), default=None)
    seen_span(out)
    out["articles"] = [with_outlet(m) for m in members]
    out["sources"] = sum(1 for m in members if m["duplicate_of"] is None)
    return out


def lineage(store: SqliteStore, article_id: str) -> dict[str, Any]:
    """What an article copies (``copies``, or None for an original), its copies, and its story."""
    own = store.db.execute(f"{_MEMBER_ROW} WHERE a.id=?", (article_id,)).fetchone()
    if own is None:
        raise NotFoundError(f"no article {article_id!r}")
    original = None
    if own["duplicate_of"]:
        found = store.db.execute("SELECT id, title, site, url, path FROM articles WHERE id=?",
                                 (own["duplicate_of"],)).fetchone()
        original = with_outlet(found, "url") if found else {"id": own["duplicate_of"], "title": None, "site": None,
                                                             "outlet": None}
        original.update(relation=own["relation"], similarity=own["similarity"])
    copies = store.db.execute(
        "SELECT d.id, d.relation, d.similarity, a.title, a.site, a.url, a.path FROM duplicates d "
        "JOIN articles a ON a.id = d.id WHERE d.duplicate_of=? ORDER BY a.published NULLS FIRST, d.id",
        (article_id,)).fetchall()
    story_row = store.db.execute("SELECT s.id, s.headline FROM story_articles m JOIN stories s ON s.id = m.story_id "
                                 "WHERE m.article_id=?", (article_id,)).fetchone()
    return {"relation": own["relation"], "copies": original, "copied_by": [with_outlet(c, "url") for c in copies],
            "story": dict(story_row) if story_row else None}


MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 32


def search(store: SqliteStore, query: str, limit: int = 20, offset: int = 0) -> tuple[list[dict[str, Any]], str]:
    """Full-text matches, best first: ``[{id, title, site, published, snippet}]`` and the FTS query used. A query
    with more than SEARCH_CANDIDATES matches ranks the newest of them (``match``), and pages past them are empty.

    A query the store cannot parse (for SQLite's FTS5 a stray quote, a lone ``AND``) is retried as plain words.
    Queries are capped (MAX_QUERY_CHARS, MAX_QUERY_TERMS): FTS5's cost grows with the square of the prefix terms.
    """
    if len(query) > MAX_QUERY_CHARS or len(query.split()) > MAX_QUERY_TERMS:
        raise StoreError(f"bad search query: at most {MAX_QUERY_CHARS} characters and {MAX_QUERY_TERMS} terms")
    try:
        return _search(store, query, limit, offset), query
    except SearchSyntaxError:
        words = _WORD.findall(query)
        if not words:
            return [], ""
        plain = " ".join(f'"{w}"' for w in words)
        try:
            return _search(store, plain, limit, offset), plain
        except SearchSyntaxError as exc:
            raise StoreError(f"bad search query {query!r}: {exc}") from exc


def _search(store: SqliteStore, query: str, limit: int, offset: int) -> list[dict[str, Any]]:
    rows = store.match(query, limit, offset, marks=("\x02", "\x03"), tokens=16)
    return [with_outlet(r, "url") for r in rows]


def with_outlet(row: sqlite3.Row, *drop: str) -> dict[str, Any]:
    """The row as a dict with ``outlet`` (site, else the URL's host, else the file's name) in place of the stored
    ``path``, which names a folder of the machine that ran newsfuse, and of the ``drop`` columns."""
    out = dict(row)
    out["outlet"] = outlet_name(out.get("site"), out.get("url"), out.pop("path", None))
    for key in drop:
        out.pop(key, None)
    return out


def brief_json(store: SqliteStore, story_id: str) -> dict[str, Any] | None:
    """A story's stored brief as its JSON object, or None when it has none yet."""
    row = store.db.execute("SELECT json FROM briefs WHERE story_id=?", (story_id,)).fetchone()
    return json.loads(row[0]) if row else None


__all__ = ["StoryFilter", "brief_json", "brief_teasers", "lineage", "list_stories", "newest_stories", "search",
           "sources", "story", "story_rows"]
