"""The summary as an exact concept-coverage problem (Gillick & Favre 2009, "A scalable global model for
summarization"), measured against newsfuse's greedy summary by bench/tune_summary.py --ilp (bench/README.md,
issue 21, fourth session). It is not part of the library: it did not hold on AllSides nor clearly win on the
Timeline17 daily summaries.

Concepts are stemmed word pairs (pairs of two stop words left out). A concept weighs as many independent sources
(duplicate families) as state it, and counts only when enough of them do. The summary is the set of sentences,
within the word budget, whose concepts weigh most together, each concept counted once: an integer program solved
exactly by HiGHS (``scipy.optimize.milp``). Counting each concept once is what keeps the summary from repeating
itself, so no similarity threshold is needed.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from math import ceil
from typing import Mapping, Sequence

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from newsfuse.brief.sentences import Sentence, family, text_tokens
from newsfuse.records import Article

_STOP = ENGLISH_STOP_WORDS
_VOWELS = frozenset("aeiou")


@dataclass(frozen=True, slots=True)
class ConceptIlpConfig:
    """Knobs of the concept-coverage summary; the defaults are the leave-one-set-out choice (bench/README.md)."""

    min_share: float = 0.3  # a concept counts when this share of the independent sources states it (cut at 1..3)
    min_words: int = 10  # shorter sentences are not candidates
    per_article: int = 10  # candidates are each article's first sentences
    lead: float = 0.0  # a chosen sentence's concepts count again times lead / (1 + its position in its article)
    min_cut: int = 2  # a story whose cut (min_sources) is below this gets the greedy summary; 1: every story
    max_candidates: int = 800  # more candidates than this: the greedy summary instead
    time_limit: float = 10.0  # seconds for the solver; a problem not solved by then gets the greedy summary

    def __post_init__(self) -> None:
        if not 0 <= self.min_share <= 1:
            raise ValueError(f"min_share is a share of the sources, in [0, 1]; got {self.min_share}")
        if min(self.min_words, self.per_article, self.max_candidates, self.min_cut) < 1:
            raise ValueError("min_words, per_article, min_cut and max_candidates count words, sentences or "
                             "sources: at least 1")
        if self.lead < 0 or self.time_limit <= 0:
            raise ValueError(f"lead must be >= 0 and time_limit > 0; got {self.lead}, {self.time_limit}")


def _consonant(word: str, i: int) -> bool:
    """Porter's consonant: not a vowel, and "y" only after a vowel or first."""
    if word[i] in _VOWELS:
        return False
    return word[i] != "y" or i == 0 or not _consonant(word, i - 1)


def _measure(stem: str) -> int:
    """Porter's m: the number of vowel-consonant runs in the stem."""
    kinds = "".join("c" if _consonant(stem, i) else "v" for i in range(len(stem)))
    return kinds.count("vc")


def _has_vowel(stem: str) -> bool:
    return any(not _consonant(stem, i) for i in range(len(stem)))


def _cvc(stem: str) -> bool:
    """Ends consonant-vowel-consonant, the last not w, x or y ("hop", not "bow")."""
    return (len(stem) >= 3 and _consonant(stem, len(stem) - 1) and not _consonant(stem, len(stem) - 2)
            and _consonant(stem, len(stem) - 3) and stem[-1] not in "wxy")


