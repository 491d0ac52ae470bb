"""The front page's orders: what matters now (the default), the latest, the most independent sources, the biggest.

A story's arrivals are its original articles' times (publication time, else when newsfuse stored the article):
copies do not count, so a wire story reprinted by fifty sites does not outrank five outlets reporting it themselves.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

BREAKING_HOURS = 6.0   # "breaking": original sources that arrived in this many hours before now
HALF_LIFE_HOURS = 24.0  # a story's weight halves for every day since its latest original arrived
SORTS = ("now", "latest", "sources", "size")


@dataclass(slots=True)
class StoryStats:
    """What the ranking and the list's filters need of one story."""

    id: str
    headline: str = ""
    articles: int = 0
    arrivals: list[datetime] = field(default_factory=list)  # the originals' arrival times
    first_seen: str | None = None  # the span the list shows: publication times, else stored times (ISO)
    last_seen: str | None = None
    seen_source: str | None = None  # "published" or "stored": what first_seen and last_seen are
    outlets: set[str] = field(default_factory=set)
    sites: set[str] = field(default_factory=set)
    languages: set[str] = field(default_factory=set)
    recent: int = 0      # original sources that arrived within BREAKING_HOURS before now
    score: float = 0.0

    @property
    def sources(self) -> int:
        return len(self.arrivals)


def now_score(sources: int, recent: int, age_hours: float) -> float:
    """What matters now: independent sources, weighed up by their recent growth and down by age.

        score = log2(1 + S) * (1 + R / (1 + B)) * 2 ** (-A / 24)

    S: the story's original (not copied) articles; R: those that arrived in the last 6 hours (BREAKING_HOURS),
    B = S - R: those that arrived before; A: hours since the latest original arrived (HALF_LIFE_HOURS = 24).
    log2 makes the tenth outlet count less than the second; R / (1 + B) is the growth ("breaking": 3 new sources
    after 1 doubles the weight, 1 new after 20 hardly moves it); the half-life lets yesterday's big story yield to
    today's. A story with no original scores 0.
    """
    if sources <= 0:
        return 0.0
    before = sources - recent
    return math.log2(1 + sources) * (1 + recent / (1 + before)) * 2 ** (-max(0.0, age_hours) / HALF_LIFE_HOURS)


def score_stories(stories: list[StoryStats], now: datetime) -> None:
    """Set each story's ``recent`` and ``score`` as of ``now``."""
    cutoff = now - timedelta(hours=BREAKING_HOURS)
    for story in stories:
        if not story.arrivals:
            story.recent, story.score = 0, 0.0
            continue
        story.recent = sum(1 for t in story.arrivals if t > cutoff)
        age = (now - max(story.arrivals)).total_seconds() / 3600
        story.score = now_score(story.sources, story.recent, age)


def ordered(stories: list[StoryStats], sort: str) -> list[StoryStats]:
    """The stories in the given order; ties fall to the latest, then to the id (a stable page order)."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    by_id = sorted(stories, key=lambda s: s.id)
    by_latest = sorted(by_id, key=lambda s: s.last_seen or "", reverse=True)
    if sort == "latest":
        return by_latest
    key = {"now": lambda s: s.score, "sources": lambda s: s.sources, "size": lambda s: s.articles}[sort]
    return sorted(by_latest, key=key, reverse=True)


__all__ = ["BREAKING_HOURS", "HALF_LIFE_HOURS", "SORTS", "StoryStats", "now_score", "ordered", "score_stories"]
