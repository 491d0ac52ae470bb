"""Aggregates of the whole store that the front page's ranking, the entity pages and the outlet pages read: built
from a few narrow scans (``store/browse.py``) and reused until the store's files change.

The first request builds the snapshot; later ones get the current snapshot at once while a thread rebuilds it after
the store changed (at most every REFRESH_SECONDS, and no more often than keeps the rebuilds to REBUILD_SHARE of one
core: a store whose snapshot takes 3 s to read is reread at most every 15 s), so a page waits for a rebuild only on a server's first request
and the ranking trails a writing ``newsfuse run`` or ``watch`` by seconds.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..records import outlet_name
from ..store import SqliteStore, is_postgres_url, open_store
from ..store import browse
from .ranking import StoryStats, score_stories

REFRESH_SECONDS = 10.0  # the least time between two rebuilds
REBUILD_SHARE = 0.2     # and at most this share of one core spent rebuilding: a gap of 1/share build times
log = logging.getLogger("newsfuse.web")


@dataclass(slots=True)
class OutletStats:
    """One outlet measured from the lineage: its articles, their stories, who copied whom, who reported first."""

    name: str
    articles: int = 0
    stories: set[str] = field(default_factory=set)
    first_reported: set[str] = field(default_factory=set)
    copies_of_others: int = 0
    copied_by_others: int = 0
    copied_from: Counter = field(default_factory=Counter)  # other outlet -> copies this outlet made of it
    copied_by: Counter = field(default_factory=Counter)    # other outlet -> copies it made of this outlet


@dataclass(slots=True)
class EntityEntry:
    """A person, organisation or place as the briefs name it, with the stories that mention it."""

    name: str
    label: str
    stories: dict[str, int] = field(default_factory=dict)  # story id -> mentions in that story's brief
    variants: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Snapshot:
    now: datetime
    stories: dict[str, StoryStats]
    outlets: dict[str, OutletStats]
    entities: dict[str, EntityEntry]                 # by casefolded name
    aliases: dict[str, str]                          # casefolded variant -> entity key
    story_entities: dict[str, list[str]]             # story id -> entity keys in its brief
    quotes: dict[str, list[dict[str, Any]]]          # casefolded speaker -> {story, text, sources}
    fingerprint: tuple = ()
    built: float = 0.0  # when it was built (time.monotonic) and in how many seconds
    took: float = 0.0
    orders: dict[str, list[StoryStats]] = field(default_factory=dict)  # sort -> every story in that order
    memo: dict[str, Any] = field(default_factory=dict)  # other derived values, computed once per snapshot

    def entity(self, name: str) -> EntityEntry | None:
        key = name.strip().casefold()
        return self.entities.get(key) or self.entities.get(self.aliases.get(key, ""))

    def outlet(self, name: str) -> OutletStats | None:
        found = self.outlets.get(name.strip())
        if found is None:
            folded = name.strip().casefold()
            found = next((o for key, o in self.outlets.items() if key.casefold() == folded), None)
        return found


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    found = datetime.fromisoformat(value)
    return found if found.tzinfo else found.replace(tzinfo=timezone.utc)


def build_snapshot(store: SqliteStore, fingerprint: tuple = ()) -> Snapshot:
    """Read the store once: story statistics (scored as of the newest article's arrival, never later than the
    clock, so an archive ranks as it stood when its last article came in),
    outlets measured from the lineage, and the briefs' entities and quotes."""
    began = time.monotonic()
    facts = list(browse.article_facts(store))
    headlines = browse.story_headlines(store)
    stories = _story_stats(facts, headlines)
    newest = max((f["arrival"] for f in facts if f.get("arrival")), default=None)
    now = min(newest, datetime.now(timezone.utc)) if newest else datetime.now(timezone.utc)
    score_stories(list(stories.values()), now)
    snap = Snapshot(now, stories, _outlet_stats(facts), {}, {}, {}, {}, fingerprint)
    _index_briefs(snap, browse.brief_documents(store))
    snap.built = time.monotonic()
    snap.took = snap.built - began
    return snap


def _story_stats(facts: list[dict[str, Any]], headlines: dict[str, str]) -> dict[str, StoryStats]:
    stories: dict[str, StoryStats] = {}
    spans: dict[str, list[str | None]] = {}  # story -> [first published, last published, first stored, last stored]
    for fact in facts:
        story_id = fact["story_id"]
        if story_id is None:
            continue
        story = stories.get(story_id)
        if story is None:
            story = stories[story_id] = StoryStats(story_id, headlines.get(story_id, ""))
            spans[story_id] = [None, None, None, None]
        story.articles += 1
        fact["outlet"] = outlet_name(fact["site"], fact["url"], fact["path"])
        if fact["outlet"]:
            story.outlets.add(fact["outlet"])
        if fact["site"]:
            story.sites.add(fact["site"])
        if fact["language"]:
            story.languages.add(fact["language"])
        fact["arrival"] = _time(fact["published"] or fact["added"])
        if fact["duplicate_of"] is None and fact["arrival"] is not None:
            story.arrivals.append(fact["arrival"])
        _widen(spans[story_id], fact["published"], fact["added"])
    for story_id, (first_pub, last_pub, first_stored, last_stored) in spans.items():
        story = stories[story_id]
        story.first_seen, story.last_seen = (first_pub, last_pub) if first_pub else (first_stored, last_stored)
        story.seen_source = "published" if first_pub else "stored" if first_stored else None
    return stories


