"""Online story assignment: each article joins the most similar recent story or founds a new one.

Similarity to a story = ``title_weight`` x cos(title) + ``body_weight`` x cos(body) + ``entity_weight`` x
cos(entities), each a cosine between the article's field vector and the story's centroid (the sum of its
articles' vectors), renormalised over the fields the article has (an article without a title is judged on body
and entities). A story is cold, so not joinable, when a dated article is more than ``window_days`` after the
story's last dated article (or before its first); undated articles and undated stories have no time term.

Scoring is an inverted index per field: hashed term -> (story, weight) postings, one posting per article and
term. Because a centroid is a sum, dot(article, centroid) is the sum of the postings of the article's terms,
one ``np.bincount`` over all stories; centroid norms are updated in O(1) from that same dot product when an
article joins (|c + v|^2 = |c|^2 + 2 c.v + |v|^2). Vectors are weighted with the IDF known when the article
arrives; ``prime`` counts a batch's document frequencies first so early articles are weighted as well as late.

Analyst ``Corrections`` are respected: story ids resolve through its merges (so ``load`` folds an alias story
into its kept story), a split article founds a new story, and an excluded (story, article) pair is never joined.
``merge(a, b)`` merges two held stories (the older id stays) and returns the alias map.
"""
from __future__ import annotations

import math
from array import array
from collections import Counter
from typing import Iterable

import numpy as np

from ..config import ClusterConfig
from ..dedup import time_key
from ..records import Article, to_utc
from .corrections import Corrections
from .features import FIELDS, OnlineIdf, TermCounts, term_counts


def story_id_for(article_id: str) -> str:
    """A story's id, derived from its founding article's id so reruns give the same ids."""
    return "s" + article_id


class _Postings:
    """Inverted index of one field: term -> stories (int32) and weights (float32), plus centroid norms."""

    def __init__(self) -> None:
        self.stories: dict[int, array] = {}
        self.weights: dict[int, array] = {}
        self.norm2: array = array("d")

    def dots(self, indices: np.ndarray, weights: np.ndarray, n_stories: int) -> np.ndarray:
        """dot(article vector, centroid) for every story."""
        parts_s, parts_w = [], []
        for term, weight in zip(indices.tolist(), weights.tolist()):
            stories = self.stories.get(term)
            if stories is not None:
                parts_s.append(np.frombuffer(stories, dtype=np.int32))
                parts_w.append(np.frombuffer(self.weights[term], dtype=np.float32) * weight)
        if not parts_s:
            return np.zeros(n_stories)
        return np.bincount(np.concatenate(parts_s), weights=np.concatenate(parts_w), minlength=n_stories)

    def relabel(self, old: int, new: int) -> None:
        """Fold story ``old`` into ``new``: |c_new + c_old|^2 from the cross dot product, then move postings."""
        cross = 0.0
        for term, stories in self.stories.items():
            s = np.frombuffer(stories, dtype=np.int32)
            if (s == old).any() and (s == new).any():
                w = np.frombuffer(self.weights[term], dtype=np.float32)
                cross += float(w[s == old].sum()) * float(w[s == new].sum())
            if (s == old).any():
                s = s.copy()
                s[s == old] = new
                self.stories[term] = array("i", s.tobytes())
        self.norm2[new] += self.norm2[old] + 2.0 * cross
        self.norm2[old] = 0.0

    def add(self, story: int, indices: np.ndarray, weights: np.ndarray, dot: float) -> None:
        """Add an article vector to a story's centroid; ``dot`` is dot(vector, centroid) before adding."""
        while len(self.norm2) <= story:
            self.norm2.append(0.0)
        if len(indices) == 0:
            return
        for term, weight in zip(indices.tolist(), weights.tolist()):
            if term not in self.stories:
                self.stories[term], self.weights[term] = array("i"), array("f")
            self.stories[term].append(story)
            self.weights[term].append(weight)
        self.norm2[story] += 2.0 * dot + float(np.dot(weights, weights))


