"""The LSH band index: MinHash signatures from rensa, band keys kept in sorted numpy runs (8 bytes per band).

rensa's own ``RMinHashLSH`` keeps about 6 KB per article at 64 bands (measured: RSS growth over 100,000
inserts), three times the whole dedup state; a million articles would need 6 GB for the LSH alone. Here each
band of an article becomes one 32-bit key (the band's two MinHash values and the band number, mixed) packed
with the article's 32-bit position into one uint64, ``key << 32 | position``, so 64 bands cost 512 bytes.

New entries go to a small dict buffer; every ``BUFFER`` articles it is sorted into a run, and runs of similar
size are merged (a log-structured merge: ~log2(n / BUFFER) runs, each entry re-sorted ~log2 times). Each run
is its own anonymous memory map (``mapped_empty``), so the runs a merge frees go back to the system at once.
A query looks its 64 keys up in the buffer and with one ``searchsorted`` call per run. Band keys of different bands,
or of different values, can collide in 32 bits: at a million articles ~1 false candidate per query, which
the exact verification drops, as it drops every other false candidate.
"""
from __future__ import annotations

import mmap
from itertools import repeat

import numpy as np
import rensa

SEED = 1_729  # MinHash seed; signatures are never stored, so changing it only needs a rebuild from state
ROWS_PER_BAND = 2
BUFFER = 2048  # articles per buffer flush (~10 MB of dict at 64 bands)
MAPPED_FROM = 1 << 20  # bytes: arrays at least this large get their own memory map (``mapped_empty``)
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64)
_LOW = np.uint64(0xFFFFFFFF)


def signatures(shingle_sets: list[np.ndarray], num_perm: int) -> np.ndarray:
    """MinHash signatures (rows of uint32) of shingle-hash sets; an empty set gives an all-max row."""
    offsets = np.zeros(len(shingle_sets) + 1, dtype=np.uint64)
    np.cumsum([len(s) for s in shingle_sets], out=offsets[1:])
    flat = np.concatenate(shingle_sets).astype(np.uint64) if shingle_sets else np.zeros(0, np.uint64)
    matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(flat, offsets, num_perm, SEED)
    return np.array(matrix.to_rows(), dtype=np.uint32).reshape(len(shingle_sets), num_perm)


def band_keys(sigs: np.ndarray) -> np.ndarray:
    """One 32-bit key per band (rows of ``ROWS_PER_BAND`` values) and signature: shape (n, bands)."""
    n, perms = sigs.shape
    bands = perms // ROWS_PER_BAND
    rows = sigs.reshape(n, bands, ROWS_PER_BAND).astype(np.uint64)
    with np.errstate(over="ignore"):
        band = np.arange(1, bands + 1, dtype=np.uint64) * _MIX[2]
        mixed = rows[:, :, 0] * _MIX[0] + rows[:, :, 1] * _MIX[1] + band
        mixed ^= mixed >> np.uint64(29)
        mixed *= np.uint64(0xBF58476D1CE4E5B9)
        mixed ^= mixed >> np.uint64(32)
    return (mixed & _LOW).astype(np.uint32)


class BandIndex:
    """Article positions by LSH band key; ``query`` returns the positions sharing at least one band key."""

    def __init__(self) -> None:
        self._runs: list[np.ndarray] = []  # sorted uint64: key << 32 | position, each in its own memory map
        self._buffer: dict[int, int | list[int]] = {}  # key -> position, or positions when several share it
        self._buffered = 0
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def nbytes(self) -> int:
        return sum(run.nbytes for run in self._runs)

    def insert(self, position: int, keys: np.ndarray) -> None:
        """Index one article's band keys under ``position`` (below ``2**32 - 1``)."""
        buffer, listed = self._buffer, keys.tolist()
        shared = {key: buffer[key] for key in buffer.keys() & set(listed)}  # set operations run in C
        buffer.update(zip(listed, repeat(position)))
        for key, old in shared.items():
            buffer[key] = old + [position] if type(old) is list else [old, position]
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

    def query(self, keys: np.ndarray) -> set[int]:
        found: set[int] = set()
        buffer = self._buffer
        for key in buffer.keys() & set(keys.tolist()):
            hit = buffer[key]
            if type(hit) is list:
                found.update(hit)
            else:
                found.add(hit)
        if self._runs:
            # Each key's entries lie in [key << 32, key << 32 | 0xFFFFFFFF): no position is 0xFFFFFFFF, so one
            # left-sided search of both bounds, interleaved in sorted order, finds the start and end of each.
            low = np.sort(keys).astype(np.uint64) << np.uint64(32)
            bounds = np.column_stack((low, low | _LOW)).ravel()
            for run in self._runs:
                start, stop = run.searchsorted(bounds).reshape(-1, 2).T
                for at in np.flatnonzero(stop > start).tolist():
                    found.update((run[start[at]:stop[at]] & _LOW).tolist())
        return found

    def flush(self) -> None:
        """Sort the buffer into a run."""
        if not self._buffer:
            return
        buffer, self._buffer, self._buffered = self._buffer, {}, 0
        several = [(key, v) for key, v in buffer.items() if type(v) is list]
        run = mapped_empty(len(buffer) + sum(len(v) - 1 for _, v in several), np.uint64)
        run[:len(buffer)] = np.fromiter(buffer.keys(), dtype=np.uint64, count=len(buffer))
        run[:len(buffer)] <<= np.uint64(32)
        for key, v in several:
            buffer[key] = v[0]
        run[:len(buffer)] |= np.fromiter(buffer.values(), dtype=np.uint64, count=len(buffer))
        run[len(buffer):] = [(key << 32) | pos for key, v in several for pos in v[1:]]
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


__all__ = ["BandIndex", "band_keys", "mapped_empty", "signatures"]
