"""Where a summary sentence comes from: the passage of a cited article that supports it.

The passage is the article sentence with the highest token overlap with the summary sentence; when that sentence
covers the summary sentence only partly and its neighbour adds to the coverage, the neighbour joins it.
Self-contained (a regex splitter), so the web does not load the NLP models on a request.

An article is split and tokenised once (``_analyse``, cached per text) for every summary sentence that cites it and
for later requests; a summary sentence whose tokens are exactly those of an article sentence (an extractive summary
copies its sentences) is answered by a dictionary lookup.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9])"
                           r"|(?<=[a-z][a-z][.!?])(?=[A-Z][a-z])")  # "war.National": text glued in scraping
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|Jr|Sr|Inc|Corp|Co|No|Vol|Jan|Feb|Mar|Apr|Jun|Jul|Aug|"
    r"Sep|Sept|Oct|Nov|Dec|vs|etc)|\b[A-Z](?:\.[A-Z])*)\.$")
_TOKEN = re.compile(r"\w+", re.UNICODE)
_STOP = frozenset(
    "a an and are as at be been but by for from had has have he her his i in is it its of on or said says she "
    "that the their they this to was were which who will with".split())


@dataclass(frozen=True, slots=True)
class Passage:
    """Sentences ``start``..``end`` (inclusive) of an article, their text, and the share of tokens they cover."""

    start: int
    end: int
    text: str
    coverage: float


def paragraphs(text: str) -> list[list[str]]:
    """The article's paragraphs (split on line breaks), each as its sentences."""
    out = []
    for block in text.splitlines():
        block = block.strip()
        if block:
            out.append(_join_abbreviations([s.strip() for s in _SENTENCE_END.split(block) if s.strip()]))
    return out


def _join_abbreviations(parts: list[str]) -> list[str]:
    """Undo splits after "Mr." or "U.S.": such a piece and the next are one sentence."""
    joined: list[str] = []
    for part in parts:
        if joined and _ABBREVIATION.search(joined[-1]):
            joined[-1] += " " + part
        else:
            joined.append(part)
    return joined


@lru_cache(maxsize=512)
def sentences(text: str) -> tuple[str, ...]:
    """Every sentence of the article, in order; the index is the sentence's anchor number on the article page."""
    return tuple(s for para in paragraphs(text) for s in para)


def tokens(text: str) -> frozenset[str]:
    if text.isascii():  # lowering the whole text once gives the same tokens only when it is ASCII
        found = set(_TOKEN.findall(text.lower()))
    else:
        found = {t.lower() for t in _TOKEN.findall(text)}
    content = found - _STOP
    return frozenset(content or found)


@dataclass(frozen=True, slots=True)
class _Analysis:
    """An article's sentences, their token sets, and the first sentence with each token set."""

    sentences: tuple[str, ...]
    sets: tuple[frozenset[str], ...]
    first: dict[frozenset[str], int]


@lru_cache(maxsize=512)
def _analyse(text: str) -> _Analysis:
    found = sentences(text)
    sets = tuple(tokens(s) for s in found)
    first: dict[frozenset[str], int] = {}
    for i, words in enumerate(sets):
        first.setdefault(words, i)
    return _Analysis(found, sets, first)


def best_passage(claim: str, text: str) -> Passage | None:
    """The passage of ``text`` that best supports ``claim``, or None when no sentence shares a content word."""
    wanted = tokens(claim)
    article = _analyse(text)
    candidates, sets = article.sentences, article.sets
    if not wanted or not candidates:
        return None
    same = article.first.get(wanted)
    if same is not None:  # the only score of 1.0 (all tokens, none more): the first such sentence is the best
        return Passage(same, same, candidates[same], 1.0)
    scores = [_overlap(wanted, s) for s in sets]
    best = max(range(len(candidates)), key=lambda i: (scores[i], -i))
    if scores[best] == 0:
        return None
    start, end = _widen(wanted, sets, best, scores[best])
    cover = len(wanted & frozenset().union(*sets[start:end + 1])) / len(wanted)
    return Passage(start, end, " ".join(candidates[start:end + 1]), round(cover, 3))


def _overlap(wanted: frozenset[str], found: frozenset[str]) -> float:
    """Share of the claim's tokens the sentence has, lightly penalising long sentences."""
    if not found:
        return 0.0
    shared = len(wanted & found)
    return shared / len(wanted) - 0.001 * max(0, len(found) - len(wanted))


def _widen(wanted: frozenset[str], sets: Sequence[frozenset[str]], best: int, score: float) -> tuple[int, int]:
    """Add the previous or next sentence when the claim spans two sentences (coverage grows by 20 points)."""
    if score >= 0.8:
        return best, best
    base = len(wanted & sets[best])
    gains = []
    for other in (best - 1, best + 1):
        if 0 <= other < len(sets):
            gains.append((len(wanted & (sets[best] | sets[other])) - base, other))
    if not gains:
        return best, best
    gain, other = max(gains)
    if gain / len(wanted) < 0.2:
        return best, best
    return min(best, other), max(best, other)


__all__ = ["Passage", "best_passage", "paragraphs", "sentences", "tokens"]
