"""Story clustering: average-linkage agglomeration over a bounded neighbour graph.

Articles are unit TF-IDF rows (``features``). Clusters are merged greedily, the pair with the highest average
pairwise cosine first, while that average is at least ``ClusterConfig.similarity``, or ``same_day_similarity``
(when set) for two dated clusters whose date ranges lie ``SAME_DAY`` or less apart (``join_floor``). The time
window refuses a merge (the gap between the two clusters' date ranges exceeds ``window_days``; undated articles
have no time term), as do the analyst's ``Corrections`` (splits and exclusions). A refused pair is tried again only after one
of its clusters has changed.

Seeds (``agglomerate_with_seeds``): the live mode passes stories already held as fixed clusters (their size,
inner cosine sum, date range and id) linked to the new rows by the sums of cosines ``centroid . v`` (a story's
centroid is the sum of its members' unit vectors, so that sum is exactly what average linkage needs). New rows
may join a seed or each other. Held stories never split; two seeds merge only when ``ClusterConfig.merge_held``
is on, neither is ``locked``, and they pass the same rule as any two clusters: that is how a later run folds two
stories an earlier run could not yet tell were one event (the assigner records it as an alias).

The graph (``similar_pairs``) keeps, for each row, its ``NEIGHBOURS`` most similar rows with a cosine of at
least ``_PAIR_FLOOR`` (and, for dated rows, within the time window), so memory grows with the number of
articles, never with the number of pairs; the missing pairs count as 0 in every average. Dated rows are
compared only with rows of their time window. With a dense term (sentence embeddings, ``embed.DenseTerm``), a
kept pair's similarity is the TF-IDF cosine combined with the dense cosine of the two rows.
"""
from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from ..config import ClusterConfig
from .corrections import Corrections
from .embed import DenseTerm

_PAIR_FLOOR = 0.02  # cosines below this are dropped from the similarity graph
_BLOCK_ROWS = 256
NEIGHBOURS = 20  # most similar rows kept per row in the graph
SAME_DAY = 86_400.0  # seconds between two clusters' date ranges within which same_day_similarity applies


def join_floor(config: ClusterConfig) -> float:
    """The lowest average similarity at which two clusters may be joined: ``similarity``, or
    ``same_day_similarity`` when it is set and lower."""
    same_day = config.same_day_similarity
    return config.similarity if same_day is None else min(config.similarity, same_day)


def similar_pairs(vectors: sp.csr_matrix, times: np.ndarray | None = None, window_days: float = math.inf,
                  dense: np.ndarray | None = None, term: DenseTerm | None = None, floor: float = _PAIR_FLOOR,
                  neighbours: int = NEIGHBOURS) -> list[tuple[int, int, float]]:
    """(i, j, similarity) for i < j: each row's ``neighbours`` most similar rows with TF-IDF cosine >= floor.

    ``vectors`` rows are L2-normalised. With ``times`` (POSIX seconds, nan when undated; rows in time order, the
    undated last), a dated row is compared only with rows whose time lies within ``window_days`` of it and with
    the undated rows. With ``dense`` (unit rows) and ``term``, a kept pair's similarity is ``term.combine`` of
    both cosines, else the cosine."""
    n = vectors.shape[0]
    times = np.full(n, np.nan) if times is None else np.asarray(times, dtype=np.float64)
    dated = int(np.count_nonzero(~np.isnan(times)))
    window = window_days * 86_400.0
    found: dict[tuple[int, int], float] = {}
    transposed = vectors.T.tocsc()
    for start in range(0, n, _BLOCK_ROWS):
        stop = min(n, start + _BLOCK_ROWS)
        if stop <= dated and math.isfinite(window):  # dated rows: only their time window, and the undated rows
            lo = int(np.searchsorted(times[:dated], times[start] - window, side="left"))
            hi = int(np.searchsorted(times[:dated], times[stop - 1] + window, side="right"))
            columns = np.concatenate([np.arange(lo, hi), np.arange(dated, n)])
            block = (vectors[start:stop] @ transposed[:, columns]).tocsr()
        else:
            columns = np.arange(n)
            block = (vectors[start:stop] @ transposed).tocsr()
        for r in range(stop - start):
            i = start + r
            cells = slice(block.indptr[r], block.indptr[r + 1])
            cols, sims = columns[block.indices[cells]], block.data[cells]
            keep = (cols != i) & (sims >= floor)
            if i < dated and math.isfinite(window):
                other = times[cols]
                keep &= np.isnan(other) | (np.abs(other - times[i]) <= window)
            cols, sims = cols[keep], sims[keep]
            if len(cols) > neighbours:
                top = np.argpartition(-sims, neighbours)[:neighbours]
                cols, sims = cols[top], sims[top]
            for j, sim in zip(cols.tolist(), sims.tolist()):
                found[(i, j) if i < j else (j, i)] = sim
    if not found:
        return []
    keys = np.array(list(found), dtype=np.int64).reshape(-1, 2)
    sims = np.fromiter(found.values(), dtype=np.float64, count=len(found))
    if dense is not None and term is not None:
        sims = term.combine(sims, np.einsum("ij,ij->i", dense[keys[:, 0]], dense[keys[:, 1]]).astype(np.float64))
    return list(zip(keys[:, 0].tolist(), keys[:, 1].tolist(), sims.tolist()))


