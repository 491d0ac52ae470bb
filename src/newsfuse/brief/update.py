"""What is new in a story: the brief of a time window, saying only what earlier articles had not said.

The window holds the story's articles placed at or after its start (by publication time, else by when they were
stored); a duration counts back from the story's latest article, so ``1d`` is the story's last day whenever that
was, and on a live story about the last day until now. The summary reads only the window's sentences that no
earlier article of the story states (the citation test, :func:`newsfuse.nlp.supports`), so it is new that day; the
quotes are the window's that no earlier article carries, the timeline the window's own dates.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Mapping, Sequence

from ..config import BriefConfig
from ..nlp import SupportChecker, ngrams
from ..records import Article, Brief
from .build import build_brief
from .sentences import Sentence, story_sentences, text_tokens
from .summary import summarize


def _placed(article: Article, stored: Mapping[str, datetime]) -> datetime | None:
    """When an article counts as reported: its publication time, else when it was stored (both UTC)."""
    when = article.published or stored.get(article.id)
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when


def window_start(articles: Sequence[Article], since: datetime | timedelta,
                 stored: Mapping[str, datetime] | None = None) -> datetime | None:
    """The window's first instant: ``since`` itself, or just after the latest article's time minus the duration, so
    that ``1d`` over articles dated by the day holds the last day only (None when no article has a time)."""
    if isinstance(since, datetime):
        return since if since.tzinfo else since.replace(tzinfo=timezone.utc)
    times = [t for t in (_placed(a, stored or {}) for a in articles) if t is not None]
    return max(times) - since + timedelta(microseconds=1) if times else None


def novel(sentences: Sequence[Sentence], earlier: Sequence[Article]) -> list[Sentence]:
    """The sentences that no earlier article states."""
    checkers = [SupportChecker(a.text, text_tokens(a.text)) for a in earlier if a.text]
    out = []
    for s in sentences:
        grams3 = ngrams(s.tokens, 3)
        if not any(check.covers(s.tokens, grams3) for check in checkers):
            out.append(s)
    return out


def update_brief(story_id: str, articles: Sequence[Article], since: datetime | timedelta,
                 duplicate_of: Mapping[str, str | None] = {}, config: BriefConfig = BriefConfig(),
                 stored: Mapping[str, datetime] | None = None) -> tuple[Brief, list[Article]]:
    """The brief of what is new in the window starting at ``since`` (a time, or a duration back from the latest
    article), and the window's articles. ``stored`` places articles without a publication time."""
    stored = stored or {}
    start = window_start(articles, since, stored)
    window = [a for a in articles if start is not None and (t := _placed(a, stored)) is not None and t >= start]
    if not window:
        return Brief(story=story_id, headline=""), []
    inside = {a.id for a in window}
    earlier = [a for a in articles if a.id not in inside]
    result = build_brief(story_id, window, duplicate_of, config)
    fresh = novel(story_sentences(window, duplicate_of), earlier)
    summary = summarize(window, config.words, duplicate_of=duplicate_of, sentences=fresh)
    known = [SupportChecker(a.text, text_tokens(a.text)) for a in earlier if a.text]
    quotes = tuple(q for q in result.quotes if not any(check(q.text) for check in known))
    first_day = min(t for a in window if (t := _placed(a, stored)) is not None).date().isoformat()
    timeline = tuple(e for e in result.timeline if e.resolved and e.date >= first_day[:len(e.date)])
    return replace(result, summary=tuple(summary), quotes=quotes, timeline=timeline), window


__all__ = ["novel", "update_brief", "window_start"]
