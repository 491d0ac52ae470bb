"""Article features for story assignment: hashed term vectors with an online IDF, per field.

Three fields: ``title``, ``body`` and ``entities`` (a cheap entity proxy: runs of capitalised words, e.g.
"Kim Jong Un", kept as a phrase and as single words, without leading function words like "The").
``HashingVectorizer`` is stateless, so vectors need no fitted vocabulary and the assigner works incrementally;
``OnlineIdf`` counts document frequencies as articles arrive. A field vector is log(1 + tf) x idf, L2-normalised,
kept as two small arrays (hashed term indices, weights). Title and body words are lowercased, stop words
dropped and crudely suffix-stripped (``stem``): on allsides that is worth about +0.01 B-cubed F1.
Story similarity reads other terms: ``batch_vectors`` in batch mode (stemmed ``plain_tokens``, the title thrice,
TF-IDF fitted on the batch), ``hashed_counts`` + ``DocumentFrequencies`` in incremental mode (unstemmed, the title
once: ``incremental_vectors``); see ``batch_vectors`` for why the two differ.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, HashingVectorizer, TfidfVectorizer

from ..records import Article, to_utc

N_FEATURES = 1 << 20
FIELDS = ("title", "body", "entities")
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


_TOKEN = re.compile(r"(?u)\b[^\W\d_][\w'’-]+\b")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "es", "ed", "s", "'s", "’s")


def stem(word: str) -> str:
    """A crude suffix stripper so that "Democrats"/"Democratic", "votes"/"voted" share a term."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def word_tokens(text: str) -> list[str]:
    """Lowercased, stop words dropped, crudely stemmed word tokens."""
    return [stem(w) for w in _TOKEN.findall(text.lower()) if w not in _STOPS]


def _words_vectorizer() -> HashingVectorizer:
    return HashingVectorizer(n_features=N_FEATURES, alternate_sign=False, norm=None, analyzer=word_tokens,
                             dtype=np.float32)


_VECTORIZERS = {
    "title": _words_vectorizer(),
    "body": _words_vectorizer(),
    "entities": HashingVectorizer(n_features=N_FEATURES, alternate_sign=False, norm=None,
                                  analyzer=entity_tokens, dtype=np.float32),
}


def field_texts(article: Article) -> dict[str, str]:
    """The text of each field: the title, the body, and title + body for entities."""
    title = article.title or ""
    return {"title": title, "body": article.text, "entities": title + "\n" + article.text}


@dataclass(frozen=True, slots=True)
class TermCounts:
    """Hashed term indices (sorted) and raw counts of one field of one article."""

    indices: np.ndarray  # int32
    counts: np.ndarray  # float32


def term_counts(article: Article) -> dict[str, TermCounts]:
    """Raw hashed term counts of every field; computed once per article."""
    out = {}
    for name, text in field_texts(article).items():
        row = _VECTORIZERS[name].transform([text]) if text.strip() else None
        if row is None or row.nnz == 0:
            out[name] = TermCounts(np.zeros(0, np.int32), np.zeros(0, np.float32))
        else:
            row.sort_indices()
            out[name] = TermCounts(row.indices.astype(np.int32), row.data.astype(np.float32))
    return out


_PLAIN_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def plain_tokens(text: str) -> list[str]:
    """Lowercased words and numbers, English stop words dropped, no stemming: numbers ("15,000", "2016") and
    weekdays tell events apart (bench/cluster.py: nearest-neighbour accuracy 0.868 vs 0.849 for ``word_tokens``)."""
    return [w for w in _PLAIN_TOKEN.findall(text.lower()) if w not in ENGLISH_STOP_WORDS]


BATCH_TITLE_REPEATS = 3  # how many times batch mode reads the title (bench/tune_cluster.py --features)


def batch_tokens(text: str) -> list[str]:
    """``plain_tokens``, crudely suffix-stripped (``stem``): batch mode's terms."""
    return [stem(w) for w in plain_tokens(text)]


def batch_text(article: Article) -> str:
    """The text batch mode reads: the title ``BATCH_TITLE_REPEATS`` times, then the body."""
    return _titled(article, BATCH_TITLE_REPEATS)


def _titled(article: Article, repeats: int) -> str:
    """The title ``repeats`` times, each on its own line, then the body."""
    return ((article.title or "") + "\n") * repeats + article.text


