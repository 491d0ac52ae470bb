"""Stop words per language: the words a brief's TF-IDF and concepts leave out.

English keeps scikit-learn's list (what the summary was tuned and gated with); every other language with a list in
spaCy (``spacy.lang.<code>.stop_words``, part of spaCy itself: no model needed) gets that list; a language spaCy
has no list for falls back to English's, as every language did before. A text of several languages is read with
the union of their lists.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import import_module
from typing import Iterable

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from .language import language_tag


@lru_cache(maxsize=None)
def _one(language: str) -> frozenset[str]:
    if language == "en":
        return ENGLISH_STOP_WORDS
    try:
        words = import_module(f"spacy.lang.{language}.stop_words").STOP_WORDS
    except ImportError:  # no list for this language in spaCy
        return ENGLISH_STOP_WORDS
    return frozenset(w.lower() for w in words)


@lru_cache(maxsize=256)
def _union(languages: tuple[str, ...]) -> frozenset[str]:
    lists = [_one(language) for language in languages]
    return lists[0] if len(lists) == 1 else frozenset().union(*lists)


def stop_words(languages: Iterable[str | None] = ()) -> frozenset[str]:
    """The stop words of text in ``languages`` (tags such as "fr" or "fr-CA"; None or an unknown tag: English),
    the union of each language's list; English's for no language at all."""
    tags = tuple(sorted({language_tag(x) or "en" for x in languages})) or ("en",)
    return _union(tags)


__all__ = ["stop_words"]
