"""Analyst edits, served only with ``allow_edits``: merge two stories, take an article out of a story.

The edits themselves live in ``newsfuse.store.edits`` (the CLI's `newsfuse story` uses them too); the changed
stories' briefs are rebuilt by the next pipeline run. An edit waits for a run holding the store, a bounded time
(``edits.EDIT_LOCK_WAIT``); past it the app answers 503 with Retry-After.
"""
from __future__ import annotations

from typing import Any

from fastapi import HTTPException

from ..errors import NewsfuseError, NotFoundError, StoreError
from ..store import open_store
from ..store import edits


def merge_stories(db_path: str, story_id: str, other: str) -> dict[str, Any]:
    with open_store(db_path) as store:
        try:
            return edits.merge_stories(store, story_id, other)
        except (NotFoundError, StoreError):  # 404; 503 as any request the store cannot answer (Retry-After: busy)
            raise
        except NewsfuseError as exc:  # the edit itself is refused (a story merged into itself)
            raise HTTPException(400, str(exc)) from exc


def exclude_article(db_path: str, story_id: str, article_id: str) -> dict[str, Any]:
    with open_store(db_path) as store:
        return edits.exclude_article(store, story_id, article_id)
