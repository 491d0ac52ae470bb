"""The cited extractive summary and the headline.

Coverage with a prior. Concepts (content words and word pairs) weigh as many independent sources as carry them.
Each sentence has a prior: its closeness to the story's TF-IDF centroid (independent articles plus titles), raised
by the share of independent sources that support it and by an early position in its article, lowered when it opens
by referring back ("He added", "However,"). Greedily, the sentence whose not-yet-covered concepts weigh most (times
its prior) is taken; covered concepts no longer count and restatements are skipped, so the summary does not repeat
itself (maximal marginal relevance in coverage form). Sentences fit in the word budget and print in story order.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, repeat
from operator import or_
from typing import Callable, Mapping, Sequence

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.preprocessing import normalize

from ..nlp import word_tokens
from ..nlp.stopwords import stop_words
from ..records import Article, Cited
from .sentences import Sentence, family, story_sentences, support, text_tokens
from .tfidf import Tfidf, fit_unit_rows

_STOP = ENGLISH_STOP_WORDS


@dataclass(frozen=True, slots=True)
class Weights:
    """Knobs of the sentence choice; the defaults were tuned on the AllSides roundups (tests/brief gate)."""

    support: float = 0.3  # bonus per share of the other independent sources that also state the sentence
    lead: float = 0.5  # bonus for an article's first sentence, decaying as 1 / (1 + position)
    dangling: float = 0.5  # factor for sentences that open by referring back
    centrality: float = 1.0  # offset added to the cosine to the centroid (larger: centrality matters less)
    length: float = 0.5  # gains are divided by words ** length
    duplicate: float = 0.8  # cosine to a chosen sentence above which a sentence is a restatement, never picked
    title: float = 1.0  # weight of the titles in the centroid, relative to the texts


def _content_words(tokens: Sequence[str]) -> list[str]:
    """The TF-IDF analyzer: a text's word tokens (see :func:`newsfuse.nlp.word_tokens`) without stop words.

    The same terms as ``TfidfVectorizer(stop_words="english", token_pattern=r"(?u)\\b\\w+\\b")`` finds in the text,
    from tokens the summary has already split."""
    return [w for w in tokens if w not in _STOP]


@lru_cache(maxsize=64)
def content_words(stops: frozenset[str] = _STOP) -> Callable[[Sequence[str]], list[str]]:
    """The TF-IDF analyzer that leaves out ``stops`` (``nlp.stopwords.stop_words`` of the text's languages):
    :func:`_content_words` for English's list."""
    if stops is _STOP:
        return _content_words
    return lambda tokens: [w for w in tokens if w not in stops]


def _fit(tokens: Sequence[Sequence[str]], stops: frozenset[str] = _STOP) -> tuple[Tfidf | None, np.ndarray]:
    """A TF-IDF model fitted on the story's sentences (given as word tokens), and their unit vectors: scikit-learn's
    ``TfidfVectorizer(analyzer=content_words(stops), sublinear_tf=True)`` and ``normalize``, float for float (see
    :mod:`newsfuse.brief.tfidf`). None when the sentences have only stop words."""
    return fit_unit_rows(tokens, content_words(stops))


def _centroid(model: Tfidf | None, articles: Sequence[Article],
              duplicate_of: Mapping[str, str | None], weights: Weights, stops: frozenset[str] = _STOP) -> np.ndarray:
    """Mean of the unit vectors of the independent articles (text plus weighted title)."""
    originals = [a for a in articles if family(a.id, duplicate_of) == a.id] or list(articles)
    if model is None:
        return np.zeros(1)
    texts = [text_tokens(a.text) for a in originals] + [word_tokens(a.title or "") for a in originals]
    rows = model.unit_rows(texts, content_words(stops))  # one row per text, then one per title
    centroid = (rows[:len(originals)] + weights.title * rows[len(originals):]).mean(axis=0)
    norm = np.linalg.norm(centroid)
    return centroid / norm if norm else centroid


def _units(words: Sequence[str], stops: frozenset[str] = _STOP) -> set[tuple[str, ...]]:
    """Content words and word pairs (not both stop words) of a text's word tokens."""
    content = [w not in stops for w in words]
    units: set[tuple[str, ...]] = set(zip(compress(words, content)))  # (word,) for each content word
    units.update(compress(zip(words, words[1:]), map(or_, content, content[1:])))  # pairs with a content word
    return units


def concepts(text: str, language: str | None = None) -> set[tuple[str, ...]]:
    """Content words and word pairs (not both stop words of ``language``) of ``text``: the units of coverage."""
    return _units(word_tokens(text), stop_words([language]))


def concept_weights(articles: Sequence[Article], duplicate_of: Mapping[str, str | None]) -> Counter:
    """How many independent sources (text or title) carry each concept (stop words of the articles' languages
    left out)."""
    stops = stop_words(a.language for a in articles)
    by_family: dict[str, set] = {}
    for article in articles:
        units = _units(text_tokens(article.text), stops)
        units |= _units(word_tokens(article.title or ""), stops)
        key = family(article.id, duplicate_of)
        if key in by_family:
            by_family[key] |= units
        else:
            by_family[key] = units
    if len(by_family) == 1:  # one source: each of its concepts once (as Counter.update would count them)
        (only,) = by_family.values()
        return Counter(dict.fromkeys(only, 1))
    weight: Counter = Counter()
    for units in by_family.values():
        weight.update(units)
    return weight


def score(sentences: Sequence[Sentence], centrality: np.ndarray, families: int,
          weights: Weights = Weights()) -> np.ndarray:
    """Prior of each sentence: (offset + centrality) x support x lead x (dangling penalty) / words ** length."""
    support = np.array([(s.independent - 1) / max(1, families - 1) for s in sentences])
    lead = np.array([1.0 / (1 + s.position) for s in sentences])
    penalty = np.array([weights.dangling if s.dangling else 1.0 for s in sentences])
    size = np.array([max(1, s.words) ** weights.length for s in sentences], dtype=float)
    return ((weights.centrality + centrality) * (1 + weights.support * support) * (1 + weights.lead * lead)
            * penalty / size)


def select(sentences: Sequence[Sentence], prior: np.ndarray, vectors: np.ndarray, units: Sequence[set],
           weight: Mapping, words: int, weights: Weights = Weights()) -> list[int]:
    """Greedy coverage: each step takes the sentence whose not-yet-covered concepts weigh most (times its
    prior), skipping restatements of chosen sentences, while sentences fit in ``words``."""
    pool = [i for i, s in enumerate(sentences) if s.summarisable and s.words <= words]
    uncovered = {i: sum(map(weight.get, units[i], repeat(0))) for i in pool}  # weight of each one's new concepts
    covered: set = set()
    chosen: list[int] = []
    used = 0
    while pool:
        gains = prior[pool] * np.array([uncovered[i] for i in pool], dtype=float)
        best = pool[int(np.argmax(gains))]
        if gains.max() <= 0:
            break
        chosen.append(best)
        used += sentences[best].words
        new = units[best] - covered
        covered |= new
        near = vectors[pool] @ vectors[best]
        pool = [i for i, sim in zip(pool, near) if i != best and sim < weights.duplicate
                and used + sentences[i].words <= words]
        for i in pool:  # integer weights: the order of the subtractions does not matter
            if not new.isdisjoint(units[i]):
                uncovered[i] -= sum(map(weight.get, units[i] & new, repeat(0)))
    return chosen


def _story_order(sentences: Sequence[Sentence], chosen: list[int]) -> list[int]:
    """Print order: by relative position in the article, then by article."""
    return sorted(chosen, key=lambda i: (sentences[i].position, sentences[i].order))


def summarize(articles: Sequence[Article], words: int, *, duplicate_of: Mapping[str, str | None] | None = None,
              weights: Weights = Weights(), sentences: Sequence[Sentence] | None = None,
              weight: Mapping | None = None) -> list[Cited]:
    """An extractive summary of at most ``words`` words (lowercased ``\\w+`` tokens), each sentence citing
    every article that supports it. ``sentences`` and ``weight`` (:func:`concept_weights`) are computed unless
    given. Stop words are those of the articles' languages (``nlp.stopwords``)."""
    duplicate_of = duplicate_of or {}
    sentences = list(sentences) if sentences is not None else story_sentences(articles, duplicate_of)
    if not sentences:
        return []
    stops = stop_words(a.language for a in articles)
    tokens = [s.tokens for s in sentences]
    vectorizer, vectors = _fit(tokens, stops)
    centroid = _centroid(vectorizer, articles, duplicate_of, weights, stops)
    centrality = vectors @ centroid if centroid.shape[0] == vectors.shape[1] else np.zeros(len(sentences))
    families = len({family(a.id, duplicate_of) for a in articles})
    prior = score(sentences, centrality, families, weights)
    # Only the sentences select() may pick need their concepts.
    units = [_units(s.tokens, stops) if s.words <= words and s.summarisable else set() for s in sentences]
    weight = concept_weights(articles, duplicate_of) if weight is None else weight
    chosen = _story_order(sentences, select(sentences, prior, vectors, units, weight, words, weights))
    return [Cited(sentences[i].text, sentences[i].sources, *support(sentences[i].sources, duplicate_of))
            for i in chosen]


def choose_headline(articles: Sequence[Article], summary: Sequence[Cited],
                    duplicate_of: Mapping[str, str | None] | None = None) -> str:
    """The most central title of the story: the original's title (copies' only when no original has one) whose
    TF-IDF cosines with the other titles sum highest, the earliest on a tie; else the first summary sentence.
    It depends on the members only (a rerun or a resumed run names a story as an uninterrupted one does), and one
    more report moves it only when that report's title changes which title is most central."""
    duplicate_of = duplicate_of or {}
    titled = [a for a in articles if a.title and a.title.strip()]
    originals = [a for a in titled if not duplicate_of.get(a.id)]
    titled = originals or titled
    if not titled:
        return summary[0].text if summary else ""
    titles = [" ".join((a.title or "").split()) for a in titled]
    if len(set(titles)) == 1:  # one title (or copies of it): nothing to choose between
        return titles[0]
    try:
        matrix = normalize(TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(titles))
    except ValueError:
        return titles[0]
    centrality = np.asarray((matrix @ matrix.T).sum(axis=1)).ravel() - 1.0
    return titles[int(np.argmax(centrality))]


__all__ = ["Weights", "choose_headline", "concept_weights", "concepts", "score", "select", "summarize"]
