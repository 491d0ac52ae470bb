"""The yardstick story grouping is measured against: single-pass clustering on TF-IDF centroids (the classic
topic-detection baseline, and the one issue #20 quotes at 0.79 on held-out wire stories).

Articles in time order (undated last); scikit-learn's ``TfidfVectorizer(sublinear_tf=True, stop_words="english")``
fitted on the batch's titles and full texts; each article joins the cluster whose centroid (the sum of its members'
unit rows) is most similar by cosine, when that cosine is at least ``threshold``, else founds a new cluster. No
time window. The centroid products come from the article's products with every earlier article summed per cluster,
so nothing dense is held.
"""
from __future__ import annotations

import math

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from newsfuse.cluster.features import article_time
from newsfuse.records import Article


def single_pass(articles: list[Article], threshold: float) -> dict[str, str]:
    """Article id -> cluster label."""
    order = sorted(articles, key=lambda a: (math.isnan(article_time(a)), 0.0 if math.isnan(article_time(a))
                                            else article_time(a), a.id))
    rows = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(
        [(a.title or "") + "\n" + a.text for a in order]).tocsr()
    labels = np.zeros(len(order), dtype=np.int64)
    norms2: list[float] = []  # squared norm of each cluster's centroid
    for i in range(len(order)):
        if norms2:
            products = np.asarray((rows[:i] @ rows[i].T).todense()).ravel()
            dots = np.bincount(labels[:i], weights=products, minlength=len(norms2))
            cosines = dots / np.sqrt(np.maximum(norms2, 1e-12))
            best = int(np.argmax(cosines))
            if cosines[best] >= threshold:
                labels[i] = best
                norms2[best] += 2 * dots[best] + rows[i].multiply(rows[i]).sum()
                continue
        labels[i] = len(norms2)
        norms2.append(float(rows[i].multiply(rows[i]).sum()))
    return {a.id: f"c{label}" for a, label in zip(order, labels.tolist())}


__all__ = ["single_pass"]
