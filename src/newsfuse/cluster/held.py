"""Merging held stories (``ClusterConfig.merge_held``): which held stories may merge, and the links between them.

Incremental mode sees a stream in pieces: an early run may found two stories for what a later run shows is one
event (their members were too few, or the articles that bridge them had not arrived). With ``merge_held`` on, the
stories a run's new articles link to (the agglomeration's seeds) may merge with each other by the same rule as any
two clusters; ``StoryAssigner`` then folds the newer into the older and reports the alias (``merged``), as an
analyst's merge would.

- ``seed_pairs``: the (seed, seed, sum of similarities) links, only between seeds some new article links to at
  the join floor or more (``agglomerate.join_floor``: held stories merge when new articles show they are one, not
  by themselves), and
  only those whose average TF-IDF link reaches the link floor. A link is ``centroid_a . centroid_b`` (the sum of
  the cosines between their members), with the dense term combined in when the stories hold embedding sums.
- ``locked_stories``: never merged automatically: stories an analyst made or touched (founded by a split article,
  either side of an exclusion). Ids not of the assigner's own form (``"s" + article id``), such as the store's
  split stories (``"x..."``), are locked as well (``is_locked``).
- ``age_key``: oldest first (first date, undated last, then id), so the merged story keeps the oldest id whatever
  order the held stories were restored in.

And how new articles and other stories link to held stories: ``strongest_links`` (a run's rows to the warm
stories, the strongest few per row) and ``related_stories`` (held stories of one storyline kept apart).
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
from .state import StoryTable


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



def strongest_links(dots: sp.csr_matrix, table: StoryTable, times: np.ndarray, window_days: float, floor: float,
                    neighbours: int, offset: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, story slot, sum of cosines) of ``dots`` (rows x story slots: ``centroid . v``) worth keeping: per row,
    the ``neighbours`` warm stories (``StoryTable.warm``) of the highest average link at or above ``floor``; rows
    shifted by ``offset``."""
    dots = dots.tocoo()
    size = table.size[dots.col]
    average = np.divide(dots.data, size, out=np.zeros(len(dots.data)), where=size > 0)
    keep = (average >= floor) & table.warm(times, window_days)[dots.col]
    rows, cols, sums, average = dots.row[keep], dots.col[keep], dots.data[keep].astype(np.float64), average[keep]
    if len(rows) and np.bincount(rows).max() > neighbours:
        order = np.lexsort((-average, rows))  # by row, then by average link, highest first
        rank = np.arange(len(order)) - np.searchsorted(rows[order], rows[order])
        chosen = np.sort(order[rank < neighbours])
        rows, cols, sums = rows[chosen], cols[chosen], sums[chosen]
    return rows + offset, cols, sums


_RELATED_BLOCK = 256  # stories whose products with every held story are computed at once


def related_stories(index: CentroidIndex, table: StoryTable, corrections: Corrections, story_ids, floor: float,
                    limit: int) -> dict[str, list[tuple[str, float]]]:
    """For each held story of ``story_ids``, up to ``limit`` other held stories whose average link with it (the
    mean cosine between their members) is at least ``floor``, most similar first; ids not held map to []."""
    wanted = [(s, table.slot.get(corrections.resolve(s))) for s in story_ids]
    slots = np.unique(np.array([slot for _, slot in wanted if slot is not None], dtype=np.int64))
    found: dict[int, list[tuple[str, float]]] = {}
    # A block at a time: the products of every story asked about with every held story grow with both counts.
    for start in range(0, len(slots), _RELATED_BLOCK):
        block = slots[start:start + _RELATED_BLOCK]
        dots = index.dots(index.rows(block)).tocoo()
        rows, cols = dots.row, dots.col
        size = table.size[cols].astype(np.float64) * np.maximum(1, table.size[block[rows]])
        average = np.divide(dots.data.astype(np.float64), size, out=np.zeros(len(size)), where=size > 0)
        keep = (cols != block[rows]) & ~table.merged[cols] & (average >= floor)
        rows, cols, average = rows[keep], cols[keep], average[keep]
        order = np.lexsort((cols, -average, rows))  # by story asked about, then most similar first, then slot
        rows, cols, average = rows[order], cols[order], average[order]
        bounds = np.searchsorted(rows, np.arange(len(block) + 1))
        for i, slot in enumerate(block.tolist()):
            first, last = bounds[i], min(bounds[i + 1], bounds[i] + limit)
            found[slot] = [(table.ids[c], round(a, 4)) for c, a in zip(cols[first:last].tolist(),
                                                                        average[first:last].tolist())]
    return {story: [] if slot is None else list(found[slot]) for story, slot in wanted}


__all__ = ["age_key", "is_locked", "locked_stories", "related_stories", "seed_pairs", "strongest_links"]
