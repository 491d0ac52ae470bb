"""The article table of the dedup index: fixed-size columns, two byte buffers and two hash tables.

No Python object is kept per article (a dict entry, a str and a bytes object cost ~250 bytes before any data).
Each article is a row number; its fields live in typed ``array.array`` columns (57 bytes a row), its id and its
shingle set (Elias-Fano coded, ``eliasfano.py``) in two ``bytearray`` buffers addressed by offset, and ids and
canonical URLs are found through ``KeyTable``, an open-addressing hash table of their 64-bit keys in two numpy
arrays (12 bytes a slot, at most half full). ``array`` and ``bytearray`` grow with ``realloc``: a large block
is remapped, not copied, so the index grows without a transient second copy.

Lineage. ``original`` holds the row of an article's group original (``NONE`` for an original; ``DANGLING``
when loaded state names an original that was never loaded: its id is kept in a small dict). The copies of an
original form a linked list through ``chain``: an original's ``chain`` is its first copy, a copy's the next
one; ``copies`` lists them in arrival (row) order. Re-pointing a group only walks that group.
"""
from __future__ import annotations

from array import array

import numpy as np

from . import eliasfano

NONE = -1  # ``original`` of an original; ``chain`` at the end of a list
DANGLING = -2  # ``original`` of a copy whose original is not in the table
_EMPTY = -1


class KeyTable:
    """A multimap from 64-bit keys (already uniform hashes) to rows: linear probing, grown at half full."""

    def __init__(self, capacity: int = 1024) -> None:
        self._keys = np.zeros(capacity, dtype=np.uint64)
        self._rows = np.full(capacity, _EMPTY, dtype=np.int32)
        self._mask = capacity - 1
        self.count = 0

    def nbytes(self) -> int:
        return self._keys.nbytes + self._rows.nbytes

    def find(self, key: int) -> list[int]:
        """Rows stored under ``key`` (several only when different strings share a 64-bit key)."""
        found, keys, rows, at = [], self._keys, self._rows, key & self._mask
        while (row := int(rows[at])) != _EMPTY:
            if int(keys[at]) == key:
                found.append(row)
            at = (at + 1) & self._mask
        return found

    def add(self, key: int, row: int) -> None:
        if 2 * (self.count + 1) > len(self._keys):
            self._grow()
        at = key & self._mask
        while self._rows[at] != _EMPTY:
            at = (at + 1) & self._mask
        self._keys[at], self._rows[at] = key, row
        self.count += 1

    def _grow(self) -> None:
        """Double the capacity and re-insert every entry, vectorised: each round places, for every free target
        slot, the first entry aiming at it; the others move one slot on."""
        used = self._rows != _EMPTY
        keys, rows = self._keys[used], self._rows[used]
        self._keys = np.zeros(2 * len(self._keys), dtype=np.uint64)
        self._rows = np.full(len(self._keys), _EMPTY, dtype=np.int32)
        self._mask = len(self._keys) - 1
        target = (keys & np.uint64(self._mask)).astype(np.int64)
        todo = np.arange(len(keys))
        while len(todo):
            free = todo[self._rows[target[todo]] == _EMPTY]
            slots, first = np.unique(target[free], return_index=True)
            self._keys[slots], self._rows[slots] = keys[free[first]], rows[free[first]]
            placed = np.zeros(len(keys), dtype=bool)
            placed[free[first]] = True
            todo = todo[~placed[todo]]
            target[todo] = (target[todo] + 1) & self._mask