def batch_vectors(articles: list[Article]) -> sp.csr_matrix:
    """One L2-normalised TF-IDF row per article over ``batch_text`` (the title thrice + body) of ``batch_tokens``,
    fitted on the batch (sublinear tf, smooth idf). One joint vector beats a weighted sum of per-field cosines on
    both dev sets (bench/cluster.py). Batch mode's own terms: stemming and the title's weight lift batch allsides
    0.889 -> 0.905 (0.907 with distinct_core 0.3) and wikiref 0.914 -> 0.935 (bench/tune_cluster.py --features);
    the same terms in incremental mode cost its allsides figures 0.01-0.07 (an early run links same-topic events
    whose partners have not yet arrived; the merge_held-off gates fall below their floors, even when only a first
    run into an empty store used them), so incremental mode keeps ``document_text``/``hashed_counts``
    (``incremental_vectors``)."""
    texts = [batch_text(a) for a in articles]
    vectorizer = TfidfVectorizer(analyzer=batch_tokens, sublinear_tf=True, dtype=np.float64)
    try:
        return vectorizer.fit_transform(texts).tocsr()
    except ValueError:  # an empty vocabulary: no article has a word
        return sp.csr_matrix((len(articles), 1))


def incremental_vectors(articles: list[Article]) -> sp.csr_matrix:
    """The rows an empty ``StoryAssigner`` clusters a first run by: TF-IDF of ``hashed_counts`` (incremental
    mode's terms) with the IDF counted on ``articles``; ``cluster_articles(..., vectors=incremental_vectors)`` is
    then what that run does (merge_held off)."""
    counts, table = hashed_counts(articles), DocumentFrequencies()
    table.count(counts)
    return table.weigh(counts)


_PLAIN_VECTORIZER = HashingVectorizer(n_features=N_FEATURES, alternate_sign=False, norm=None, analyzer=plain_tokens,
                                      dtype=np.float64)


TITLE_REPEATS = 1  # how many times the title is read (bench/tune_cluster.py --titles: 4 lifts batch, not online)


def document_text(article: Article) -> str:
    """The text incremental story similarity reads: the title ``TITLE_REPEATS`` times, then the body (batch mode
    reads ``batch_text``)."""
    return _titled(article, TITLE_REPEATS)


def hashed_counts(articles: list[Article]) -> sp.csr_matrix:
    """Raw counts of ``plain_tokens`` of title + body, hashed to ``N_FEATURES`` columns; one row per article."""
    if not articles:
        return sp.csr_matrix((0, N_FEATURES))
    rows = _PLAIN_VECTORIZER.transform([document_text(a) for a in articles]).tocsr()
    rows.sort_indices()
    return rows


class DocumentFrequencies:
    """Corpus-level document frequencies over hashed terms, for an IDF of ``batch_vectors``' kind:
    idf = ln((1 + n) / (1 + df)) + 1, tf sublinear (1 + ln tf), rows L2-normalised. It grows with every article
    counted; ``to_arrays``/``from_arrays`` persist it sparsely."""

    def __init__(self) -> None:
        self.docs = 0
        self.df = np.zeros(N_FEATURES, dtype=np.int32)

    def count(self, counts: sp.csr_matrix) -> None:
        self.docs += counts.shape[0]
        np.add.at(self.df, counts.indices, 1)

    def weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """Unit TF-IDF rows (an article without words gives an empty row)."""
        rows = counts.astype(np.float64, copy=True)
        idf = np.log((1.0 + self.docs) / (1.0 + self.df[rows.indices])) + 1.0
        rows.data = (1.0 + np.log(rows.data)) * idf
        norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1)).ravel())
        rows.data /= np.repeat(np.where(norms > 0, norms, 1.0), np.diff(rows.indptr))
        return rows

    def to_arrays(self) -> dict[str, np.ndarray]:
        terms = np.flatnonzero(self.df).astype(np.int32)
        return {"df_docs": np.array([self.docs], dtype=np.int64), "df_terms": terms, "df_counts": self.df[terms]}

    @classmethod
    def from_arrays(cls, arrays) -> "DocumentFrequencies":
        table = cls()
        table.docs = int(arrays["df_docs"][0])
        table.df[arrays["df_terms"]] = arrays["df_counts"]
        return table


class OnlineIdf:
    """Document frequencies counted as articles arrive; idf = ln((1 + n) / (1 + df)) + 1 (sklearn's smooth idf)."""

    def __init__(self) -> None:
        self.docs = 0
        self.df = np.zeros(N_FEATURES, dtype=np.int32)

    def count(self, terms: TermCounts) -> None:
        self.docs += 1
        self.df[terms.indices] += 1

    def weigh(self, terms: TermCounts) -> np.ndarray:
        """log(1 + tf) x idf, L2-normalised (an empty field gives an empty vector)."""
        if len(terms.indices) == 0:
            return terms.counts
        idf = np.log((1.0 + self.docs) / (1.0 + self.df[terms.indices])) + 1.0
        weights = (np.log1p(terms.counts) * idf).astype(np.float32)
        return weights / np.float32(np.linalg.norm(weights))


__all__ = ["article_time", "FIELDS", "DocumentFrequencies", "OnlineIdf", "TermCounts", "batch_text", "batch_tokens", "batch_vectors",
           "document_text", "entity_tokens", "field_texts", "hashed_counts", "incremental_vectors", "plain_tokens",
           "term_counts"]
