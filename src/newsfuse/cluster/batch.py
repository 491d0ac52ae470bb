"""Batch clustering for the ``newsfuse cluster`` command: dedup first, then story clustering.

Batch mode reads the same features and applies the same rule as live mode (``StoryAssigner``): the articles in
time order, their TF-IDF rows (``features.story_vectors``: background idf blended with the batch's own document
frequencies), average-linkage agglomeration within the time window
(``agglomerate``), as an empty store's first ``newsfuse run`` of the same articles would. Dedup copies join their
original's story. Story ids are ``story_id_for`` the earliest article (time order, then id) of each cluster, so the result does not depend on input order; the analyst's ``Corrections`` are respected and their
merges resolved. With the dense term (``embed.py``: the config's embeddings mode, or a ``dense`` embedder passed
in), pair similarities combine the TF-IDF and embedding cosines.
"""
from __future__ import annotations

from typing import Iterable

from ..config import ClusterConfig, DedupConfig
from ..dedup import Deduplicator, time_order
from ..records import Article
from .assigner import StoryAssigner
from .corrections import Corrections
from .embed import DENSE_TERM, DenseFeatures, DenseTerm


def cluster_articles(articles: Iterable[Article], config: ClusterConfig | None = None,
                     dedup_config: DedupConfig | None = None,
                     corrections: Corrections | None = None, dense: DenseFeatures | None = None,
                     term: DenseTerm = DENSE_TERM) -> dict[str, str]:
    """Map each article id to a story id.

    Articles are sorted by published time (undated last, then id); each goes through dedup, and a copy joins its
    original's story. The originals are placed as one ``newsfuse run`` of them into an empty store would place
    them (``StoryAssigner.assign_many``, document frequencies counted on the whole batch first): clustered
    together, in runs of ``RUN_ARTICLES`` oldest first when there are more. ``dense``: an embedder (articles ->
    unit rows); None takes the one the config's embeddings mode asks for, if any; ``term``: how its cosine
    combines with the TF-IDF cosine.
    """
    config, corrections = config or ClusterConfig(), corrections or Corrections()
    ordered = time_order(articles)
    dedup = Deduplicator(dedup_config or DedupConfig())
    links = {a.id: dedup.add(a).duplicate_of for a in ordered}
    copy_of = {i: o for i, o in links.items() if o is not None and o in links}
    assigner = StoryAssigner(config, corrections, dense=dense, term=term)
    assigner.prime(a for a in ordered if a.id not in copy_of)
    return assigner.assign_many(ordered, copy_of=copy_of)


__all__ = ["cluster_articles"]
