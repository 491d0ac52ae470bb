"""Analyst corrections to stories: merge, split, exclude. Each is one transaction; later runs respect it.

A merged story's id becomes an alias of the one kept (the older); split and excluded articles become stories of
their own, so no later run moves them back by itself (runs only place articles that belong to no story). Every
change marks the touched stories' briefs stale and clears the story assigner's saved state, which the next run
rebuilds from the stories as they now are.

Each edit reads the stories it checks and writes its changes in one transaction under the run lock
(``store.run_exclusive``). A run holds that lock from its dedup phase to its last brief and places articles a part
at a time with the story assigner it loaded at its start: an edit between two parts would be overwritten (the run
saves its stale assigner state over the cleared one) or contradicted (it places articles into a story the edit
merged away). So an edit waits for the run's phases to end, at most EDIT_LOCK_WAIT seconds, and then fails with
StoreBusyError, changing nothing. On PostgreSQL, an edit whose connection the server drops before the commit runs
again from its start on a new connection (taking the lock again), against the stories as they then are, and one
whose commit landed is looked up rather than applied a second time.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import NewsfuseError, NotFoundError
from .base import SqlStore


# Seconds an edit waits for a run to let go of the store's run lock before it fails: a watch poll's phases end
# well within it, and a person or API client is not left waiting on a long run (they retry when it ends). A run's
# own merges (``Runner._merge_held``) hold the lock already and do not wait.
EDIT_LOCK_WAIT = 30.0


def merge_stories(store: SqlStore, story_id: str, other: str, *, wait: float | None = None) -> dict[str, Any]:
    """Move every article of ``other`` into ``story_id``; ``other`` becomes an alias of it. ``wait``: the seconds
    to wait for a run holding the store (EDIT_LOCK_WAIT by default), then StoreBusyError."""
    return _locked(store, lambda: _merge(store, story_id, other), wait)


def split_articles(store: SqlStore, story_id: str, article_ids: list[str], *,
                   wait: float | None = None) -> dict[str, Any]:
    """Move the articles out of the story into one new story, named after the first of them (``wait``: as for
    ``merge_stories``)."""
    return _locked(store, lambda: _split(store, story_id, article_ids), wait)


def exclude_article(store: SqlStore, story_id: str, article_id: str, *, wait: float | None = None) -> dict[str, Any]:
    """Take the article out of the story: it becomes a story of its own (``wait``: as for ``merge_stories``)."""
    def exclude() -> dict[str, Any]:
        story = _split(store, story_id, [article_id])["story"]
        left = store.db.execute("SELECT count(*) FROM story_articles WHERE story_id=?", (story,)).fetchone()[0]
        return {"story": story, "excluded": article_id, "articles": left}

    return _locked(store, exclude, wait)


def _locked(store: SqlStore, body: Callable[[], dict[str, Any]], wait: float | None) -> dict[str, Any]:
    return store.run_exclusive(body, EDIT_LOCK_WAIT if wait is None else wait)


def _merge(store: SqlStore, story_id: str, other: str) -> dict[str, Any]:
    target, source = store.resolve_story(story_id), store.resolve_story(other)
    if target == source:
        raise NewsfuseError(f"cannot merge story {target} into itself")
    db = store.db
    moved = db.execute("UPDATE story_articles SET story_id=? WHERE story_id=?", (target, source)).rowcount
    db.execute("UPDATE story_aliases SET story_id=? WHERE story_id=?", (target, source))
    _alias(store, source, target)
    db.execute(
        f"UPDATE stories SET first_seen={store.least}(coalesce(first_seen, s.f), coalesce(s.f, first_seen)), "
        f"last_seen={store.greatest}(coalesce(last_seen, s.l), coalesce(s.l, last_seen)), brief_stale=1, "
        "related_stale=1 "
        "FROM (SELECT first_seen AS f, last_seen AS l FROM stories WHERE id=?) AS s WHERE id=?",
        (source, target))
    db.execute("DELETE FROM briefs WHERE story_id=?", (source,))
    db.execute("DELETE FROM story_related WHERE story_id=? OR other_id=?", (source, source))
    db.execute("DELETE FROM stories WHERE id=?", (source,))
    store.set_cluster_state(None)
    return {"story": target, "merged": source, "moved": moved}


def _split(store: SqlStore, story_id: str, article_ids: list[str]) -> dict[str, Any]:
    story = store.resolve_story(story_id)
    members = set(store.story_members(story))
    missing = [a for a in article_ids if a not in members]
    if missing or not article_ids:
        raise NotFoundError(f"articles {missing or article_ids} are not in story {story}")
    new = "x" + sorted(article_ids)[0]
    # The same article excluded before, and its story merged back, left "x<id>" as an alias: the story is its own
    # again, reachable by its id.
    store.db.execute("DELETE FROM story_aliases WHERE alias=?", (new,))
    for article in store.articles(article_ids):
        store.set_story(article.id, new, article.published)
    store.db.execute("UPDATE stories SET brief_stale=1, related_stale=1 WHERE id=?", (story,))
    _drop_if_empty(store, story, new)
    store.set_cluster_state(None)
    return {"story": story, "new_story": new, "moved": len(article_ids)}


def _drop_if_empty(store: SqlStore, story: str, heir: str) -> None:
    """Drop a story that a split emptied; its id and its aliases now lead to ``heir``, where its articles went."""
    if not store.story_members(story):
        store.db.execute("DELETE FROM briefs WHERE story_id=?", (story,))
        store.db.execute("DELETE FROM stories WHERE id=?", (story,))
        store.db.execute("UPDATE story_aliases SET story_id=? WHERE story_id=?", (heir, story))
        _alias(store, story, heir)


def _alias(store: SqlStore, alias: str, story: str) -> None:
    store.db.execute("INSERT INTO story_aliases (alias, story_id) VALUES (?, ?) "
                     "ON CONFLICT (alias) DO UPDATE SET story_id=excluded.story_id", (alias, story))