class StoryAssigner:
    """Assigns articles, in time order, to stories; keeps story centroids in memory.

    ``assign`` returns a story id (``"s" + founding article id``). ``load`` rebuilds state from stored stories;
    ``prime`` counts a batch's document frequencies before assigning it. ``counts`` tallies joined/new/copy.
    """

    def __init__(self, config: ClusterConfig | None = None, corrections: Corrections | None = None):
        self.config = config or ClusterConfig()
        self.corrections = corrections or Corrections()
        self.idf = {name: OnlineIdf() for name in FIELDS}
        self._index = {name: _Postings() for name in FIELDS}
        self._ids: list[str] = []
        self._slot: dict[str, int] = {}
        self._first: list[float] = []  # per story, POSIX seconds; nan when the story has no dated article
        self._last: list[float] = []
        self._primed: set[str] = set()
        self._merged: set[int] = set()  # slots folded into another story by merge()
        self.story_of: dict[str, str] = {}
        self.counts: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def weights(self) -> dict[str, float]:
        c = self.config
        return {"title": c.title_weight, "body": c.body_weight, "entities": c.entity_weight}

    def prime(self, articles: Iterable[Article]) -> int:
        """Count document frequencies of articles about to be assigned (once each); returns how many."""
        seen = 0
        for article in articles:
            if article.id not in self._primed and article.id not in self.story_of:
                self._count(term_counts(article))
                self._primed.add(article.id)
                seen += 1
        return seen

    def assign(self, article: Article, copy_of_story: str | None = None) -> str:
        """The story of ``article``: ``copy_of_story`` for a dedup copy, else the best joinable story at or
        above ``threshold``, else a new story. Assigning an id again returns its earlier story."""
        if article.id in self.story_of:
            return self.story_of[article.id]
        terms = term_counts(article)
        if article.id in self._primed:
            self._primed.discard(article.id)
        else:
            self._count(terms)
        vectors = {name: (terms[name].indices, self.idf[name].weigh(terms[name])) for name in FIELDS}
        dots = {name: self._index[name].dots(*vectors[name], len(self._ids)) for name in FIELDS}
        when = self._time(article)
        if copy_of_story is not None:
            copy_of_story = self.corrections.resolve(copy_of_story)
            slot, kind = self._slot.get(copy_of_story), "copy"
            slot = self._new_story(copy_of_story) if slot is None else slot
        else:
            slot = None if article.id in self.corrections.splits else self._best(vectors, dots, when, article.id)
            kind = "joined" if slot is not None else "new"
            if slot is None:
                story_id = self.corrections.resolve(story_id_for(article.id))
                slot = self._slot.get(story_id)
                slot = self._new_story(story_id) if slot is None else slot
        self._join(slot, vectors, dots, when)
        self.counts[kind] += 1
        self.story_of[article.id] = self._ids[slot]
        return self._ids[slot]

    def similarities(self, article: Article) -> dict[str, float]:
        """Combined similarity of an article to every story it could join (for explanations and tuning)."""
        terms = term_counts(article)
        vectors = {name: (terms[name].indices, self.idf[name].weigh(terms[name])) for name in FIELDS}
        dots = {name: self._index[name].dots(*vectors[name], len(self._ids)) for name in FIELDS}
        combined = self._combined(vectors, dots, self._time(article))
        return {self._ids[i]: float(combined[i]) for i in np.flatnonzero(combined > 0)}

    def load(self, stories: Iterable[tuple[str, Iterable[Article]]]) -> int:
        """Rebuild state from stored stories ``(story_id, articles)``; returns how many stories were loaded.

        Document frequencies of all loaded articles are counted before any vector is weighted.
        """
        held = [(story_id, sorted(articles, key=time_key)) for story_id, articles in stories]
        self.prime(article for _, articles in held for article in articles)
        for story_id, articles in held:
            for article in articles:
                self.assign(article, copy_of_story=story_id)
                self.counts["copy"] -= 1
                self.counts["loaded"] += 1
        return len(held)

    def _count(self, terms: dict[str, TermCounts]) -> None:
        for name in FIELDS:
            self.idf[name].count(terms[name])

    def _combined(self, vectors: dict, dots: dict[str, np.ndarray], when: float) -> np.ndarray:
        """Weighted cosines to every story, renormalised over the fields the article has; cold stories 0."""
        n = len(self._ids)
        total, used = np.zeros(n), 0.0
        for name, weight in self.weights.items():
            if len(vectors[name][0]) == 0 or weight == 0:
                continue
            norms = np.sqrt(np.frombuffer(self._index[name].norm2, dtype=np.float64)[:n])
            total += weight * np.divide(dots[name], norms, out=np.zeros(n), where=norms > 0)
            used += weight
        if used:
            total /= used
        if not math.isnan(when) and n:
            window = self.config.window_days * 86_400.0
            first, last = np.array(self._first), np.array(self._last)
            cold = (when - last > window) | (first - when > window)  # nan compares False: undated stay warm
            total[cold] = 0.0
        return total

    def merge(self, a: str, b: str) -> dict[str, str]:
        """Merge two held stories: the older (founded first here) keeps its id, the other becomes its alias.

        Returns ``{alias: kept}`` (empty if they are one story already); ``self.corrections`` records it, so later
        assignments and a ``load`` with the same corrections resolve the alias. Costs one pass over the index.
        """
        slots = sorted({self._slot[self.corrections.resolve(s)] for s in (a, b)})
        if len(slots) == 1:
            return {}
        kept, alias = slots
        self.corrections, aliases = self.corrections.merge(self._ids[kept], self._ids[alias], keep=self._ids[kept])
        for name in FIELDS:
            self._index[name].relabel(alias, kept)
        self._first[kept] = min(x for x in (self._first[kept], self._first[alias]) if not math.isnan(x)) \
            if not (math.isnan(self._first[kept]) and math.isnan(self._first[alias])) else math.nan
        self._last[kept] = max(x for x in (self._last[kept], self._last[alias]) if not math.isnan(x)) \
            if not (math.isnan(self._last[kept]) and math.isnan(self._last[alias])) else math.nan
        self._merged.add(alias)
        self._slot[self._ids[alias]] = kept
        self.story_of = {i: self.corrections.resolve(s) for i, s in self.story_of.items()}
        return aliases

    def _best(self, vectors: dict, dots: dict[str, np.ndarray], when: float, article_id: str = "") -> int | None:
        if not self._ids:
            return None
        combined = self._combined(vectors, dots, when)
        if self._merged:
            combined[list(self._merged)] = 0.0
        for story_id in self.corrections.excluded_stories(article_id):
            if story_id in self._slot:
                combined[self._slot[story_id]] = 0.0
        best = int(np.argmax(combined))  # ties go to the oldest story
        return best if combined[best] >= self.config.threshold else None

    def _new_story(self, story_id: str) -> int:
        self._slot[story_id] = len(self._ids)
        self._ids.append(story_id)
        self._first.append(math.nan)
        self._last.append(math.nan)
        return len(self._ids) - 1

    def _join(self, slot: int, vectors: dict, dots: dict[str, np.ndarray], when: float) -> None:
        for name in FIELDS:
            dot = float(dots[name][slot]) if slot < len(dots[name]) else 0.0
            self._index[name].add(slot, *vectors[name], dot)
        if not math.isnan(when):
            self._first[slot] = min(self._first[slot], when) if not math.isnan(self._first[slot]) else when
            self._last[slot] = max(self._last[slot], when) if not math.isnan(self._last[slot]) else when

    @staticmethod
    def _time(article: Article) -> float:
        published = to_utc(article.published)
        return published.timestamp() if published else math.nan


__all__ = ["StoryAssigner", "story_id_for"]
