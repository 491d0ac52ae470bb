"""The assigner's persistent state: the story table (ids, sizes, inner cosine sums, date ranges) and one blob.

``write_state`` stores the document-frequency table, the short lines' counts (``furniture.py``; a state
written without them reads as none seen), the live stories and their centroids (each truncated to its
``centroid_terms`` heaviest terms, scaled back to its full norm: ``truncate_rows``) as an uncompressed ``.npz``
(numpy arrays only, no pickle), so restoring 100,000 articles' stories costs a read and a few array copies instead
of re-tokenising every text. An assigner with the
dense term writes version 2: the same arrays plus each story's embedding sum, the model and the term's weight,
baseline and scale (its inner sums include the dense term); without it, version 1 as before. Both versions are read.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import NewsfuseError
from .features import N_FEATURES, DocumentFrequencies
from .furniture import LineCounts
from .index import truncate_rows

STATE_VERSION = 2  # written with the dense term; version 1 (TF-IDF only) is written without it
_READS = (1, 2)


@dataclass(frozen=True, slots=True)
class DenseState:
    """The dense term of a state: embedding sums by story (rows as the table's), model name, weight, baseline and
    scale (1 in states written before the term had one)."""

    sums: np.ndarray
    model: str
    weight: float
    baseline: float
    scale: float = 1.0


class StoryTable:
    """Per-story scalars by slot; arrays grow by doubling. Slots of folded (merged) stories stay, marked."""

    _ARRAYS = {"size": np.int64, "inner": np.float64, "first": np.float64, "last": np.float64, "merged": bool}

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.slot: dict[str, int] = {}
        self._data = {name: np.zeros(16, dtype=kind) for name, kind in self._ARRAYS.items()}
        self._data["first"][:] = self._data["last"][:] = math.nan

    def __getattr__(self, name: str) -> np.ndarray:
        if name in StoryTable._ARRAYS:
            return self._data[name][:len(self.ids)]
        raise AttributeError(name)

    def add(self, story_id: str) -> int:
        slot = len(self.ids)
        if slot == len(self._data["size"]):
            for name, array in self._data.items():
                grown = np.zeros(2 * slot, dtype=array.dtype)
                if name in ("first", "last"):
                    grown[:] = math.nan
                grown[:slot] = array
                self._data[name] = grown
        self.ids.append(story_id)
        self.slot[story_id] = slot
        return slot

    def live(self) -> int:
        return len(self.ids) - int(self.merged.sum())

    def warm(self, times: np.ndarray, window_days: float) -> np.ndarray:
        """Per slot: could a cluster of articles at ``times`` join the story (size > 0, not folded, and its date
        range within ``window_days`` of the batch's; undated stories and batches with undated articles: yes)."""
        ok = (self.size > 0) & ~self.merged
        if len(times) == 0 or np.isnan(times).any():
            return ok
        window = window_days * 86_400.0
        with np.errstate(invalid="ignore"):
            near = (self.first - window <= times.max()) & (self.last + window >= times.min())
        return ok & (near | np.isnan(self.first))

    def grow_story(self, slot: int, members: int, inner: float, times: np.ndarray, replace_inner: bool) -> None:
        """``members`` new articles at ``times`` joined; ``inner`` is the cluster's inner sum (or what to add)."""
        d = self._data
        d["size"][slot] += members
        d["inner"][slot] = inner if replace_inner else d["inner"][slot] + inner
        dated = times[~np.isnan(times)]
        if len(dated):
            d["first"][slot] = _nan_extreme(min, d["first"][slot], float(dated.min()))
            d["last"][slot] = _nan_extreme(max, d["last"][slot], float(dated.max()))

    def absorb(self, slots: np.ndarray, nonempty: np.ndarray, times: np.ndarray, touched: np.ndarray,
               norms2: np.ndarray) -> None:
        """Loaded members: sizes and date ranges; inner sums from the centroids' squared norms
        (|sum of unit vectors|^2 = members with words + 2 x the sum of inner cosines)."""
        d = self._data
        words = np.bincount(slots[nonempty], minlength=len(self.ids))[touched] + d["size"][touched]
        np.add.at(d["size"], slots, 1)
        d["inner"][touched] = np.maximum(0.0, (norms2 - words) / 2.0)
        for slot, when in zip(slots[~np.isnan(times)].tolist(), times[~np.isnan(times)].tolist()):
            d["first"][slot] = _nan_extreme(min, d["first"][slot], when)
            d["last"][slot] = _nan_extreme(max, d["last"][slot], when)

    def fold(self, alias: int, kept: int, cross: float) -> None:
        """Story ``alias`` merged into ``kept``; ``cross`` = centroid(kept) . centroid(alias)."""
        d = self._data
        d["inner"][kept] += d["inner"][alias] + cross
        d["size"][kept] += d["size"][alias]
        d["first"][kept] = _nan_extreme(min, d["first"][kept], d["first"][alias])
        d["last"][kept] = _nan_extreme(max, d["last"][kept], d["last"][alias])
        d["size"][alias], d["merged"][alias] = 0, True
        self.slot[self.ids[alias]] = kept

    def rename(self, old: str, new: str) -> None:
        slot = self.slot.pop(old)
        self.ids[slot], self.slot[new] = new, slot


def _nan_extreme(pick, x: float, y: float) -> float:
    """min/max of two times where nan means undated."""
    return y if math.isnan(x) else x if math.isnan(y) else pick(x, y)


def write_state(df: DocumentFrequencies, table: StoryTable, centroids: sp.csr_matrix, max_terms: int,
                dense: DenseState | None = None, lines: LineCounts | None = None) -> bytes:
    """The blob of ``read_state``; ``dense.sums`` has one row per slot (only live ones are kept)."""
    live = np.flatnonzero(~table.merged)
    kept = truncate_rows(centroids[live].tocsr(), max_terms, keep_norm=True)
    arrays = {"version": np.array([1 if dense is None else 2]),
              "ids": np.frombuffer("\n".join(table.ids[i] for i in live.tolist()).encode(), dtype=np.uint8),
              "size": table.size[live], "inner": table.inner[live], "first": table.first[live],
              "last": table.last[live], "indptr": kept.indptr.astype(np.int64),
              "indices": kept.indices.astype(np.int32), "data": kept.data.astype(np.float32), **df.to_arrays(),
              **(lines or LineCounts()).to_arrays()}
    if dense is not None:
        arrays.update(dense=dense.sums[live].astype(np.float32), dense_model=np.frombuffer(dense.model.encode(),
                      dtype=np.uint8), dense_term=np.array([dense.weight, dense.baseline, dense.scale]))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def read_state(data: bytes) -> tuple[DocumentFrequencies, StoryTable, sp.csr_matrix, DenseState | None, LineCounts]:
    try:
        arrays = np.load(io.BytesIO(data), allow_pickle=False)
        version = int(arrays["version"][0])
    except (ValueError, KeyError, OSError) as exc:
        raise NewsfuseError(f"cluster state: not a StoryAssigner.export_state blob ({exc})") from exc
    if version not in _READS:
        raise NewsfuseError(f"cluster state: version {version}, this newsfuse reads {_READS}; rebuild it "
                            "with StoryAssigner.load(stored stories) and export_state()")
    table = StoryTable()
    text = arrays["ids"].tobytes().decode()
    for story_id in text.split("\n") if text else []:
        table.add(story_id)
    n = len(table.ids)
    for name in ("size", "inner", "first", "last"):
        table._data[name][:n] = arrays[name]
    centroids = sp.csr_matrix((arrays["data"], arrays["indices"], arrays["indptr"]), shape=(n, N_FEATURES))
    dense = None
    if version == 2:
        term = [float(x) for x in arrays["dense_term"]]
        dense = DenseState(np.array(arrays["dense"], dtype=np.float32), arrays["dense_model"].tobytes().decode(),
                           term[0], term[1], term[2] if len(term) > 2 else 1.0)
    return DocumentFrequencies.from_arrays(arrays), table, centroids, dense, LineCounts.from_arrays(arrays)


__all__ = ["STATE_VERSION", "DenseState", "StoryTable", "read_state", "write_state"]
