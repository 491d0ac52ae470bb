"""The timeline of a long-running story: its most important dates, each with what happened that day, cited.

Dates come from the text: every date a sentence names ("on Tuesday", "April 20", "yesterday", "in 2022"; in Spanish,
French and Italian "el lunes", "le 3 février", "ieri" as well), resolved against its article's publication day
(newsfuse.nlp.find_dates, in the article's language). Each article votes for the days it names, more for
a day it still names long after (see :func:`rank_dates`), and for the day it appeared; the most voted dates are the
timeline's (date-wise timeline summarisation, as Ghalandari & Ifrim 2020 call it). Each date's entry is taken from
the sentences that name it, those published within a few days of it first: the one closest to their TF-IDF
centroid, then the next closest that does not restate it.
"""
from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Collection, Iterable, Mapping, Sequence

import numpy as np

from ..nlp import SupportChecker, find_dates, ngrams, sentence_spans, trim_dateline, word_tokens
from ..nlp.stopwords import stop_words
from ..records import Article, Event
from .sentences import MIN_WORDS, text_tokens
from .summary import content_words
from .tfidf import fit_unit_rows

FOLLOW_DAYS = 2  # an entry prefers sentences published on its date or at most this many days after
RESTATES = 0.5  # TF-IDF cosine above which a sentence restates one already in the entry


@dataclass(frozen=True, slots=True)
class DatedSentence:
    """A sentence of an article, with the dates it names (ISO ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``) and the day its
    article appeared."""

    text: str
    article: str
    position: int
    published: date | None
    days: tuple[str, ...]  # the dates it names, in text order, each once
    phrases: tuple[str, ...]  # how the text words each of ``days`` ("on Tuesday", "last March")
    tokens: tuple[str, ...]


