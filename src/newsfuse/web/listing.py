"""The story list of the front page and of ``/api/stories?sort=``: filters and orders over the store's snapshot."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fastapi import Request

from ..store import SqliteStore, read
from .ranking import StoryStats, ordered
from .snapshot import Snapshot, SnapshotCache


def snapshot(request: Request, store: SqliteStore) -> Snapshot:
    """The app's snapshot of its store (``web/snapshot.py``)."""
    cache: SnapshotCache = request.app.state.snapshots
    return cache.get(store)


@dataclass(frozen=True, slots=True)
class ListQuery:
    """Which stories the list shows and in what order: filters by outlet, entity, language and day."""

    source: str | None = None
    entity: str | None = None
    language: str | None = None
    since: date | None = None
    until: date | None = None
    sort: str = "now"

    def params(self) -> dict[str, str]:
        """The query parameters that reproduce this list (for the pager's links)."""
        pairs = (("sort", self.sort), ("source", self.source), ("entity", self.entity), ("lang", self.language),
                 ("since", self.since), ("until", self.until))
        return {k: str(v) for k, v in pairs if v}

    def filtered(self) -> bool:
        return any((self.source, self.entity, self.language, self.since, self.until))


MEMO_QUERIES = 256  # filtered lists kept per snapshot, so paging through one costs one filtering


def select(snap: Snapshot, query: ListQuery) -> list[StoryStats]:
    """The matching stories of the snapshot, in the query's order."""
    every = snap.orders.get(query.sort)
    if every is None:
        every = snap.orders[query.sort] = ordered(list(snap.stories.values()), query.sort)
    if not query.filtered():
        return every
    key = ("select", query)
    found = snap.memo.get(key)
    if found is None:
        found = _filter(snap, query, every)
        if len(snap.memo) < MEMO_QUERIES:
            snap.memo[key] = found
    return found


def _filter(snap: Snapshot, query: ListQuery, every: list[StoryStats]) -> list[StoryStats]:
    if query.entity:  # the entity's stories, put in the list's order by their places in it: not a walk of every story
        found = snap.entity(query.entity)
        place = _places(snap, query.sort, every)
        every = sorted((snap.stories[s] for s in (found.stories if found else ()) if s in place),
                       key=lambda story: place[story.id])
    since = query.since.isoformat() if query.since else None
    before = (query.until + timedelta(days=1)).isoformat() if query.until else None
    return [s for s in every if (not query.source or query.source in s.outlets)
            and (not query.language or query.language in s.languages)
            and (since is None or (s.last_seen or "") >= since)
            and (before is None or (s.first_seen is not None and s.first_seen < before))]


def _places(snap: Snapshot, sort: str, every: list[StoryStats]) -> dict[str, int]:
    """Each story's place in the list in ``sort`` order, computed once per snapshot."""
    key = ("places", sort)
    found = snap.memo.get(key)
    if found is None:
        found = snap.memo[key] = {story.id: i for i, story in enumerate(every)}
    return found


def story_page(store: SqliteStore, snap: Snapshot, query: ListQuery, limit: int,
               offset: int) -> tuple[list[dict[str, Any]], int]:
    """One page of the list, as ``read.list_stories`` gives its rows, with ``score`` and ``recent`` (original
    sources in the last BREAKING_HOURS), and how many stories match in all. Counts and times come from the
    snapshot; the teaser (the brief's first sentence) is read afresh."""
    found = select(snap, query)
    page = found[offset:offset + limit]
    teasers = read.brief_teasers(store, [s.id for s in page])
    return [row(s, teasers.get(s.id)) for s in page], len(found)


def row(stats: StoryStats, teaser: str | None = None) -> dict[str, Any]:
    """A story of the list: ``{id, headline, first_seen, last_seen, articles, sources, sites, first_seen_source,
    last_seen_source, teaser, outlets, score, recent}``."""
    return {"id": stats.id, "headline": stats.headline, "first_seen": stats.first_seen,
            "last_seen": stats.last_seen, "articles": stats.articles, "sources": stats.sources,
            "sites": sorted(stats.sites), "first_seen_source": stats.seen_source,
            "last_seen_source": stats.seen_source, "teaser": teaser, "outlets": sorted(stats.outlets),
            "score": round(stats.score, 4), "recent": stats.recent}


def choices(snap: Snapshot) -> dict[str, list[str]]:
    """What the filters offer: the outlets and languages in the store."""
    found = snap.memo.get("choices")
    if found is None:
        outlets = sorted({name for s in snap.stories.values() for name in s.outlets}, key=str.casefold)
        languages = sorted({lang for s in snap.stories.values() for lang in s.languages})
        found = snap.memo["choices"] = {"outlets": outlets, "languages": languages}
    return found


__all__ = ["ListQuery", "choices", "row", "select", "snapshot", "story_page"]