def _widen(span: list[str | None], published: str | None, added: str | None) -> None:
    if published:
        span[0] = min(span[0] or published, published)
        span[1] = max(span[1] or published, published)
    if added:
        span[2] = min(span[2] or added, added)
        span[3] = max(span[3] or added, added)


def _outlet_stats(facts: list[dict[str, Any]]) -> dict[str, OutletStats]:
    outlets: dict[str, OutletStats] = {}
    by_id: dict[str, str] = {}
    first: dict[str, tuple] = {}  # story -> (arrival, copy?, id, outlet) of its earliest article
    for fact in facts:
        name = fact.get("outlet") or outlet_name(fact["site"], fact["url"], fact["path"]) or "unknown source"
        by_id[fact["id"]] = name
        outlet = outlets.get(name)
        if outlet is None:
            outlet = outlets[name] = OutletStats(name)
        outlet.articles += 1
        story_id = fact["story_id"]
        if story_id is None:
            continue
        outlet.stories.add(story_id)
        arrival = fact.get("arrival")
        if arrival is not None:
            key = (arrival, fact["duplicate_of"] is not None, fact["id"], name)
            if story_id not in first or key < first[story_id]:
                first[story_id] = key
    for story_id, key in first.items():
        outlets[key[3]].first_reported.add(story_id)
    for fact in facts:
        source = by_id.get(fact["duplicate_of"] or "")
        name = by_id[fact["id"]]
        if source is None or source == name:
            continue
        outlets[name].copies_of_others += 1
        outlets[name].copied_from[source] += 1
        outlets[source].copied_by_others += 1
        outlets[source].copied_by[name] += 1
    return outlets


def _index_briefs(snap: Snapshot, documents: Any) -> None:
    for story_id, text in documents:
        if story_id not in snap.stories:
            continue
        try:
            brief = json.loads(text)
        except ValueError:
            continue
        keys = snap.story_entities.setdefault(story_id, [])
        for found in brief.get("entities") or []:
            name = str(found.get("name") or "").strip()
            if not name:
                continue
            key = name.casefold()
            entry = snap.entities.get(key)
            if entry is None:
                entry = snap.entities[key] = EntityEntry(name, str(found.get("label") or ""))
            entry.stories[story_id] = entry.stories.get(story_id, 0) + int(found.get("count") or 1)
            entry.variants.update(v for v in found.get("variants") or () if v and v != name)
            keys.append(key)
        for quote in brief.get("quotes") or []:
            speaker = str(quote.get("speaker") or "").strip().casefold()
            if speaker:
                snap.quotes.setdefault(speaker, []).append(
                    {"story": story_id, "text": quote.get("text", ""), "sources": list(quote.get("sources") or ())})
    for key, entry in snap.entities.items():
        for variant in entry.variants:
            snap.aliases.setdefault(variant.casefold(), key)


def fingerprint(path: str, store: Any = None) -> tuple:
    """What changes when the store is written. An SQLite file: its files' sizes and change times (a write through
    WAL changes the -wal file, a checkpoint the db; a stat costs microseconds). A PostgreSQL store: its counter of
    committed writes (``PostgresStore.changes``, one row read through ``store``)."""
    if is_postgres_url(path):
        return (store.changes(),) if store is not None else ()
    out = []
    for name in (path, path + "-wal"):
        try:
            stat = os.stat(name)
            out.append((stat.st_mtime_ns, stat.st_size))
        except OSError:
            out.append(None)
    return tuple(out)


class SnapshotCache:
    """The current snapshot of one store; rebuilt in a thread when the store's files change."""

    def __init__(self, path: str):
        self.path = path
        self.lock = threading.Lock()
        self.current: Snapshot | None = None
        self.refreshing = False
        # Set when a request found the store changed since the snapshot, cleared when a rebuild lands: the response
        # cache (web/cache.py) keeps nothing meanwhile, so pages read from the snapshot change with it.
        self.behind = False

    def get(self, store: SqliteStore) -> Snapshot:
        """The snapshot; built with ``store`` on the first call, else refreshed in the background when stale."""
        current = self.current
        if current is None:
            with self.lock:
                if self.current is None:
                    self.current = build_snapshot(store, fingerprint(self.path, store))
                return self.current
        stale = current.fingerprint != fingerprint(self.path, store)
        if stale:
            self.behind = True
        gap = max(REFRESH_SECONDS, current.took / REBUILD_SHARE)
        if stale and not self.refreshing and time.monotonic() - current.built >= gap:
            self.refreshing = True
            threading.Thread(target=self._refresh, name="newsfuse-snapshot", daemon=True).start()
        return current

    def fresh(self, store: SqliteStore) -> Snapshot | None:
        """The snapshot when nothing was written since it was read (else None, and a rebuild starts)."""
        found = self.get(store)
        return found if found.fingerprint == fingerprint(self.path, store) else None

    def _refresh(self) -> None:
        try:
            with open_store(self.path, readonly=True) as store:
                fresh = build_snapshot(store, fingerprint(self.path, store))
            with self.lock:
                self.current = fresh
                self.behind = False
        except Exception as exc:  # the next request tries again; pages keep the snapshot they have
            log.error("rebuilding the story snapshot failed: %s", exc)
        finally:
            self.refreshing = False


__all__ = ["EntityEntry", "OutletStats", "Snapshot", "SnapshotCache", "build_snapshot", "fingerprint"]
