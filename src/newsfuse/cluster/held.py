"""Merging held stories (``ClusterConfig.merge_held``): which held stories may merge, and the links between them.

Incremental mode sees a stream in pieces: an early run may found two stories for what a later run shows is one
event (their members were too few, or the articles that bridge them had not arrived). With ``merge_held`` on, the
stories a run's new articles link to (the agglomeration's seeds) may merge with each other by the same rule as any
two clusters; ``StoryAssigner`` then folds the newer into the older and reports the alias (``merged``), as an
analyst's merge would. The rule for everything else is made stricter in that mode (``StoryAssigner._merge_config``),
since a wrong join is permanent and a missed one can now be repaired.

- ``seed_pairs``: the (seed, seed, sum of similarities) links, only between seeds some new article links to at
  ``batch_similarity`` or more (held stories merge when new articles show they are one, not by themselves), and
  only those whose average TF-IDF link reaches the link floor. A link is ``centroid_a . centroid_b`` (the sum of
  the cosines between their members), with the dense term combined in when the stories hold embedding sums.
- ``locked_stories``: never merged automatically: stories an analyst made or touched (founded by a split article,
  either side of an exclusion). Ids not of the assigner's own form (``"s" + article id``), such as the store's
  split stories (``"x..."``), are locked as well (``is_locked``).
- ``background_links``: the (new row, held story) averages that count, with pairs of new rows, towards the
  incremental mode's background (``ClusterConfig.background_margin``).
- ``age_key``: oldest first (first date, undated last, then id), so the merged story keeps the oldest id whatever
  order the held stories were restored in.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from .agglomerate import BACKGROUND_PAIRS, Seed, pair_sample, weighted_median
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
               index: CentroidIndex, sizes: np.ndarray, batch_similarity: float, link_floor: float,
               dense_sums: np.ndarray | None = None, term: DenseTerm | None = None) -> list[tuple[int, int, float]]:
    """(seed, seed, sum of similarities between their members) for the pairs of unlocked seeds that may merge
    (see the module docstring); ``sizes`` and ``dense_sums`` are indexed by slot."""
    strong = {s for s, _, total in links if total >= batch_similarity * seeds[s].size}
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


_BACKGROUND_LINKS = 50_000  # (new row, held story) averages the background reads at most


def background_links(dots: sp.csr_matrix, sizes: np.ndarray, warm: np.ndarray, vectors: sp.csr_matrix,
                     embedded: np.ndarray | None = None, dense_sums: np.ndarray | None = None,
                     term: DenseTerm | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The average similarity of each new row with a word to each ``warm`` story (slots; at most
    ``_BACKGROUND_LINKS`` averages, stories drawn with a fixed seed beyond that) and its weight, the story's size:
    the held side of the incremental mode's background (``ClusterConfig.background_margin``). ``dots`` holds the
    (new row, story) sums of cosines (``CentroidIndex.dots``), computed once per placement for the seeds too."""
    rows = np.flatnonzero(np.diff(vectors.indptr))
    if not len(rows) or not len(warm):
        return np.zeros(0), np.zeros(0)
    if len(rows) * len(warm) > _BACKGROUND_LINKS:
        picked = np.random.default_rng(0).choice(len(warm), max(1, _BACKGROUND_LINKS // len(rows)), replace=False)
        warm = warm[np.sort(picked)]
    size = sizes[warm].astype(np.float64)
    sums = np.asarray(dots[rows][:, warm].toarray().T, dtype=np.float64)
    if embedded is not None and dense_sums is not None and term is not None:
        sums = term.combine(sums, (dense_sums[warm] @ embedded[rows].T).astype(np.float64), size[:, None])
    return (sums / size[:, None]).ravel(), np.repeat(size, len(rows))


def incremental_background(vectors: sp.csr_matrix, embedded: np.ndarray | None, term: DenseTerm | None,
                           sizes: np.ndarray, warm: np.ndarray, dots: sp.csr_matrix | None,
                           dense_sums: np.ndarray | None) -> float:
    """The median similarity between the articles in play, as batch mode's ``typical_similarity``: pairs of new
    rows (``agglomerate.pair_sample``) and (new row, ``warm`` held story) averages (``background_links``, read off
    ``dots``), each weighing as its story's size; 0 below ``BACKGROUND_PAIRS`` pairs."""
    values = pair_sample(vectors, embedded, term)
    weights = np.ones(len(values))
    if len(warm) and dots is not None:
        links, link_sizes = background_links(dots, sizes, warm, vectors, embedded, dense_sums, term)
        values, weights = np.concatenate([values, links]), np.concatenate([weights, link_sizes])
    return weighted_median(values, weights) if weights.sum() >= BACKGROUND_PAIRS else 0.0


__all__ = ["age_key", "background_links", "incremental_background", "is_locked", "locked_stories", "seed_pairs"]
