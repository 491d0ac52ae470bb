"""The per-article dedup state: what the index needs to find copies of an article without its text.

A ``Fingerprint`` holds the canonical-URL key, the normalised-text key, the published time, the shingle
hashes cut to 24 bits (which verify candidates and from which the MinHash signature is recomputed) and the
article's lineage (its group's original and the relation). It serialises to a compact little-endian byte
string, format version 2::

    b"NFD2" | shingle_words u8 | relation u8 | similarity f32 | url_key u64 | text_key u64
           | published i64 (microseconds since the epoch, UTC; INT64_MIN when undated, INT64_MIN + 1 when
             unknown: read from version 1, counted older than any date, so it is never replaced as original)
           | n_shingles u32 | len(original) u16 | original utf-8 | n_shingles x 3-byte shingle hashes

40 bytes of header + the original's id (0 bytes for an original, 16 for a copy) + 3 bytes per distinct shingle,
about one shingle per word: a 500-word article costs about 1.5 KB (version 1 stored full 32-bit hashes, ~2 KB).
Why 24 bits is enough: two unrelated 500-shingle articles share by chance 500 * 500 / 2**24 = 0.015 shingles,
against the hundreds a copy shares; the gate scores are unchanged. Version 1 state still loads (its hashes
are cut to 24 bits on read). The MinHash signature is not stored (it is rebuilt from the shingles in Rust on
load, so the state survives a rensa upgrade).
"""
from __future__ import annotations

import hashlib
import struct
import unicodedata
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..records import canonical_url

MAGIC = b"NFD2"
_HEADER = struct.Struct("<4sBBfQQqIH")
_HEADER_V1 = struct.Struct("<4sBBfQQIH")
UNDATED = -2**63
UNKNOWN = -2**63 + 1  # version 1 state has no date: it counts as older than anything (it was added before)
HASH_BITS = 24
_NONE = np.zeros(0, dtype=np.uint32)


def cut_hashes(shingles: np.ndarray) -> np.ndarray:
    """32-bit shingle hashes -> their top 24 bits, sorted and unique (what the index keeps and compares)."""
    cut = (np.asarray(shingles, dtype=np.uint32) >> np.uint32(32 - HASH_BITS)).astype(np.uint32)
    if len(cut) < 2:
        return cut
    cut.sort()
    keep = np.empty(len(cut), dtype=bool)
    keep[0] = True
    np.not_equal(cut[1:], cut[:-1], out=keep[1:])
    return cut[keep]


def _pack24(values: np.ndarray) -> bytes:
    return values.astype("<u4").view(np.uint8).reshape(-1, 4)[:, :3].tobytes()


def _unpack24(data: bytes, offset: int, count: int) -> np.ndarray:
    """Read 4 bytes at a stride of 3 (one zero byte of padding for the last) and mask the top byte off."""
    padded = data + b"\0"
    return np.ndarray((count,), dtype="<u4", buffer=padded, offset=offset, strides=(3,)) & np.uint32(0xFFFFFF)
RELATIONS = ("original", "exact", "near", "contained", "contains")


def key64(text: str) -> int:
    """A stable 64-bit key (BLAKE2b) of a string; 0 is reserved for 'no value'."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little") or 1


def url_key(url: str | None) -> int:
    """Key of the canonical URL, 0 when there is no URL."""
    return key64(canonical_url(url)) if url else 0


def text_key(text: str) -> int:
    """Key of the normalised text, 0 for an empty text (empty texts are never exact copies of each other).

    The same string as ``records.normalize_text`` (NFKC, whitespace folded, lowercased): ``str.split`` splits on
    exactly the characters ``\\s`` matches, several times faster than the regex; ASCII skips NFKC.
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    norm = " ".join(text.split()).lower()
    return key64(norm) if norm else 0


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What dedup keeps per article. ``original`` is None for an original, else the group's original id.

    ``shingles`` are 24-bit cut hashes (``cut_hashes``), sorted and unique; ``published`` is microseconds since
    the epoch (UTC), ``UNDATED`` when the article has no date.
    """

    shingle_words: int
    url_key: int
    text_key: int
    shingles: np.ndarray  # sorted unique uint32 values < 2**24
    original: str | None = None
    relation: str = "original"
    similarity: float = 1.0
    published: int = UNDATED

    def to_bytes(self) -> bytes:
        root = (self.original or "").encode("utf-8")
        header = _HEADER.pack(MAGIC, self.shingle_words, RELATIONS.index(self.relation), self.similarity,
                              self.url_key, self.text_key, self.published, len(self.shingles), len(root))
        return header + root + _pack24(self.shingles)

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "dedup state", shingles: bool = True) -> "Fingerprint":
        """Parse ``to_bytes`` output (or version 1); a truncated or foreign blob raises InputError naming ``source``.

        ``shingles=False`` skips unpacking the hashes (an empty array instead): the lineage fields only.
        """
        if data[:4] == b"NFD1" and len(data) >= _HEADER_V1.size:
            return cls._from_v1(data, source)
        if len(data) < _HEADER.size or data[:4] != MAGIC:
            raise InputError(source, "bad_dedup_state", "not a newsfuse dedup state (NFD2 or NFD1)")
        magic, k, rel, sim, ukey, tkey, published, count, root_len = _HEADER.unpack_from(data)
        start = _HEADER.size + root_len
        if len(data) != start + 3 * count or rel >= len(RELATIONS):
            raise InputError(source, "bad_dedup_state", f"{len(data)} bytes, header says {start + 3 * count}")
        root = data[_HEADER.size:start].decode("utf-8") or None
        hashes = _unpack24(data, start, count) if shingles else _NONE
        return cls(k, ukey, tkey, hashes, root, RELATIONS[rel], float(sim), published)

    @classmethod
    def _from_v1(cls, data: bytes, source: str) -> "Fingerprint":
        magic, k, rel, sim, ukey, tkey, count, root_len = _HEADER_V1.unpack_from(data)
        start = _HEADER_V1.size + root_len
        if len(data) != start + 4 * count or rel >= len(RELATIONS):
            raise InputError(source, "bad_dedup_state", f"{len(data)} bytes, header says {start + 4 * count}")
        root = data[_HEADER_V1.size:start].decode("utf-8") or None
        shingles = cut_hashes(np.frombuffer(data, dtype="<u4", count=count, offset=start).astype(np.uint32))
        return cls(k, ukey, tkey, shingles, root, RELATIONS[rel], float(sim), UNKNOWN)


__all__ = ["Fingerprint", "HASH_BITS", "RELATIONS", "UNDATED", "cut_hashes", "key64", "text_key", "url_key"]