def _nan_min(x: float, y: float) -> float:
    """min(x, y) where nan means "no value" (undated)."""
    return y if math.isnan(x) else x if math.isnan(y) else min(x, y)


@dataclass
class _Cluster:
    founder: int  # smallest row index (rows are in time order, so the founder is the earliest article)
    size: int = 1
    inner: float = 0.0  # sum of cosines of the pairs inside
    first: float = math.nan
    last: float = math.nan
    splits: set[int] = field(default_factory=set)  # members that must found their own story
    exclusions: set[str] = field(default_factory=set)  # story ids some member must never join
    links: dict[int, float] = field(default_factory=dict)  # other cluster -> sum of cosines between them
    version: int = 0
    seed: bool = False  # holds a story loaded from earlier runs
    locked: bool = False  # holds a seed that must never merge with another seed


class _Merger:
    def __init__(self, n: int, times: np.ndarray, config: ClusterConfig, story_ids: Sequence[str],
                 corrections: Corrections, merge_seeds: bool = False) -> None:
        self.config, self.story_ids, self.merge_seeds = config, story_ids, merge_seeds
        self.clusters = {i: _Cluster(i, first=float(times[i]), last=float(times[i])) for i in range(n)}
        for i, story_id in enumerate(story_ids):
            article_id = story_id[1:]
            if article_id in corrections.splits:
                self.clusters[i].splits.add(i)
            self.clusters[i].exclusions = corrections.excluded_stories(article_id)
        self.resolve = corrections.resolve
        self.floor = join_floor(config)
        self.heap: list[tuple[float, int, int, int, int]] = []
        self.members = {i: [i] for i in range(n)}

    def push(self, a: int, b: int) -> None:
        ca, cb = self.clusters[a], self.clusters[b]
        average = ca.links[b] / (ca.size * cb.size)
        if average >= self.floor:
            a, b = min(a, b), max(a, b)
            heapq.heappush(self.heap, (-average, a, b, self.clusters[a].version, self.clusters[b].version))

    def allowed(self, a: _Cluster, b: _Cluster, average: float) -> bool:
        if a.seed and b.seed and (a.locked or b.locked or not self.merge_seeds):
            return False
        if math.isnan(a.first) or math.isnan(b.first):
            if average < self.config.similarity:  # undated: no day to share
                return False
        else:
            gap = max(a.first, b.first) - min(a.last, b.last)
            if gap > self.config.window_days * 86_400.0:
                return False
            if average < self.config.similarity and (average < self.floor or gap > SAME_DAY):
                return False
        founder = min(a.founder, b.founder)
        if any(s != founder for s in a.splits | b.splits):
            return False
        if (a.exclusions or b.exclusions) and self.resolve(self.story_ids[founder]) in a.exclusions | b.exclusions:
            return False
        return True

    def merge(self, a: int, b: int) -> None:
        keep, gone = (a, b) if self.clusters[a].founder < self.clusters[b].founder else (b, a)
        ck, cg = self.clusters[keep], self.clusters.pop(gone)
        ck.inner += cg.inner + ck.links.pop(gone)
        ck.size += cg.size
        ck.first, ck.last = _nan_min(ck.first, cg.first), -_nan_min(-ck.last, -cg.last)
        ck.splits |= cg.splits
        ck.exclusions |= cg.exclusions
        ck.founder = min(ck.founder, cg.founder)
        ck.seed, ck.locked = ck.seed or cg.seed, ck.locked or cg.locked
        ck.version += 1
        for other, weight in cg.links.items():
            if other == keep:
                continue
            co = self.clusters[other]
            del co.links[gone]
            ck.links[other] = ck.links.get(other, 0.0) + weight
            co.links[keep] = ck.links[other]
        members = self.members
        members[keep].extend(members.pop(gone))
        for other in ck.links:
            self.push(keep, other)

    def run(self, pairs: list[tuple[int, int, float]]) -> dict[int, list[int]]:
        for i, j, cosine in pairs:
            self.clusters[i].links[j] = self.clusters[j].links[i] = self.clusters[i].links.get(j, 0.0) + cosine
        for i, j, _ in pairs:
            self.push(i, j)
        while self.heap:
            negative, a, b, va, vb = heapq.heappop(self.heap)
            ca, cb = self.clusters.get(a), self.clusters.get(b)
            if ca is None or cb is None or ca.version != va or cb.version != vb:
                continue  # stale: one of the clusters has changed since
            if self.allowed(ca, cb, -negative):
                self.merge(a, b)
        return self.members


