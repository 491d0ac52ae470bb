"""Batch clustering for the ``newsfuse cluster`` command: dedup first, then agglomerative story clustering.

Unlike the online ``StoryAssigner``, batch mode sees the whole batch: TF-IDF is fitted on it, and clusters are
formed by average-linkage agglomeration with a cohesion check (``agglomerate``). Dedup copies join their
original's story. Story ids are ``story_id_for`` the earliest article (time order, then id) of each cluster, so
the result does not depend on input order; the analyst's ``Corrections`` are respected and their merges resolved.
With the dense term (``embed.py``: the config's embeddings mode, or a ``dense`` embedder passed in), pair
similarities combine the TF-IDF and embedding cosines and the term's own cohesion ratio applies (its batch one,
``batch_cohesion_ratio``, over batch mode's terms). Batch mode reads its own terms (``features.batch_vectors``:
stemmed, the title thrice); ``vectors=features.incremental_vectors`` gives incremental mode's, and then the result
is what an empty ``StoryAssigner`` with ``merge_held`` off makes of the same articles.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Iterable

import numpy as np
import scipy.sparse as sp

from ..config import ClusterConfig, DedupConfig
from ..dedup import Deduplicator, time_order
from ..records import Article
from .agglomerate import agglomerate
from .assigner import story_id_for
from .corrections import Corrections
from .embed import DENSE_TERM, DenseFeatures, DenseTerm, dense_features
from .features import article_time, batch_vectors


def cluster_articles(articles: Iterable[Article], config: ClusterConfig | None = None,
                     dedup_config: DedupConfig | None = None,
                     corrections: Corrections | None = None, dense: DenseFeatures | None = None,
                     term: DenseTerm = DENSE_TERM,
                     vectors: Callable[[list[Article]], sp.csr_matrix] = batch_vectors) -> dict[str, str]:
    """Map each article id to a story id.

    Articles are sorted by published time (undated last, then id); each goes through dedup, and a copy joins its
    original's story; the originals are clustered together (see ``agglomerate``). ``dense``: an embedder
    (articles -> unit rows); None takes the one the config's embeddings mode asks for, if any; ``term``: how
    its cosine combines (bench/cluster.py --tune dense); ``vectors``: the articles' unit TF-IDF rows, batch
    mode's terms by default (``features.incremental_vectors`` gives what an empty StoryAssigner's first run uses).
    """
    config, corrections = config or ClusterConfig(), corrections or Corrections()
    dense = dense if dense is not None else dense_features(config)
    ordered = time_order(articles)
    dedup = Deduplicator(dedup_config or DedupConfig())
    copy_of = {a.id: dedup.add(a).duplicate_of for a in ordered}
    originals = [a for a in ordered if copy_of[a.id] is None or copy_of[a.id] not in copy_of]
    stories: dict[str, str] = {}
    if originals:
        times = np.array([article_time(a) for a in originals])
        embedded = np.asarray(dense(originals), dtype=np.float32) if dense is not None else None
        if embedded is not None:
            ratio = term.batch_cohesion_ratio if vectors is batch_vectors else term.cohesion_ratio
            config = replace(config, cohesion_ratio=ratio)
        founders = agglomerate(vectors(originals), times, [story_id_for(a.id) for a in originals], config,
                               corrections, dense=embedded, term=term if embedded is not None else None)
        stories = {a.id: corrections.resolve(story_id_for(originals[f].id)) for a, f in zip(originals, founders)}
    for article in ordered:  # copies, in time order, so a copy of a copy finds its original's story
        if article.id not in stories:
            stories[article.id] = stories[copy_of[article.id]]
    return stories


__all__ = ["cluster_articles"]
