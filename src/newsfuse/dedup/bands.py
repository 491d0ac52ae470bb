"""The LSH band index: MinHash signatures from rensa, band keys kept in sorted numpy runs (8 bytes per band).

rensa's own ``RMinHashLSH`` keeps about 6 KB per article at 64 bands (measured: RSS growth over 100,000
inserts), three times the whole dedup state; a million articles would need 6 GB for the LSH alone. Here each
band of an article becomes one 32-bit key (the band's two MinHash values and the band number, mixed) packed
with the article's 32-bit position into one uint64, ``key << 32 | position``, so 64 bands cost 512 bytes.

New entries go to a small dict buffer; every ``BUFFER`` articles it is sorted into a run, and runs of similar
size are merged (a log-structured merge: ~log2(n / BUFFER) runs, each entry re-sorted ~log2 times). A query
looks its 64 keys up in the buffer and with two ``searchsorted`` calls per run. Band keys of different bands,
or of different values, can collide in 32 bits: at a million articles ~1 false candidate per query, which
the exact verification drops, as it drops every other false candidate.
"""
from __future__ import annotations

from itertools import repeat

import numpy as np
import rensa

SEED = 1_729  # MinHash seed; signatures are never stored, so changing it only needs a rebuild from state
ROWS_PER_BAND = 2
BUFFER = 8192  # articles per buffer flush (~60 MB of dict at 64 bands)
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
        self._runs: list[np.ndarray] = []  # sorted uint64: key << 32 | position
        self._buffer: dict[int, int | list[int]] = {}  # key -> position, or positions when several share it
        self._buffered = 0
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def nbytes(self) -> int:
        return sum(run.nbytes for run in self._runs)

    def insert(self, position: int, keys: np.ndarray) -> None:
        buffer, listed = self._buffer, keys.tolist()
        shared = {key: buffer[key] for key in buffer.keys() & set(listed)}  # set operations run in C
        buffer.update(zip(listed, repeat(position)))
        for key, old in shared.items():
            buffer[key] = old + [position] if type(old) is list else [old, position]
        self.count += 1
        self._buffered += 1
        if self._buffered >= BUFFER:
            self.flush()

    def insert_many(self, first: int, keys: np.ndarray) -> None:
        """Rows of ``keys`` for positions first, first + 1, ...: straight into a run."""
        if not len(keys):
            return
        positions = np.arange(first, first + len(keys), dtype=np.uint64)[:, None]
        self._add_run((keys.astype(np.uint64) << np.uint64(32) | positions).ravel())
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
            low = np.sort(keys).astype(np.uint64) << np.uint64(32)
            for run in self._runs:
                start = np.searchsorted(run, low)
                inside = start < len(run)
                hits = np.flatnonzero(inside)[(run[start[inside]] >> np.uint64(32)) == (low[inside] >> np.uint64(32))]
                if len(hits):
                    stop = np.searchsorted(run, low[hits] | _LOW, side="right")
                    for begin, end in zip(start[hits].tolist(), stop.tolist()):
                        found.update((run[begin:end] & _LOW).tolist())
        return found

    def flush(self) -> None:
        if not self._buffer:
            return
        buffer, self._buffer, self._buffered = self._buffer, {}, 0
        keys = np.fromiter(buffer.keys(), dtype=np.uint64, count=len(buffer))
        values = list(buffer.values())
        several = [i for i, v in enumerate(values) if type(v) is list]
        for i in several:
            values[i] = values[i][0]
        extra = [(key << 32) | pos for key, v in buffer.items() if type(v) is list for pos in v[1:]]
        run = (keys << np.uint64(32)) | np.array(values, dtype=np.uint64)
        self._add_run(np.concatenate((run, np.array(extra, dtype=np.uint64))) if extra else run)

    def _add_run(self, run: np.ndarray) -> None:
        run.sort()
        self._runs.append(run)
        while len(self._runs) > 1 and 2 * len(self._runs[-1]) >= len(self._runs[-2]):
            last = self._runs.pop()
            merged = np.concatenate((self._runs.pop(), last))
            merged.sort()
            self._runs.append(merged)


__all__ = ["BandIndex", "band_keys", "signatures"]