@dataclass(frozen=True, slots=True)
class Seed:
    """A held story as a fixed cluster: members, sum of inner similarities, date range (nan when undated), id;
    ``locked``: it may never merge with another held story (an analyst made or edited it)."""

    story_id: str
    size: int
    inner: float
    first: float
    last: float
    locked: bool = False


@dataclass(frozen=True, slots=True)
class Agglomeration:
    """``founder_of[i]``: the founding node of new row i's cluster (seeds are nodes 0..k-1, new rows k..);
    ``inner[f]``: the cluster's sum of inner similarities, by founding node; ``seed_groups``: the seeds (sorted,
    the first is the cluster's founder) of each cluster that holds more than one seed."""

    founder_of: list[int]
    inner: dict[int, float]
    seed_groups: list[list[int]] = field(default_factory=list)


def agglomerate_with_seeds(seeds: Sequence[Seed], seed_links: list[tuple[int, int, float]],
                           vectors: sp.csr_matrix, times: np.ndarray, story_ids: Sequence[str],
                           config: ClusterConfig, corrections: Corrections | None = None,
                           dense: np.ndarray | None = None, term: DenseTerm | None = None,
                           seed_pairs: Sequence[tuple[int, int, float]] = ()) -> Agglomeration:
    """Cluster new rows (in time order) among themselves and with fixed ``seeds``.

    ``seed_links`` are (seed, new row, sum of similarities between the seed's members and the row);
    ``story_ids[i]`` is the id new row i would found a story with. A seed is the founder of any cluster it is in.
    ``seed_pairs`` (seed, seed, sum of similarities between their members) let two unlocked seeds merge by the
    same rule as any two clusters (``config.merge_held``); without them, or with it off, seeds never merge.
    """
    k, n = len(seeds), vectors.shape[0]
    merger = _Merger(k + n, np.concatenate([[s.first for s in seeds], times]),
                     config, [s.story_id for s in seeds] + list(story_ids), corrections or Corrections(),
                     merge_seeds=config.merge_held)
    for i, seed in enumerate(seeds):
        cluster = merger.clusters[i]
        cluster.size, cluster.inner, cluster.last, cluster.seed = seed.size, seed.inner, seed.last, True
        cluster.locked, cluster.splits, cluster.exclusions = seed.locked, set(), set()
    pairs = [(s, k + r, w) for s, r, w in seed_links] + [(k + i, k + j, w) for i, j, w in
                                                         similar_pairs(vectors, times, config.window_days, dense=dense, term=term)]
    if config.merge_held:
        pairs.extend((a, b, w) for a, b, w in seed_pairs if a != b)
    members = merger.run(pairs)
    founder_of = [0] * n
    groups = []
    for founder, rows in members.items():
        for row in rows:
            if row >= k:
                founder_of[row - k] = min(rows)
        held = sorted(row for row in rows if row < k)
        if len(held) > 1:
            groups.append(held)
    inner = {f: merger.clusters[f].inner for f in members}  # a cluster's key is its founder
    return Agglomeration(founder_of, inner, sorted(groups))


__all__ = ["Agglomeration", "NEIGHBOURS", "SAME_DAY", "Seed", "agglomerate_with_seeds", "join_floor", "similar_pairs"]
