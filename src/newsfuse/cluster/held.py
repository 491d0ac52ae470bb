"""Merging held stories (``ClusterConfig.merge_held``): which held stories may merge, and the links between them.

Incremental mode sees a stream in pieces: an early run may found two stories for what a later run shows is one
event (their members were too few, or the articles that bridge them had not arrived). With ``merge_held`` on, the
stories a run's new articles link to (the agglomeration's seeds) may merge with each other by the same rule as any
two clusters; ``StoryAssigner`` then folds the newer into the older and reports the alias (``merged``), as an
analyst's merge would.

- ``seed_pairs``: the (seed, seed, sum of similarities) links, only between seeds some new article links to at
  ``similarity`` or more (held stories merge when new articles show they are one, not by themselves), and
  only those whose average TF-IDF link reaches the link floor. A link is ``centroid_a . centroid_b`` (the sum of
  the cosines between their members), with the dense term combined in when the stories hold embedding sums.
- ``locked_stories``: never merged automatically: stories an analyst made or touched (founded by a split article,
  either side of an exclusion). Ids not of the assigner's own form (``"s" + article id``), such as the store's
  split stories (``"x..."``), are locked as well (``is_locked``).
- ``age_key``: oldest first (first date, undated last, then id), so the merged story keeps the oldest id whatever
  order the held stories were restored in.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from .agglomerate import Seed
from .corrections import Corrections
from .embed import DenseTerm
from .index import CentroidIndex


def locked_stories(corrections: Corrections, story_id_for) -> set[str]:
    """Resolved ids of the stories an analyst made or touched (splits, exclusions)."""
    founded = {story_id_for(a) for a in corrections.splits} | {story_id_for(a) for _, a in corrections.exclusions}
    return {corrections.resolve(s) for s in founded | {story for story, _ in corrections.exclusions}}


def is_locked(story_id: str, locked: set[str]) -> bool:
    return story_id in locked or not story_id.startswith("s")


def age_key(first: float, story_id: str) -> tuple[float, str]:
    return (math.inf if math.isnan(first) else first, story_id)


def seed_pairs(seeds: Sequence[Seed], links: Sequence[tuple[int, int, float]], seed_slots: np.ndarray,
               index: CentroidIndex, sizes: np.ndarray, similarity: float, link_floor: float,
               dense_sums: np.ndarray | None = None, term: DenseTerm | None = None) -> list[tuple[int, int, float]]:
    """(seed, seed, sum of similarities between their members) for the pairs of unlocked seeds that may merge
    (see the module docstring); ``sizes`` and ``dense_sums`` are indexed by slot."""
    strong = {s for s, _, total in links if total >= similarity * seeds[s].size}
    free = np.array([i for i in sorted(strong) if not seeds[i].locked], dtype=np.int64)
    if len(free) < 2:
        return []
    slots = seed_slots[free]
    rows = index.rows(slots)
    terms, columns = np.unique(rows.indices, return_inverse=True)  # only the terms these stories use
    rows = sp.csr_matrix((rows.data, columns.ravel(), rows.indptr), shape=(len(slots), len(terms)))
    dots = sp.triu(rows @ rows.T.tocsr(), k=1).tocoo()
    size = sizes[slots].astype(np.float64)
    pairs = size[dots.row] * size[dots.col]
    keep = dots.data >= link_floor * pairs
    a, b, sums = dots.row[keep], dots.col[keep], dots.data[keep].astype(np.float64)
    if dense_sums is not None and term is not None and len(a):
        cross = np.einsum("ij,ij->i", dense_sums[slots[a]], dense_sums[slots[b]]).astype(np.float64)
        sums = term.combine(sums, cross, pairs[keep])
    return list(zip(free[a].tolist(), free[b].tolist(), sums.tolist()))


__all__ = ["age_key", "is_locked", "locked_stories", "seed_pairs"]