def _day(value: datetime | date | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _first_day(value: str) -> date:
    """The first day of an ISO day, month or year."""
    return date.fromisoformat(value if len(value) == 10 else f"{value}-01-01" if len(value) == 4 else f"{value}-01")


def _valid(value: str) -> bool:
    """A calendar date ("2024-13-45" written in a text is not)."""
    try:
        _first_day(value)
    except ValueError:
        return False
    return True


def dated_sentences(articles: Iterable[Article], reading: Mapping[str, Collection[int] | None] | None = None
                    ) -> list[DatedSentence]:
    """Every sentence of the articles with the days it names. ``reading``: per article, the paragraphs in which
    the entity recogniser widens the date phrases (none when absent: the date patterns alone)."""
    out = []
    for article in articles:
        published = _day(article.published)
        paragraphs = (reading or {}).get(article.id, ())
        mentions = find_dates(article.text, published, paragraphs, article.language)
        starts = [m.start for m in mentions]
        for position, (start, end) in enumerate(sentence_spans(article.text)):
            inside = mentions[bisect_left(starts, start):bisect_left(starts, end)]
            named = {m.value: " ".join(m.text.split()) for m in reversed(inside) if m.value and _valid(m.value)}
            text = trim_dateline(" ".join(article.text[start:end].split()))
            days = tuple(reversed(named))  # in text order, each day once (its first phrase)
            out.append(DatedSentence(text, article.id, position, published, days, tuple(named[d] for d in days),
                                     tuple(word_tokens(text))))
    return out


def rank_dates(sentences: Sequence[DatedSentence], start: date | None = None, end: date | None = None,
               days_only: bool = False) -> list[tuple[str, float]]:
    """Dates by importance, most first (the earliest on a tie), within ``start`` and ``end`` when given; only days
    with ``days_only``.

    Each article votes once for each day it names on or before its publication day, by 1 + ln(1 + days between),
    so a day still named weeks later weighs more than one named only that evening; once for the day it was
    published; and once for each month or year it names. A date named only ahead of time (a plan, a deadline)
    gets no vote from that article."""
    named: dict[str, dict[str, date | None]] = defaultdict(dict)  # article -> date named -> its publication day
    published: dict[str, date] = {}
    for s in sentences:
        if s.published is not None:
            published[s.article] = s.published
        for value in s.days:
            if len(value) == 10 or not days_only:
                named[s.article][value] = s.published
    score: Counter = Counter(p.isoformat() for p in published.values())
    for dates in named.values():
        for value, when in dates.items():
            lag = (when - _first_day(value)).days if when else 0  # undated: a date it names on its own counts once
            if lag >= 0:
                score[value] += 1 + math.log1p(lag) if len(value) == 10 else 1
    lo, hi = (start.isoformat() if start else ""), (end.isoformat() if end else "9999")
    return sorted(((d, n) for d, n in score.items() if lo <= d <= hi), key=lambda x: (-x[1], x[0]))


def _candidates(day: str, naming: Sequence[DatedSentence], leads: Sequence[DatedSentence]) -> list[DatedSentence]:
    """Of the sentences that name ``day``, those published within FOLLOW_DAYS of it when there are any (for a day);
    else the leads of the articles published that day."""
    when = _first_day(day)
    naming = [s for s in naming if len(s.tokens) >= MIN_WORDS]
    near = [s for s in naming if len(day) == 10 and s.published and 0 <= (s.published - when).days <= FOLLOW_DAYS]
    return near or naming or [s for s in leads if len(s.tokens) >= MIN_WORDS]


def _pick(candidates: Sequence[DatedSentence], count: int, stops: frozenset[str]) -> list[DatedSentence]:
    """The ``count`` sentences closest to the candidates' TF-IDF centroid (``stops`` left out), skipping
    restatements."""
    model, vectors = fit_unit_rows([s.tokens for s in candidates], content_words(stops))
    if model is None:
        return list(candidates[:count])
    centroid = vectors.mean(axis=0)
    order = np.argsort(-(vectors @ centroid), kind="stable")
    chosen: list[int] = []
    for i in order:
        if len(chosen) == count:
            break
        if all(vectors[i] @ vectors[j] < RESTATES for j in chosen):
            chosen.append(int(i))
    return [candidates[i] for i in chosen]


def _cite(text: str, articles: Sequence[Article], own: str,
          checkers: dict[str, SupportChecker]) -> tuple[str, ...]:
    """Every article that states ``text`` (its own first)."""
    tokens = word_tokens(text)
    grams3 = ngrams(tokens, 3)
    found = [own]
    for a in articles:
        if a.id == own:
            continue
        check = checkers.get(a.id)
        if check is None:
            check = checkers[a.id] = SupportChecker(a.text, text_tokens(a.text))
        if check.covers(tokens, grams3):
            found.append(a.id)
    return tuple(found)


def build_timeline(articles: Sequence[Article], dates: int = 20, per_date: int = 1, *,
                   start: date | None = None, end: date | None = None,
                   sentences: Sequence[DatedSentence] | None = None,
                   reading: Mapping[str, Collection[int] | None] | None = None,
                   days_only: bool = False, cite: bool = True) -> list[Event]:
    """A timeline of at most ``dates`` dates (days, months or years; days only with ``days_only``), each with up
    to ``per_date`` sentences (one Event each), in date order; each Event cites every article that states it
    (unless ``cite`` is False: then its own article only). ``sentences`` are :func:`dated_sentences` of the
    articles, computed unless given."""
    sentences = dated_sentences(articles, reading) if sentences is None else sentences
    ranked = [d for d, _ in rank_dates(sentences, start, end, days_only)]
    naming: dict[str, list[DatedSentence]] = defaultdict(list)
    leads: dict[str, list[DatedSentence]] = defaultdict(list)
    for s in sentences:
        for day in s.days:
            naming[day].append(s)
        if s.published and s.position < 3:
            leads[s.published.isoformat()].append(s)
    checkers: dict[str, SupportChecker] = {}
    stops = stop_words(a.language for a in articles)
    events = []
    for day in ranked:
        if len({e.date for e in events}) == dates:
            break
        chosen = _pick(_candidates(day, naming[day], leads[day]), per_date, stops)
        for s in chosen:
            sources = _cite(s.text, articles, s.article, checkers) if cite else (s.article,)
            phrase = s.phrases[s.days.index(day)] if day in s.days else None
            events.append(Event(day, s.text, sources, True, phrase))
    events.sort(key=lambda e: e.date)
    return events


__all__ = ["DatedSentence", "build_timeline", "dated_sentences", "rank_dates"]
