"""Analyst edits, served only with ``allow_edits``: merge two stories, take an article out of a story.

These write through the store's connection in one transaction. The stored brief of a changed story is kept
as it was (it may cite an excluded article or miss a merged one) until the pipeline rebuilds it.
"""
from __future__ import annotations

from typing import Any

from fastapi import HTTPException

from ..errors import NotFoundError
from ..store import SqliteStore


def merge_stories(db_path: str, story_id: str, other: str) -> dict[str, Any]:
    """Move every article of ``other`` into ``story_id``; ``other`` becomes an alias of it."""
    with SqliteStore(db_path) as store:
        target, source = store.resolve_story(story_id), store.resolve_story(other)
        if target == source:
            raise HTTPException(400, f"cannot merge story {target} into itself")
        with store.transaction():
            db = store.db
            moved = db.execute("UPDATE story_articles SET story_id=? WHERE story_id=?", (target, source)).rowcount
            db.execute("UPDATE story_aliases SET story_id=? WHERE story_id=?", (target, source))
            db.execute("INSERT OR REPLACE INTO story_aliases (alias, story_id) VALUES (?, ?)", (source, target))
            db.execute(
                "UPDATE stories SET first_seen=min(coalesce(first_seen, ?1), coalesce(?1, first_seen)), "
                "last_seen=max(coalesce(last_seen, ?2), coalesce(?2, last_seen)) WHERE id=?3",
                (*_span(store, source), target))
            db.execute("DELETE FROM briefs WHERE story_id=?", (source,))
            db.execute("DELETE FROM stories WHERE id=?", (source,))
            db.execute("UPDATE stories SET brief_stale=1 WHERE id=?", (target,))
            store.set_cluster_state(None)  # the assigner's saved centroids no longer match: rebuild next run
        return {"story": target, "merged": source, "moved": moved}


def _span(store: SqliteStore, story_id: str) -> tuple[str | None, str | None]:
    row = store.db.execute("SELECT first_seen, last_seen FROM stories WHERE id=?", (story_id,)).fetchone()
    return (row[0], row[1]) if row else (None, None)


def exclude_article(db_path: str, story_id: str, article_id: str) -> dict[str, Any]:
    """Take ``article_id`` out of ``story_id``: it then belongs to no story."""
    with SqliteStore(db_path) as store:
        story = store.resolve_story(story_id)
        if store.story_of(article_id) != story:
            raise NotFoundError(f"article {article_id!r} is not in story {story}")
        article = store.article(article_id)
        with store.transaction():
            # The article leaves as a story of its own ("x" + id), so no later run puts it back by itself.
            store.set_story(article_id, "x" + article_id, article.published)
            store.db.execute("UPDATE stories SET brief_stale=1 WHERE id=?", (story,))
            store.set_cluster_state(None)
        left = store.db.execute("SELECT count(*) FROM story_articles WHERE story_id=?", (story,)).fetchone()[0]
        return {"story": story, "excluded": article_id, "articles": left}
