"""Disagreements: sentences from different sources that tell the same fact with different numbers or dates.

Two sentences are aligned when their TF-IDF cosine (over crude word stems, so "killing" meets "killed") is high.
Numbers are compared by the word that follows them ("28 missiles" vs "30 missiles", "12 people" vs "19 people");
dates by their resolved values where both resolve and one is not a coarser form of the other ("2023" agrees with
"2023-03"). Each sentence's dates are read in its article's language (``find_dates``: Spanish, French and Italian
words too), and the alignment leaves out the stop words of the story's languages; numbers are compared in English
sentences only (the counted nouns are English words).
"""
from __future__ import annotations

import re
from functools import partial
from typing import Mapping, Sequence

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from ..nlp import find_dates
from ..nlp.language import language_tag
from ..nlp.stopwords import stop_words
from ..records import Article, Disagreement
from .sentences import Sentence, family

ALIGNED = 0.5  # cosine at or above which two sentences state the same fact
_WORDS = "one two three four five six seven eight nine ten eleven twelve dozen hundred thousand".split()
_COUNTED = r"[a-z]+s|people|persons|children|men|women|dead|injured|wounded|killed|missing"
_NUMBER = re.compile(r"\b(\d[\d,.]*|" + "|".join(_WORDS) + r")\s+(?:[a-z-]+\s+){0,2}?(" + _COUNTED + r")\b", re.I)
_SUFFIX = re.compile(r"(?:ings|ing|ers|er|ed|es|s)$")


def _stems(text: str, stops: frozenset[str] = stop_words()) -> list[str]:
    """Lowercased content words (``stops`` left out) with a crude suffix cut ("bombing", "bomber" -> "bomb"), so
    retellings align."""
    words = [w for w in re.findall(r"\w+", text.lower()) if w not in stops]
    return [w if len(w) <= 4 or w.isdigit() else _SUFFIX.sub("", w) or w for w in words]


def numbers(text: str) -> dict[str, str]:
    """{counted noun: number} for phrases like "28 Russian cruise missiles" -> {"missiles": "28"}."""
    found = {}
    for match in _NUMBER.finditer(text):
        value = match.group(1).rstrip(".,").lower()
        found.setdefault(match.group(2).lower(), value)
    return found


def _dates(text: str, published, language: str | None) -> set[str]:
    return {d.value for d in find_dates(text, published, language=language) if d.value}


def _compatible(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def _conflict(a: Sentence, b: Sentence, published: Mapping[str, object],
              language: Mapping[str, str | None]) -> tuple[str, str, str] | None:
    """(kind, value in a, value in b) when the aligned sentences disagree, else None. Numbers are compared in
    English (or undeclared) sentences only: the counted nouns are English words ("12 mars" is a French date)."""
    english = {language.get(a.article), language.get(b.article)} <= {None, "en"}
    na, nb = (numbers(a.text), numbers(b.text)) if english else ({}, {})
    for noun in sorted(set(na) & set(nb)):
        if na[noun] != nb[noun] and na[noun] not in nb.values() and nb[noun] not in na.values():
            return "number", f"{na[noun]} {noun}", f"{nb[noun]} {noun}"
    da = _dates(a.text, published.get(a.article), language.get(a.article))
    db = _dates(b.text, published.get(b.article), language.get(b.article))
    if len(da) == 1 and len(db) == 1:
        x, y = next(iter(da)), next(iter(db))
        if not _compatible(x, y):
            return "date", x, y
    return None


def disagreements(articles: Sequence[Article], sentences: Sequence[Sentence],
                  duplicate_of: Mapping[str, str | None], limit: int = 10) -> list[Disagreement]:
    """Aligned sentence pairs from different independent sources that give different numbers or dates."""
    factual = [s for s in sentences if re.search(r"\d|" + "|".join(_WORDS), s.text, re.I) and s.words >= 6]
    if len(factual) < 2:
        return []
    language = {a.id: language_tag(a.language) for a in articles}
    try:
        stops = stop_words(language.values())
        vectorizer = TfidfVectorizer(tokenizer=partial(_stems, stops=stops), token_pattern=None, lowercase=False)
        vectors = normalize(vectorizer.fit_transform([s.text for s in factual]))
    except ValueError:
        return []
    similarity = (vectors @ vectors.T).tocoo()  # sparse: only aligned pairs matter
    published = {a.id: a.published for a in articles}
    found: list[Disagreement] = []
    pairs = sorted((i, j) for i, j, v in zip(similarity.row, similarity.col, similarity.data) if i < j and v >= ALIGNED)
    for i, j in pairs:
        a, b = factual[i], factual[j]
        if family(a.article, duplicate_of) == family(b.article, duplicate_of):
            continue
        conflict = _conflict(a, b, published, language)
        if conflict:
            kind, x, y = conflict
            found.append(Disagreement(kind, a.text, ((a.article, x), (b.article, y))))
        if len(found) >= limit:
            break
    return found


__all__ = ["ALIGNED", "disagreements", "numbers"]