def _step1b_tidy(stem: str) -> str:
    if stem.endswith(("at", "bl", "iz")):
        return stem + "e"
    if len(stem) >= 2 and stem[-1] == stem[-2] and _consonant(stem, len(stem) - 1) and stem[-1] not in "lsz":
        return stem[:-1]
    return stem + "e" if _measure(stem) == 1 and _cvc(stem) else stem


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Porter's step 1 (Porter 1980: plurals, "-ed", "-ing", final "y"), the part of the Porter stemmer that ROUGE's
    scorers use which joins a word's inflections ("killed", "killing", "kills" -> "kill")."""
    if len(word) <= 2 or not word.isalpha():
        return word
    if word.endswith("sses") or word.endswith("ies"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if word.endswith("eed"):
        word = word[:-1] if _measure(word[:-3]) > 0 else word
    else:
        for suffix in ("ed", "ing"):
            if word.endswith(suffix) and _has_vowel(word[:-len(suffix)]):
                word = _step1b_tidy(word[:-len(suffix)])
                break
    if word.endswith("y") and _has_vowel(word[:-1]):
        word = word[:-1] + "i"
    return word


def bigrams(tokens: Sequence[str]) -> set[tuple[str, str]]:
    """Stemmed word pairs of a text's word tokens, pairs of two stop words left out."""
    return {(stem(a), stem(b)) for a, b in zip(tokens, tokens[1:]) if a not in _STOP or b not in _STOP}


def bigram_weights(articles: Sequence[Article], duplicate_of: Mapping[str, str | None]) -> Counter:
    """How many independent sources (duplicate families, texts only) state each concept."""
    by_family: dict[str, set] = {}
    for article in articles:
        by_family.setdefault(family(article.id, duplicate_of), set()).update(bigrams(text_tokens(article.text)))
    weight: Counter = Counter()
    for units in by_family.values():
        weight.update(units)
    return weight


def min_sources(families: int, config: ConceptIlpConfig) -> int:
    """The fewest sources a concept needs: the share of the story's sources, between 1 and 3 (3 is Gillick &
    Favre's cut for ten-document topics)."""
    return max(1, min(3, ceil(config.min_share * families - 1e-9)))


def candidates(sentences: Sequence[Sentence], words: int, config: ConceptIlpConfig) -> list[int]:
    """Indices of the sentences the program may choose: summarisable, long enough, within the budget and among
    their article's first ``per_article``."""
    return [i for i, s in enumerate(sentences) if s.summarisable and config.min_words <= s.words <= words
            and s.position < config.per_article]


def _program(lengths: np.ndarray, occurs: csr_array, weights: np.ndarray, bonus: np.ndarray,
             words: int, time_limit: float) -> np.ndarray | None:
    """Solve max weights.c + bonus.s  s.t. lengths.s <= words, s_j <= c_i where j holds i, c_i <= sum of its
    holders s_j; all binary. The chosen sentences' mask, or None when not solved to optimality."""
    n, m = occurs.shape
    rows, cols = occurs.nonzero()
    k = len(rows)
    link = csr_array((np.r_[np.ones(k), -np.ones(k)], (np.r_[np.arange(k), np.arange(k)], np.r_[rows, n + cols])),
                     shape=(k, n + m))  # s_j - c_i <= 0
    cover = csr_array((np.r_[-np.ones(k), np.ones(m)], (np.r_[cols, np.arange(m)], np.r_[rows, n + np.arange(m)])),
                      shape=(m, n + m))  # c_i - sum_j s_j <= 0
    budget = csr_array(np.r_[lengths, np.zeros(m)].reshape(1, -1))
    constraints = [LinearConstraint(budget, -np.inf, words), LinearConstraint(link, -np.inf, 0),
                   LinearConstraint(cover, -np.inf, 0)]
    result = milp(-np.r_[bonus, weights], constraints=constraints, integrality=np.ones(n + m),
                  bounds=Bounds(0, 1), options={"time_limit": time_limit})
    if result.status != 0 or result.x is None:
        return None
    return result.x[:n] > 0.5


def select_concepts(sentences: Sequence[Sentence], words: int, articles: Sequence[Article],
                    duplicate_of: Mapping[str, str | None], config: ConceptIlpConfig = ConceptIlpConfig()
                    ) -> list[int] | None:
    """The sentences (indices) whose concepts weigh most within ``words``, or None when the program is not for
    this story: a cut below ``min_cut``, too many candidates, no concept among them, or not solved in time."""
    cut = min_sources(len({family(a.id, duplicate_of) for a in articles}), config)
    if cut < config.min_cut:  # with every concept counted, how many sources state one says little
        return None
    pool = candidates(sentences, words, config)
    if not pool or len(pool) > config.max_candidates:
        return None
    weight = bigram_weights(articles, duplicate_of)
    held = [{c for c in bigrams(sentences[i].tokens) if weight.get(c, 0) >= cut} for i in pool]
    index = {c: k for k, c in enumerate(sorted(set().union(*held)))}
    if not index:
        return None
    rows = [j for j, units in enumerate(held) for _ in units]
    cols = [index[c] for units in held for c in units]
    occurs = csr_array((np.ones(len(rows)), (rows, cols)), shape=(len(pool), len(index)))
    weights = np.array([weight[c] for c in sorted(index, key=index.get)], dtype=float)
    lengths = np.array([sentences[i].words for i in pool], dtype=float)
    bonus = config.lead * (occurs @ weights) / (1.0 + np.array([sentences[i].position for i in pool], dtype=float))
    mask = _program(lengths, occurs, weights, bonus, words, config.time_limit)
    return None if mask is None else [i for i, keep in zip(pool, mask) if keep]


__all__ = ["ConceptIlpConfig", "bigram_weights", "bigrams", "candidates", "min_sources", "select_concepts", "stem"]
