"""Entity and outlet pages: a person, organisation or place across the briefs, and an outlet measured from the
lineage. Both read the store's snapshot (``web/snapshot.py``)."""
from __future__ import annotations

from collections import Counter
from itertools import islice
from typing import Any

from ..errors import NotFoundError
from .listing import ListQuery, select
from .ranking import StoryStats
from .snapshot import Snapshot

CO_OCCURRING = 20  # entities listed beside one entity
QUOTES = 50        # quotes listed on an entity page, the newest stories' first


def _story(stats: StoryStats, **extra: Any) -> dict[str, Any]:
    return {"id": stats.id, "headline": stats.headline, "first_seen": stats.first_seen,
            "last_seen": stats.last_seen, "articles": stats.articles, "sources": stats.sources,
            "url": f"/api/stories/{stats.id}", **extra}


def _newest(snap: Snapshot, story_ids: Any) -> list[StoryStats]:
    found = [snap.stories[i] for i in story_ids if i in snap.stories]
    return sorted(found, key=lambda s: (s.last_seen or "", s.id), reverse=True)


def entity_view(snap: Snapshot, name: str, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """``{name, label, variants, total, stories, co_occurring, quotes}``: the stories whose brief names the
    entity, newest first (a page of them), the entities named most often beside it, and the quotes of it as a
    speaker (by its name or one of its variants)."""
    entry = snap.entity(name)
    if entry is None:
        raise NotFoundError(f"no person, organisation or place named {name!r} in the briefs")
    key = entry.name.casefold()
    stories = _newest(snap, entry.stories)
    together: Counter = Counter()
    for stats in stories:
        together.update({k for k in snap.story_entities.get(stats.id, ()) if k != key})
    co_occurring = [{"name": snap.entities[k].name, "label": snap.entities[k].label, "stories": n}
                    for k, n in together.most_common(CO_OCCURRING)]
    return {"name": entry.name, "label": entry.label, "variants": sorted(entry.variants), "total": len(stories),
            "stories": [_story(s, mentions=entry.stories[s.id]) for s in stories[offset:offset + limit]],
            "co_occurring": co_occurring, "quotes": _quotes(snap, [entry.name, *entry.variants])}


def _quotes(snap: Snapshot, names: list[str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for speaker in dict.fromkeys(n.casefold() for n in names):
        found += snap.quotes.get(speaker, [])
    found = [q for q in found if q["story"] in snap.stories]
    found.sort(key=lambda q: (snap.stories[q["story"]].last_seen or "", q["story"]), reverse=True)
    return [dict(q, headline=snap.stories[q["story"]].headline) for q in found[:QUOTES]]


def outlet_view(snap: Snapshot, name: str, limit: int = 20) -> dict[str, Any]:
    """``{name, articles, stories, first_reports, copies_of_others, copied_by_others, copied_from, copied_by,
    latest_stories}``. A first report is a story whose earliest article (by publication time, else stored time; an
    original before a copy) is this outlet's; copies count only across outlets (an outlet's own reprints do not)."""
    outlet = snap.outlet(name)
    if outlet is None:
        raise NotFoundError(f"no outlet named {name!r} in the store")
    latest = list(islice((s for s in select(snap, ListQuery(sort="latest")) if s.id in outlet.stories), limit))
    return {"name": outlet.name, "articles": outlet.articles, "stories": len(outlet.stories),
            "first_reports": len(outlet.first_reported), "copies_of_others": outlet.copies_of_others,
            "copied_by_others": outlet.copied_by_others,
            "copied_from": [{"outlet": o, "copies": n} for o, n in outlet.copied_from.most_common(20)],
            "copied_by": [{"outlet": o, "copies": n} for o, n in outlet.copied_by.most_common(20)],
            "latest_stories": [_story(s, first_report=s.id in outlet.first_reported) for s in latest]}


__all__ = ["entity_view", "outlet_view"]