class ArticleTable:
    """Rows of indexed articles. Columns are public for the index to read and write one field at a time."""

    def __init__(self) -> None:
        self.url_key, self.text_key, self.published = array("Q"), array("Q"), array("q")
        self.count = array("I")  # shingles in the set
        self.original, self.chain = array("i"), array("i")
        self.similarity, self.relation = array("f"), array("B")  # relation: index in state.RELATIONS
        self._blob_at, self._blobs = array("Q"), bytearray()
        self._id_at, self._ids = array("Q"), bytearray()
        self._by_id, self._by_url = KeyTable(), KeyTable()
        self._dangling: dict[int, str] = {}  # row -> id of an original that is not in the table

    def __len__(self) -> int:
        return len(self.count)

    def nbytes(self) -> int:
        """Bytes held by the columns, buffers and hash tables (allocated, not counting over-allocation)."""
        columns = (self.url_key, self.text_key, self.published, self.count, self.original, self.chain,
                   self.similarity, self.relation, self._blob_at, self._id_at)
        return (sum(c.itemsize * len(c) for c in columns) + len(self._blobs) + len(self._ids)
                + self._by_id.nbytes() + self._by_url.nbytes())

    def append(self, article_id: str, url_key: int, text_key: int, published: int, shingles: np.ndarray,
               blob: bytes | None = None) -> int:
        """A new row (an original, no copies) for an id not in the table; ``blob`` is the Elias-Fano coding of
        ``shingles`` when the caller has it. Returns the row."""
        row = len(self)
        encoded = eliasfano.encode(shingles) if blob is None else blob
        raw = article_id.encode("utf-8", "surrogatepass")
        self._id_at.append(len(self._ids))
        self._ids += raw
        self._blob_at.append(len(self._blobs))
        self._blobs += encoded
        for column, value in ((self.url_key, url_key), (self.text_key, text_key), (self.published, published),
                              (self.count, len(shingles)), (self.original, NONE), (self.chain, NONE),
                              (self.similarity, 1.0), (self.relation, 0)):
            column.append(value)
        self._by_id.add(_id_key(raw), row)
        if url_key and not self._by_url.find(url_key):
            self._by_url.add(url_key, row)
        return row

    def row(self, article_id: str) -> int | None:
        """The row of an id, None when it is not in the table."""
        raw = article_id.encode("utf-8", "surrogatepass")
        for row in self._by_id.find(_id_key(raw)):
            if self._id_bytes(row) == raw:
                return row
        return None

    def article_id(self, row: int) -> str:
        return self._id_bytes(row).decode("utf-8", "surrogatepass")

    def first_with_url(self, url_key: int) -> int | None:
        """The earliest row with this canonical-URL key."""
        found = self._by_url.find(url_key)
        return found[0] if found else None

    def blob(self, row: int) -> bytes:
        start = self._blob_at[row]
        return bytes(self._blobs[start:start + eliasfano.encoded_size(self.count[row])])

    def shingles(self, row: int) -> np.ndarray:
        return eliasfano.decode(self.blob(row), self.count[row])

    def original_id(self, row: int) -> str | None:
        """Id of the row's group original, None for an original."""
        original = self.original[row]
        if original == NONE:
            return None
        return self._dangling[row] if original == DANGLING else self.article_id(original)

    def attach(self, row: int, original: int, relation: int, similarity: float) -> None:
        """Make ``row`` a copy of the original ``original`` (a row, or ``DANGLING``: see ``attach_dangling``)."""
        self.original[row], self.relation[row], self.similarity[row] = original, relation, similarity
        if original >= 0:
            self.chain[row], self.chain[original] = self.chain[original], row

    def attach_dangling(self, row: int, original_id: str, relation: int, similarity: float) -> None:
        self._dangling[row] = original_id
        self.attach(row, DANGLING, relation, similarity)

    def make_original(self, row: int) -> None:
        self.original[row], self.relation[row], self.similarity[row], self.chain[row] = NONE, 0, 1.0, NONE

    def copies(self, original: int) -> list[int]:
        """Rows linked to ``original``, in row order."""
        found, at = [], self.chain[original]
        while at != NONE:
            found.append(at)
            at = self.chain[at]
        return sorted(found)

    def set_copies(self, original: int, rows: list[int]) -> None:
        """Re-point ``rows`` (relations unchanged) to ``original`` and make them its list of copies."""
        self.chain[original] = rows[0] if rows else NONE
        for at, row in enumerate(rows):
            self.original[row] = original
            self.chain[row] = rows[at + 1] if at + 1 < len(rows) else NONE

    def _id_bytes(self, row: int) -> bytes:
        start = self._id_at[row]
        stop = self._id_at[row + 1] if row + 1 < len(self._id_at) else len(self._ids)
        return bytes(self._ids[start:stop])


def _id_key(raw: bytes) -> int:
    """64-bit key of an id's bytes (Python's ``hash`` of bytes is salted per process: fine in memory)."""
    return hash(raw) & 0xFFFF_FFFF_FFFF_FFFF


__all__ = ["DANGLING", "NONE", "ArticleTable", "KeyTable"]
