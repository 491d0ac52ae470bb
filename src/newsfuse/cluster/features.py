"""Article features for story grouping: one hashed TF-IDF row per article, the same in batch and live modes.

An article is read as its title (``TITLE_REPEATS`` times) and the first ``LEAD_WORDS`` words of its body: news
states its event in the lead, and a long page's later paragraphs (background, listicles, comment threads) add
words that unrelated pages share. Words are lowercased, numbers kept (they tell events apart), stop words
dropped, and hashed to ``N_FEATURES`` columns, so no vocabulary is fitted.

The weight of a term is ``(1 + ln tf) x idf ** IDF_POWER``. Its idf needs no batch: a document frequency is
estimated from a background corpus (wordfreq's word frequencies for the article's language, turned into the
share of ``_DOCUMENT_TOKENS``-token documents that hold the word) counted as ``PRIOR_DOCUMENTS`` documents, plus
the documents newsfuse has seen (``DocumentFrequencies``, persisted with the stories). So a first article is
weighed as well as the hundred-thousandth, a batch and the same articles fed day by day get nearly the same rows,
and words the stream itself repeats ("Trump" in a year of US politics) lose weight as they recur. The power above
one favours the rare terms (names, places, numbers) that separate one event from another of its topic.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, HashingVectorizer
from sklearn.utils import murmurhash3_32

from ..nlp.language import language_tag
from ..records import Article, to_utc

N_FEATURES = 1 << 20
LEAD_WORDS = 150  # body words read per article
TITLE_REPEATS = 2  # how many times the title is read
IDF_POWER = 1.5
PRIOR_DOCUMENTS = 1000  # how many documents the background corpus counts as
_DOCUMENT_TOKENS = 400  # the document length the background frequencies are turned into shares for
_UNSEEN = 1e-8  # the token frequency of a word the background does not list
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_CAPITALISED = re.compile(r"[A-Z][\w'’.-]*(?:[ \t]+(?:of[ \t]+|de[ \t]+|al-)?[A-Z][\w'’.-]*)*")
_EXTRA_STOPS = {"mr", "mrs", "ms", "dr", "said", "says", "monday", "tuesday", "wednesday", "thursday", "friday",
                "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december", "advertisement", "getty", "images", "ap",
                "reuters", "photo", "read", "watch", "click", "subscribe", "share"}
_STOPS = frozenset(ENGLISH_STOP_WORDS) | _EXTRA_STOPS


def article_time(article: Article) -> float:
    """The article's published time as UTC seconds since the epoch (nan when undated): the time axis clustering
    windows and orders on."""
    published = to_utc(article.published)
    return published.timestamp() if published else math.nan


def entity_tokens(text: str) -> list[str]:
    """Capitalised word runs as entity tokens: the whole run ("kim_jong_un") and each of its words."""
    tokens: list[str] = []
    for match in _CAPITALISED.finditer(text):
        parts = [w.strip(".'’-").lower() for w in match.group().split()]
        while parts and parts[0] in _STOPS:
            parts.pop(0)
        parts = [p for p in parts if p]
        if not parts or (len(parts) == 1 and (parts[0] in _STOPS or len(parts[0]) < 2)):
            continue
        tokens.extend(p for p in parts if p not in _STOPS)
        if len(parts) > 1:
            tokens.append("_".join(parts))
    return tokens


def plain_tokens(text: str) -> list[str]:
    """Lowercased words and numbers of two or more characters, stop words dropped, no stemming."""
    return [w for w in _TOKEN.findall(text.lower()) if w not in _STOPS]


def story_text(article: Article) -> str:
    """What story similarity reads: the title ``TITLE_REPEATS`` times, then the body's first ``LEAD_WORDS``
    words."""
    lead = " ".join(article.text.split(maxsplit=LEAD_WORDS)[:LEAD_WORDS])
    return ((article.title or "") + "\n") * TITLE_REPEATS + lead


def _column(word: str) -> int:
    """The column HashingVectorizer (alternate_sign off) puts ``word`` in."""
    return abs(murmurhash3_32(word, seed=0)) % N_FEATURES


def _share(frequency: float) -> float:
    return -math.expm1(-max(frequency, _UNSEEN) * _DOCUMENT_TOKENS)


@lru_cache(maxsize=8)
def column_shares(language: str) -> np.ndarray:
    """Per hashed column, the background document share of the words wordfreq lists for ``language`` (English
    for languages it does not know) that hash there, the largest where several do; unlisted words' share
    elsewhere. Built once per process and language (~0.5 s)."""
    import wordfreq

    if language not in wordfreq.available_languages("best"):
        language = "en"
    table = wordfreq.get_frequency_dict(language)
    words = list(table)
    columns = np.fromiter((_column(w) for w in words), dtype=np.int64, count=len(words))
    shares = -np.expm1(-np.maximum(np.fromiter(table.values(), dtype=np.float64, count=len(words)), _UNSEEN)
                       * _DOCUMENT_TOKENS)
    out = np.full(N_FEATURES, _share(0.0))
    np.maximum.at(out, columns, shares)
    return out


def _language(article: Article) -> str:
    return language_tag(article.language) or "en"


_VECTORIZER = HashingVectorizer(n_features=N_FEATURES, alternate_sign=False, norm=None, analyzer=plain_tokens,
                                dtype=np.float64)


def term_rows(articles: list[Article]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Per article, hashed term counts of ``story_text`` and, aligned with them, each column's background
    document share (``column_shares`` of the article's language)."""
    if not articles:
        empty = sp.csr_matrix((0, N_FEATURES))
        return empty, empty.copy()
    counts = _VECTORIZER.transform([story_text(a) for a in articles]).tocsr()
    counts.sort_indices()
    shares = counts.copy()
    languages = [_language(a) for a in articles]
    for language in set(languages):
        rows = [i for i, lang in enumerate(languages) if lang == language]
        table = column_shares(language)
        for i in rows:
            cells = slice(shares.indptr[i], shares.indptr[i + 1])
            shares.data[cells] = table[shares.indices[cells]]
    return counts, shares


