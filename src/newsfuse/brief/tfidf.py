"""The summary's TF-IDF: ``TfidfVectorizer(analyzer=..., sublinear_tf=True)`` followed by ``normalize``, with the
same arithmetic in the same order, so the same floats (checked bit for bit on 1,449 stories), without
scikit-learn's per-call checks and copies and with the counting done by numpy: on the one-article bench stories a
fit takes 0.4 ms instead of 1.1 ms.

scikit-learn counts each text's terms into a CSR row stored in the order the terms were first seen in the corpus,
then renumbers the columns alphabetically without reordering the row (``CountVectorizer._sort_features``); the
L2 norm sums the squares in that stored order, so the rows here are stored the same way. ``transform`` rows are
stored in column order, as ``CountVectorizer.transform`` sorts them. idf = ln((1 + n) / (1 + df)) + 1 and
tf = 1 + ln(count), computed with the same numpy operations; both normalisations (the transformer's and the
summary's ``normalize``) run scikit-learn's own kernel, ``inplace_csr_row_normalize_l2``.
"""
from __future__ import annotations

from itertools import chain
from typing import Callable, Sequence

import numpy as np
from scipy import sparse
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2


class Tfidf:
    """A fitted model: the vocabulary (term -> column, alphabetical) and the idf of each column."""

    __slots__ = ("vocabulary_", "idf_")

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray):
        self.vocabulary_ = vocabulary
        self.idf_ = idf

    def unit_rows(self, docs: Sequence[Sequence[str]], analyzer: Callable) -> np.ndarray:
        """``normalize(TfidfVectorizer.transform(docs)).toarray()`` of the fitted vectorizer (terms it does not
        know are left out; a row is stored in column order)."""
        vocabulary = self.vocabulary_
        terms = [[t for t in analyzer(doc) if t in vocabulary] for doc in docs]
        flat = list(map(vocabulary.__getitem__, chain.from_iterable(terms)))
        indptr, indices, counts = _count(terms, flat, len(vocabulary))
        return _unit_rows(_weighted(indptr, indices, counts, self.idf_))


def _count(terms: list[list[str]], ids: list[int], width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR rows of term counts: per text (``terms``, whose ids run on in ``ids``), its distinct ids in increasing
    order with their counts; (indptr, ids, counts)."""
    doc = np.repeat(np.arange(len(terms), dtype=np.int64), [len(t) for t in terms])
    keys, counts = np.unique(doc * width + np.array(ids, dtype=np.int64), return_counts=True)
    indptr = np.zeros(len(terms) + 1, dtype=np.int32)
    np.cumsum(np.bincount(keys // width, minlength=len(terms)), out=indptr[1:])
    return indptr, (keys % width).astype(np.int32), counts


def fit_unit_rows(docs: Sequence[Sequence[str]], analyzer: Callable) -> tuple[Tfidf | None, np.ndarray]:
    """The fitted model and ``normalize(TfidfVectorizer(analyzer=analyzer, sublinear_tf=True)
    .fit_transform(docs)).toarray()``; (None, zeros) when the texts have no term at all (where scikit-learn
    raises ValueError)."""
    terms = [analyzer(doc) for doc in docs]
    first = {term: k for k, term in enumerate(dict.fromkeys(chain.from_iterable(terms)))}  # ids as first seen
    if not first:
        return None, np.zeros((len(docs), 1))
    indptr, ids, counts = _count(terms, list(map(first.__getitem__, chain.from_iterable(terms))), len(first))
    alphabetical = {term: k for k, term in enumerate(sorted(first))}
    renumber = np.array(list(map(alphabetical.__getitem__, first)), dtype=np.int32)
    indices = renumber[ids]  # rows stay in first-seen order, as scikit-learn stores them
    df = np.bincount(indices, minlength=len(first)).astype(np.float64, copy=False)
    df += 1.0
    idf = np.full_like(df, fill_value=len(docs) + 1, dtype=np.float64)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    return Tfidf(alphabetical, idf), _unit_rows(_weighted(indptr, indices, counts, idf))


def _weighted(indptr: np.ndarray, indices: np.ndarray, counts: np.ndarray, idf: np.ndarray) -> sparse.csr_array:
    """TfidfTransformer.transform (sublinear tf, idf, L2 norm) of CSR count rows, in their stored order."""
    data = counts.astype(np.float64)
    np.log(data, data)
    data += 1.0
    data *= idf[indices]
    matrix = sparse.csr_array((data, indices, indptr), shape=(len(indptr) - 1, len(idf)))
    inplace_csr_row_normalize_l2(matrix)
    return matrix


def _unit_rows(matrix: sparse.csr_array) -> np.ndarray:
    """``normalize(matrix).toarray()``: the same kernel once more, on a copy as ``normalize`` makes."""
    matrix = matrix.copy()
    inplace_csr_row_normalize_l2(matrix)
    return matrix.toarray()


__all__ = ["Tfidf", "fit_unit_rows"]
