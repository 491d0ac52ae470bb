"""The LSH band index: MinHash signatures from rensa, band keys kept in sorted numpy runs (8 bytes per band).

rensa's own ``RMinHashLSH`` keeps about 6 KB per article at 64 bands (measured: RSS growth over 100,000
inserts), three times the whole dedup state; a million articles would need 6 GB for the LSH alone. Here each
band of an article becomes one 32-bit key (the band's two MinHash values and the band number, mixed) packed
with the article's 32-bit position into one uint64, ``key << 32 | position``, so 64 bands cost 512 bytes.

New entries go to a buffer (their keys, and a dict from each key to the newest article holding it, whose
earlier holders are chained); every ``BUFFER`` articles it is sorted into a run, and runs of similar
size are merged (a log-structured merge: ~log2(n / BUFFER) runs, each entry re-sorted ~log2 times). Each run
is its own anonymous memory map (``mapped_empty``), so the runs a merge frees go back to the system at once.
A query looks its 64 keys up in the dict, walks their chains (all bands at once, one numpy step per
link), and makes one ``searchsorted`` call per run; ``shared`` also counts the bands each found article
shares. Band keys of different bands, or of different values, can collide in 32 bits: at a million articles
~1 false candidate per query, which the exact verification drops, as it drops every other false candidate.

Band counts. Two sets of Jaccard J share each band with probability about J**2, so the number of shared
bands is binomial: a pair that can only be linked at J >= 0.43 (two 500-shingle articles at containment 0.6)
shares 11.8 of 64 bands on average and 2 or fewer with probability 0.0003. ``band_limits`` turns that into a
test that needs no data: a candidate is worth verifying unless its count is that unlikely (below ``MISS``)
for a pair at the least Jaccard that could link it. A shared sentence or a boilerplate paragraph makes one
or two bands collide, and it recurs in ever more earlier articles as the index grows; this test drops those
candidates before their shingles are decoded.
"""
from __future__ import annotations

import math
import mmap
from functools import cache
from itertools import repeat

import numpy as np
import rensa

SEED = 1_729  # MinHash seed; signatures are never stored, so changing it only needs a rebuild from state
ROWS_PER_BAND = 2
BUFFER = 2048  # articles per buffer flush (~10 MB of dict and 1 MB of arrays at 64 bands)
MISS = 1e-3  # the band-count test drops a pair at the linking threshold with at most this probability
MAPPED_FROM = 1 << 20  # bytes: arrays at least this large get their own memory map (``mapped_empty``)
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64)
_LOW = np.uint64(0xFFFFFFFF)
with np.errstate(over="ignore"):
    _BAND_OFFSETS = np.arange(1, 513, dtype=np.uint64) * _MIX[2]  # one per band, up to 1,024 permutations


def signatures(shingle_sets: list[np.ndarray], num_perm: int) -> np.ndarray:
    """MinHash signatures (rows of uint32) of shingle-hash sets; an empty set gives an all-max row."""
    if len(shingle_sets) == 1:  # Deduplicator.add: one article, without the list arithmetic
        flat = shingle_sets[0].astype(np.uint64)
        offsets = np.array([0, len(flat)], dtype=np.uint64)
    else:
        offsets = np.zeros(len(shingle_sets) + 1, dtype=np.uint64)
        np.cumsum([len(s) for s in shingle_sets], out=offsets[1:])
        flat = np.concatenate(shingle_sets).astype(np.uint64) if shingle_sets else np.zeros(0, np.uint64)
    matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(flat, offsets, num_perm, SEED)
    return np.array(matrix.to_rows(), dtype=np.uint32).reshape(len(shingle_sets), num_perm)