class DocumentFrequencies:
    """How many of the documents seen hold each hashed term, blended with the background (see the module
    docstring); ``weigh`` turns term rows into unit TF-IDF rows. ``to_arrays``/``from_arrays`` persist it."""

    def __init__(self) -> None:
        self.docs = 0
        self.df = np.zeros(N_FEATURES, dtype=np.int32)

    def count(self, counts: sp.csr_matrix) -> None:
        self.docs += counts.shape[0]
        np.add.at(self.df, counts.indices, 1)

    def weigh(self, rows: tuple[sp.csr_matrix, sp.csr_matrix]) -> sp.csr_matrix:
        """Unit rows of ``(1 + ln tf) x idf ** IDF_POWER`` (an article without words gives an empty row)."""
        counts, shares = rows
        out = counts.astype(np.float64, copy=True)
        share = (self.df[out.indices] + PRIOR_DOCUMENTS * shares.data + 0.5) / (self.docs + PRIOR_DOCUMENTS + 1.0)
        idf = -np.log(np.minimum(share, 1.0))
        out.data = (1.0 + np.log(out.data)) * idf ** IDF_POWER
        norms = np.sqrt(np.asarray(out.multiply(out).sum(axis=1)).ravel())
        out.data /= np.repeat(np.where(norms > 0, norms, 1.0), np.diff(out.indptr))
        return out

    def to_arrays(self) -> dict[str, np.ndarray]:
        terms = np.flatnonzero(self.df).astype(np.int32)
        return {"df_docs": np.array([self.docs], dtype=np.int64), "df_terms": terms, "df_counts": self.df[terms]}

    @classmethod
    def from_arrays(cls, arrays) -> "DocumentFrequencies":
        table = cls()
        table.docs = int(arrays["df_docs"][0])
        table.df[arrays["df_terms"]] = arrays["df_counts"]
        return table


def story_vectors(articles: list[Article]) -> sp.csr_matrix:
    """Unit rows of ``articles`` with the document frequencies counted on them: what an empty ``StoryAssigner``
    reads a first run by, and what ``cluster_articles`` reads."""
    rows, table = term_rows(articles), DocumentFrequencies()
    table.count(rows[0])
    return table.weigh(rows)


__all__ = ["DocumentFrequencies", "IDF_POWER", "LEAD_WORDS", "N_FEATURES", "PRIOR_DOCUMENTS", "TITLE_REPEATS",
           "article_time", "column_shares", "entity_tokens", "plain_tokens", "story_text", "story_vectors",
           "term_rows"]
