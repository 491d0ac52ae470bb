"""Read-only queries for the front page's ranking and the entity and outlet pages: whole-store scans of narrow
columns, which the web UI aggregates once and reuses (``web/snapshot.py``).

Plain SQL that PostgreSQL runs as well: no JSON functions (briefs are parsed by the caller), no SQLite pragmas.
Each function takes the store and only reads.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .sqlite import SqliteStore

_FACTS = (
    "SELECT a.id, a.site, a.url, a.path, a.published, a.added, a.language, d.duplicate_of, m.story_id "
    "FROM articles a LEFT JOIN duplicates d ON d.id = a.id LEFT JOIN story_articles m ON m.article_id = a.id")


def article_facts(store: SqliteStore, batch: int = 5_000) -> Iterator[dict[str, Any]]:
    """Every article's outlet columns (site, url, path), times (published, added), language, lineage
    (duplicate_of) and story (story_id, None when it is in none yet), in no particular order."""
    cursor = store.db.execute(_FACTS)
    columns = [getattr(c, "name", None) or c[0] for c in cursor.description]
    while rows := cursor.fetchmany(batch):
        for row in rows:
            yield dict(zip(columns, row))


def story_headlines(store: SqliteStore) -> dict[str, str]:
    """Every story's headline by id ('' before its first brief)."""
    return {r[0]: r[1] for r in store.db.execute("SELECT id, headline FROM stories")}


def brief_documents(store: SqliteStore, batch: int = 500) -> Iterator[tuple[str, str]]:
    """Every stored brief as (story id, its JSON text), for indexes of entities and quotes."""
    cursor = store.db.execute("SELECT story_id, json FROM briefs")
    while rows := cursor.fetchmany(batch):
        for row in rows:
            yield row[0], row[1]


__all__ = ["article_facts", "brief_documents", "story_headlines"]