def band_keys(sigs: np.ndarray) -> np.ndarray:
    """One 32-bit key per band (rows of ``ROWS_PER_BAND`` values) and signature: shape (n, bands).

    A band's two 32-bit values are read as one 64-bit number, offset by the band number and mixed (the
    splitmix64 finaliser); keys are compared only within one process (the index is rebuilt from shingles).
    """
    bands = sigs.shape[1] // ROWS_PER_BAND
    pairs = np.ascontiguousarray(sigs, dtype=np.uint32).view(np.uint64)  # (n, bands): one value per band
    with np.errstate(over="ignore"):
        mixed = pairs * _MIX[0]
        mixed += _BAND_OFFSETS[:bands]
        mixed ^= mixed >> np.uint64(29)
        mixed *= np.uint64(0xBF58476D1CE4E5B9)
        mixed ^= mixed >> np.uint64(32)
    return mixed.astype(np.uint32)  # the low 32 bits


class BandIndex:
    """Article positions by LSH band key; ``query`` returns the positions sharing at least one band key."""

    def __init__(self) -> None:
        self._runs: list[np.ndarray] = []  # sorted uint64: key << 32 | position, each in its own memory map
        # The buffer: the last articles' keys (one row each) and positions; ``_head`` maps a key to the newest
        # row holding it, ``_chain[row, band]`` to the row before that holding row's key of that band (or -1).
        self._keys = np.empty((0, 0), dtype=np.uint32)
        self._chain = np.empty((0, 0), dtype=np.int32)
        self._positions = np.empty(BUFFER, dtype=np.uint64)
        self._head: dict[int, int] = {}
        self._buffered = 0
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def nbytes(self) -> int:
        return sum(run.nbytes for run in self._runs)

    def insert(self, position: int, keys: np.ndarray) -> None:
        """Index one article's band keys under ``position`` (below ``2**32 - 1``)."""
        listed = keys.tolist()
        self._insert(position, keys, listed, self._heads(listed))

    def _heads(self, listed: list[int]) -> np.ndarray:
        """The newest buffer row holding each key, -1 where none does."""
        return np.fromiter(map(self._head.get, listed, repeat(-1)), dtype=np.int32, count=len(listed))

    def _insert(self, position: int, keys: np.ndarray, listed: list[int], heads: np.ndarray) -> None:
        if self._keys.shape[1] != len(keys):  # the first article sets the band count
            self.flush()
            self._keys = np.empty((BUFFER, len(keys)), dtype=np.uint32)
            self._chain = np.empty((BUFFER, len(keys)), dtype=np.int32)
        row = self._buffered
        self._keys[row], self._chain[row], self._positions[row] = keys, heads, position
        self._head.update(zip(listed, repeat(row)))
        self.count += 1
        self._buffered += 1
        if self._buffered >= BUFFER:
            self.flush()

    def insert_many(self, positions: np.ndarray, keys: np.ndarray) -> None:
        """Rows of ``keys`` for ``positions`` (uint64, below ``2**32 - 1``): straight into a run."""
        if not len(keys):
            return
        run = mapped_empty(keys.size, np.uint64)
        np.bitwise_or(keys.astype(np.uint64) << np.uint64(32), positions[:, None], out=run.reshape(keys.shape))
        self._add_run(run)
        self.count += len(keys)

    def query(self, keys: np.ndarray, then_insert: int | None = None) -> set[int]:
        """Positions of the articles sharing at least one band key with ``keys`` (``shared`` without counts)."""
        return set(self.shared(keys, then_insert)[0].tolist())

    def shared(self, keys: np.ndarray, then_insert: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the articles sharing at least one band key with ``keys`` (sorted, uint64), and how many
        of the keys each shares.

        With ``then_insert``, ``keys`` are then indexed under that position (as ``insert``, but sharing the
        buffer lookup: what ``Deduplicator.add`` does for every article).
        """
        listed = keys.tolist()
        heads = self._heads(listed)
        found = [self._positions[self._buffer_rows(heads)]]
        if self._runs:
            # Each key's entries lie in [key << 32, key << 32 | 0xFFFFFFFF): no position is 0xFFFFFFFF, so one
            # left-sided search of both bounds, interleaved in sorted order, finds the start and end of each.
            low = np.sort(keys).astype(np.uint64) << np.uint64(32)
            bounds = np.column_stack((low, low | _LOW)).ravel()
            for run in self._runs:
                start, stop = run.searchsorted(bounds).reshape(-1, 2).T
                found.append(run[_ranges(start, stop)] & _LOW)
        if then_insert is not None:
            self._insert(then_insert, keys, listed, heads)
        return np.unique(np.concatenate(found), return_counts=True)

    def _buffer_rows(self, heads: np.ndarray) -> np.ndarray:
        """Every buffer row on the chains that start at ``heads``, all bands walked at once."""
        rows, bands = [], np.arange(len(heads))
        live = heads >= 0
        current, bands = heads[live], bands[live]
        while len(current):
            rows.append(current)
            current = self._chain[current, bands]
            live = current >= 0
            current, bands = current[live], bands[live]
        return np.concatenate(rows) if rows else heads[:0]

    def flush(self) -> None:
        """Sort the buffer into a run."""
        if not self._buffered:
            return
        count, self._buffered = self._buffered, 0
        self._head.clear()
        run = mapped_empty(count * self._keys.shape[1], np.uint64)
        np.bitwise_or(self._keys[:count].astype(np.uint64) << np.uint64(32), self._positions[:count, None],
                      out=run.reshape(count, -1))
        self._add_run(run)

    def _add_run(self, run: np.ndarray) -> None:
        run.sort()
        self._runs.append(run)
        while len(self._runs) > 1 and 2 * len(self._runs[-1]) >= len(self._runs[-2]):
            last, first = self._runs.pop(), self._runs.pop()
            merged = mapped_empty(len(first) + len(last), np.uint64)
            merged[:len(first)], merged[len(first):] = first, last
            del first, last  # their maps are returned before the sort
            merged.sort()
            self._runs.append(merged)


@cache
def band_limits(bands: int) -> np.ndarray:
    """Per count ``c`` of shared bands (0 to ``bands``): the band-collision probability p at which sharing at
    most c of ``bands`` bands has probability ``MISS``. A pair whose p is at least that shares more bands than
    c but for a chance below ``MISS``; the last entry is infinite (sharing every band is never unlikely)."""
    k = np.arange(bands + 1, dtype=np.float64)
    log_choose = np.array([math.lgamma(bands + 1) - math.lgamma(i + 1) - math.lgamma(bands - i + 1)
                           for i in range(bands + 1)])
    at_most = k[None, :] <= k[:, None]  # row c: the counts 0..c
    low, high = np.zeros(bands + 1), np.ones(bands + 1)
    for _ in range(40):  # bisection on every count at once: P(count <= c) falls as p grows
        p = (low + high) / 2
        pmf = np.exp(log_choose + k * np.log(p[:, None]) + (bands - k) * np.log1p(-p[:, None]))
        likely = (pmf * at_most).sum(axis=1) > MISS
        low, high = np.where(likely, p, low), np.where(likely, high, p)
    high[bands] = np.inf
    high.flags.writeable = False  # one cached table per band count, shared by every index
    return high


def _ranges(start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """The indices ``start[i] <= j < stop[i]`` of every range, in order, as one array (for one gather)."""
    lengths = stop - start
    total = int(lengths.sum())
    if not total:
        return lengths[:0]
    # Index j of the output lies in range i: j - (output offset of range i) + start[i].
    return np.arange(total, dtype=np.int64) + np.repeat(start - (np.cumsum(lengths) - lengths), lengths)


def mapped_empty(count: int, dtype: type) -> np.ndarray:
    """An uninitialised 1-d array; a large one in its own anonymous memory map.

    A run freed by a merge then goes back to the operating system at once. From ``malloc`` it could stay in
    the heap's free lists (glibc raises its mmap threshold to the size of each large block freed, up to 32 MB,
    so later runs of that size come from the heap): measured, ~650 bytes per article of RSS that held no data
    at 100,000 articles.
    """
    size = count * np.dtype(dtype).itemsize
    if size < MAPPED_FROM:
        return np.empty(count, dtype=dtype)
    return np.frombuffer(mmap.mmap(-1, size), dtype=dtype)


__all__ = ["BandIndex", "band_keys", "band_limits", "mapped_empty", "signatures"]
