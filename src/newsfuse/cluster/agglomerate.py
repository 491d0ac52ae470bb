"""Batch story clustering: average-linkage agglomeration with a cohesion check and constraints.

Articles are TF-IDF vectors fitted on the whole batch (``features.batch_vectors``). Clusters are merged
greedily, the pair with the highest average pairwise cosine first, while that average is at least
``batch_similarity``. A merge is refused when the average link between the two clusters is below
``cohesion_ratio`` x their own cohesion (the average cosine inside each cluster, size-weighted; singletons have
none): tight stories of near-identical reports then do not absorb a loosely related story, while a loose
topic whose members are all about as similar to each other keeps growing. Constraints refuse a merge too:
the time window (the gap between the two clusters' date ranges exceeds ``window_days``; undated articles have
no time term) and the analyst's ``Corrections`` (splits and exclusions). A refused pair is tried again only
after one of its clusters has changed.

Two rules for undated news, where one topic's separate events (weekly jobless-claims reports, a refugee cap kept
then raised) share most words (bench/tune_cluster.py): two multi-article clusters do not merge when the smaller
one's core, the terms at least half of its members (and two) use, has more than ``distinct_core`` of its idf
weight in terms no member of the other uses: each event has its own numbers, days and names (with the dense term,
``dense_distinct_core``). And when one article joins a story, the story's cohesion counts only up to
``join_cohesion_cap``, so that a story of two near-identical reports does not ask a third, differently worded one
to be as close (batch mode, whatever ``merge_held`` says; in incremental mode only a run with no held story and
``merge_held`` off, which is then batch mode). A story of three or more has
shown its spread, though: its excess over the cap counts by its pairs beyond the first against ``join_cap_pairs``
(``join_reference``), so a stray of the same topic does not join a complete tight story on the cap alone.

Seeds (``agglomerate_with_seeds``): the incremental mode passes stories already held as fixed clusters (their
size, inner cosine sum, date range and id) linked to the new rows by the sums of cosines ``centroid . v`` (a
story's centroid is the sum of its members' unit vectors, so that sum is exactly what average linkage needs).
New rows may join a seed or each other. Held stories never split; two seeds merge only when
``ClusterConfig.merge_held`` is on, neither is ``locked``, and they pass the same rule as any two clusters (their
link, the sum of cosines between their members, is ``centroid_a . centroid_b``): that is how a later run folds two
stories an earlier run could not yet tell were one event (the assigner records it as an alias).

The background (``ClusterConfig.background_margin``): those thresholds are absolute, tuned on short news whose
unrelated pairs share ~nothing; long pages of one genre (SEO listicles) share generic words, and their clusters
kept growing at average cosines of 0.10. So a merge is also refused when it would leave the merged cluster's
average inner similarity below ``background_margin`` x the median similarity between the articles in play
(``typical_similarity``; the incremental mode passes its own, over new rows and held stories): a real story is
several times tighter than two unrelated articles of its batch, a genre blob is not.

Only pairs with cosine >= ``_PAIR_FLOOR`` are stored (a sparse graph, computed in row blocks), so memory grows
with the number of similar pairs, not with n^2; the missing pairs count as 0 in every average. With a dense term
(sentence embeddings, ``embed.DenseTerm``), a stored pair's similarity is the TF-IDF cosine combined with the
dense cosine of the two rows; the graph's pairs are still chosen by their TF-IDF cosine.
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
_BLOCK_ROWS = 2048
_GRAM_ROWS = 1024  # pair_sample reads pairs off the rows' product up to this many rows
BACKGROUND_PAIRS = 100  # fewer pairs than this (a batch of < 15 articles) tell no background: it is then 0


def similar_pairs(vectors: sp.csr_matrix, floor: float = _PAIR_FLOOR, dense: np.ndarray | None = None,
                  term: DenseTerm | None = None) -> list[tuple[int, int, float]]:
    """(i, j, similarity) for i < j with TF-IDF cosine >= floor; ``vectors`` rows are L2-normalised. With
    ``dense`` (unit rows) and ``term``, the similarity is ``term.combine`` of both cosines, else the cosine."""
    pairs: list[tuple[int, int, float]] = []
    transposed = vectors.T.tocsc()
    for start in range(0, vectors.shape[0], _BLOCK_ROWS):
        block = (vectors[start:start + _BLOCK_ROWS] @ transposed).tocoo()
        rows, cols = block.row + start, block.col
        keep = (cols > rows) & (block.data >= floor)
        rows, cols, sims = rows[keep], cols[keep], block.data[keep].astype(np.float64)
        if dense is not None and term is not None and len(rows):
            sims = term.combine(sims, np.einsum("ij,ij->i", dense[rows], dense[cols]).astype(np.float64))
        pairs.extend(zip(rows.tolist(), cols.tolist(), sims.tolist()))
    return pairs


def pair_sample(vectors: sp.csr_matrix, dense: np.ndarray | None = None, term: DenseTerm | None = None,
                samples: int = 20_000) -> np.ndarray:
    """Similarities of pairs of distinct rows with a word: all pairs, or ``samples`` drawn with a fixed seed."""
    rows = np.flatnonzero(np.diff(vectors.indptr))
    n = len(rows)
    if n < 2:
        return np.zeros(0)
    if n * (n - 1) // 2 <= samples:
        i, j = np.triu_indices(n, 1)
    else:
        rng = np.random.default_rng(0)
        i, j = rng.integers(0, n, samples), rng.integers(0, n - 1, samples)
        j = j + (j >= i)
    if n <= _GRAM_ROWS:  # one product of the rows with a word, read at the pairs: 3-25x faster than pair by pair
        some = vectors[rows]
        sims = np.asarray((some @ some.T).toarray()[i, j], dtype=np.float64)
        i, j = rows[i], rows[j]
    else:
        i, j = rows[i], rows[j]
        sims = np.asarray(vectors[i].multiply(vectors[j]).sum(axis=1), dtype=np.float64).ravel()
    if dense is not None and term is not None:
        sims = term.combine(sims, np.einsum("ij,ij->i", dense[i], dense[j]).astype(np.float64))
    return sims


def typical_similarity(vectors: sp.csr_matrix, dense: np.ndarray | None = None,
                       term: DenseTerm | None = None) -> float:
    """The median similarity of pairs of distinct rows (``pair_sample``), 0 below ``BACKGROUND_PAIRS`` pairs
    (in a small batch, most pairs may be one story's): what two unrelated articles of this batch typically share.
    A median, not a mean, so that the pairs inside real stories or topics (a minority of all pairs) do not raise
    it: wikiref's mean cosine is 0.056, its median 0.040."""
    sims = pair_sample(vectors, dense, term)
    return max(0.0, float(np.median(sims))) if len(sims) >= BACKGROUND_PAIRS else 0.0


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The value at half the total weight (values sorted), at least 0; 0 without values."""
    if not len(values):
        return 0.0
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    return max(0.0, float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2.0)]))


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

    @property
    def cohesion(self) -> float:
        return self.inner / (self.size * (self.size - 1) / 2) if self.size > 1 else math.nan


class _Cores:
    """Which terms each row has (the nonzero columns of its TF-IDF row, rows ``offset``.. of the merger) and the
    batch's idf of every column, for the distinct-core test between two multi-article clusters."""

    def __init__(self, vectors: sp.csr_matrix, limit: float, offset: int = 0) -> None:
        self.rows, self.limit, self.offset = vectors.tocsr(), limit, offset
        self._idf: tuple[np.ndarray, np.ndarray] | None = None  # (used columns, their idf), on first use

    def idf(self, terms: np.ndarray) -> np.ndarray:
        if self._idf is None:
            columns, df = np.unique(self.rows.indices, return_counts=True)
            self._idf = columns, np.log((1.0 + self.rows.shape[0]) / (1.0 + df)) + 1.0
        columns, idf = self._idf
        return idf[np.searchsorted(columns, terms)]

    def _terms(self, members: list[int]) -> tuple[np.ndarray, np.ndarray]:
        rows = self.rows[np.asarray(members) - self.offset]
        return np.unique(rows.indices, return_counts=True)

    def exclusive(self, members: list[int], others: np.ndarray) -> float:
        """The idf-weighted share of ``members``' core terms (in at least half of them, and at least two) that
        no row of the other cluster has (``others``: its terms, sorted)."""
        terms, counts = self._terms(members)
        core = terms[counts >= max(2, math.ceil(len(members) / 2))]
        weights = self.idf(core)
        total = weights.sum()
        return float(weights[~np.isin(core, others, assume_unique=True)].sum() / total) if total > 0 else 0.0

    def distinct(self, a: list[int], b: list[int]) -> bool:
        """Whether the smaller cluster has more than ``limit`` of its core that the larger lacks: two events (the
        smaller one's core, as a large cluster of loosely related articles keeps only a few generic terms in
        half of its members; of two clusters of one size, the lower share)."""
        if self.limit >= 1.0:
            return False
        if len(a) > len(b):
            a, b = b, a
        share = self.exclusive(a, self._terms(b)[0])
        if share > self.limit and len(a) == len(b):
            share = min(share, self.exclusive(b, self._terms(a)[0]))
        return share > self.limit

    @classmethod
    def of(cls, vectors: sp.csr_matrix, config: ClusterConfig, term: DenseTerm | None, offset: int = 0) -> "_Cores":
        """With the dense term on, its own share (``dense_distinct_core``), as its own cohesion ratio."""
        return cls(vectors, config.distinct_core if term is None else config.dense_distinct_core, offset)


class _Merger:
    def __init__(self, n: int, times: np.ndarray, config: ClusterConfig, story_ids: Sequence[str],
                 corrections: Corrections, merge_seeds: bool = False, cores: "_Cores | None" = None,
                 loose_joins: bool = True, background: float = 0.0) -> None:
        """``background``: the typical similarity of two articles in play (``typical_similarity``)."""
        self.config, self.story_ids, self.merge_seeds, self.cores = config, story_ids, merge_seeds, cores
        self.background = config.background_margin * background  # the merged cohesion a merge must leave
        self.loose_joins = loose_joins  # see join_cohesion_cap: batch mode, and a first run without merge_held
        self.clusters = {i: _Cluster(i, first=float(times[i]), last=float(times[i])) for i in range(n)}
        for i, story_id in enumerate(story_ids):
            article_id = story_id[1:]
            if article_id in corrections.splits:
                self.clusters[i].splits.add(i)
            self.clusters[i].exclusions = corrections.excluded_stories(article_id)
        self.resolve = corrections.resolve
        self.heap: list[tuple[float, int, int, int, int]] = []
        self.members = {i: [i] for i in range(n)}

    def push(self, a: int, b: int) -> None:
        ca, cb = self.clusters[a], self.clusters[b]
        average = ca.links[b] / (ca.size * cb.size)
        if average >= self.config.batch_similarity:
            a, b = min(a, b), max(a, b)
            heapq.heappush(self.heap, (-average, a, b, self.clusters[a].version, self.clusters[b].version))

    def allowed(self, a: _Cluster, b: _Cluster, average: float) -> bool:
        if a.seed and b.seed and (a.locked or b.locked or not self.merge_seeds):
            return False
        if not (math.isnan(a.first) or math.isnan(b.first)):
            gap = max(a.first, b.first) - min(a.last, b.last)
            if gap > self.config.window_days * 86_400.0:
                return False
        founder = min(a.founder, b.founder)
        if any(s != founder for s in a.splits | b.splits):
            return False
        if (a.exclusions or b.exclusions) and self.resolve(self.story_ids[founder]) in a.exclusions | b.exclusions:
            return False
        if self.below_background(a, b, average):
            return False
        cohesions = [(c.cohesion, c.size) for c in (a, b) if c.size > 1]
        if not cohesions:
            return average >= self.config.pair_similarity
        reference = sum(c * s for c, s in cohesions) / sum(s for _, s in cohesions)
        if len(cohesions) == 1 and self.loose_joins:  # one article joins a story: its cohesion shrunk to a cap
            reference = self.join_reference(reference, cohesions[0][1])
        if average < self.config.cohesion_ratio * reference:
            return False
        if len(cohesions) == 1 or self.cores is None or a.seed or b.seed:
            return True
        return not self.cores.distinct(self.members[a.founder], self.members[b.founder])

    def below_background(self, a: _Cluster, b: _Cluster, average: float) -> bool:
        """Whether merging would leave an average inner similarity below ``background_margin`` x the background."""
        if self.background <= 0:
            return False
        size = a.size + b.size
        return (a.inner + b.inner + average * a.size * b.size) / (size * (size - 1) / 2) < self.background

    def join_reference(self, cohesion: float, size: int) -> float:
        """The cohesion a story of ``size`` members holds one joining article to: above ``join_cohesion_cap``,
        the cap plus the excess weighed by its pairs beyond the first against ``join_cap_pairs`` (a pair's one
        cosine says nothing of its spread: the cap; a story of three near-identical reports is held closer)."""
        cap = self.config.join_cohesion_cap
        evidence = size * (size - 1) / 2 - 1
        if cohesion <= cap or evidence <= 0:
            return min(cohesion, cap)
        return cap + (cohesion - cap) * evidence / (evidence + self.config.join_cap_pairs)

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


def agglomerate(vectors: sp.csr_matrix, times: np.ndarray, story_ids: Sequence[str], config: ClusterConfig,
                corrections: Corrections | None = None, dense: np.ndarray | None = None,
                term: DenseTerm | None = None) -> list[int]:
    """For each row (rows in time order), the row index of its cluster's founder.

    ``times`` are POSIX seconds (nan when undated); ``story_ids[i]`` is the id row i would found a story with;
    ``dense``/``term``: the optional dense term (see ``similar_pairs``).
    """
    merger = _Merger(vectors.shape[0], times, config, story_ids, corrections or Corrections(),
                     cores=_Cores.of(vectors, config, term if dense is not None else None),
                     background=typical_similarity(vectors, dense, term) if config.background_margin else 0.0)
    members = merger.run(similar_pairs(vectors, dense=dense, term=term))
    founder_of = [0] * vectors.shape[0]
    for rows in members.values():
        founder = min(rows)
        for row in rows:
            founder_of[row] = founder
    return founder_of


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
                           seed_pairs: Sequence[tuple[int, int, float]] = (), background: float = 0.0) -> Agglomeration:
    """Cluster new rows (in time order) among themselves and with fixed ``seeds``.

    ``seed_links`` are (seed, new row, sum of similarities between the seed's members and the row);
    ``story_ids[i]`` is the id new row i would found a story with. A seed is the founder of any cluster it is in.
    ``seed_pairs`` (seed, seed, sum of similarities between their members) let two unlocked seeds merge by the
    same rule as any two clusters (``config.merge_held``); without them, or with it off, seeds never merge.
    ``background``: the median similarity between the articles in play (new and held: the caller's, as batch
    mode's ``typical_similarity``); no merge leaves a cluster below ``config.background_margin`` times it.
    """
    k, n = len(seeds), vectors.shape[0]
    merger = _Merger(k + n, np.concatenate([[s.first for s in seeds], times]),
                     config, [s.story_id for s in seeds] + list(story_ids), corrections or Corrections(),
                     merge_seeds=config.merge_held,
                     cores=_Cores.of(vectors, config, term if dense is not None else None, offset=k),
                     loose_joins=not seeds and not config.merge_held, background=background)
    for i, seed in enumerate(seeds):
        cluster = merger.clusters[i]
        cluster.size, cluster.inner, cluster.last, cluster.seed = seed.size, seed.inner, seed.last, True
        cluster.locked, cluster.splits, cluster.exclusions = seed.locked, set(), set()
    pairs = [(s, k + r, w) for s, r, w in seed_links] + [(k + i, k + j, w) for i, j, w in
                                                         similar_pairs(vectors, dense=dense, term=term)]
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


__all__ = ["Agglomeration", "Seed", "agglomerate", "agglomerate_with_seeds", "pair_sample", "similar_pairs",
           "typical_similarity", "weighted_median"]
