"""The per-article dedup state: what the index needs to find copies of an article without its text.

A ``Fingerprint`` holds the canonical-URL key, the normalised-text key, the shingle hashes (which verify
candidates exactly and from which the MinHash signature is recomputed) and the article's lineage (its group's
original and the relation). It serialises to a compact little-endian byte string, format version 1::

    b"NFD1" | shingle_words u8 | relation u8 | similarity f32 | url_key u64 | text_key u64
           | n_shingles u32 | len(original) u16 | original utf-8 | n_shingles x u32 shingle hashes

32 bytes of header + the original's id (0 bytes for an original, 16 for a copy) + 4 bytes per distinct shingle,
about one shingle per word: a 500-word article costs about 2 KB. The MinHash signature is not stored (it is
rebuilt from the shingles in Rust on load, so the state survives a rensa upgrade).
"""
from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..records import canonical_url, normalize_text

MAGIC = b"NFD1"
_HEADER = struct.Struct("<4sBBfQQIH")
RELATIONS = ("original", "exact", "near", "contained", "contains")


def key64(text: str) -> int:
    """A stable 64-bit key (BLAKE2b) of a string; 0 is reserved for 'no value'."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little") or 1


def url_key(url: str | None) -> int:
    """Key of the canonical URL, 0 when there is no URL."""
    return key64(canonical_url(url)) if url else 0


def text_key(text: str) -> int:
    """Key of the normalised text, 0 for an empty text (empty texts are never exact copies of each other)."""
    norm = normalize_text(text)
    return key64(norm) if norm else 0


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What dedup keeps per article. ``original`` is None for an original, else the group's original id."""

    shingle_words: int
    url_key: int
    text_key: int
    shingles: np.ndarray  # sorted unique uint32
    original: str | None = None
    relation: str = "original"
    similarity: float = 1.0

    def to_bytes(self) -> bytes:
        root = (self.original or "").encode("utf-8")
        header = _HEADER.pack(MAGIC, self.shingle_words, RELATIONS.index(self.relation), self.similarity,
                              self.url_key, self.text_key, len(self.shingles), len(root))
        return header + root + self.shingles.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "dedup state") -> "Fingerprint":
        """Parse ``to_bytes`` output; a truncated or foreign blob raises InputError naming ``source``."""
        if len(data) < _HEADER.size or data[:4] != MAGIC:
            raise InputError(source, "bad_dedup_state", "not a newsfuse dedup state (NFD1)")
        magic, k, rel, sim, ukey, tkey, count, root_len = _HEADER.unpack_from(data)
        start = _HEADER.size + root_len
        if len(data) != start + 4 * count or rel >= len(RELATIONS):
            raise InputError(source, "bad_dedup_state", f"{len(data)} bytes, header says {start + 4 * count}")
        root = data[_HEADER.size:start].decode("utf-8") or None
        shingles = np.frombuffer(data, dtype="<u4", count=count, offset=start).astype(np.uint32)
        return cls(k, ukey, tkey, shingles, root, RELATIONS[rel], float(sim))


__all__ = ["Fingerprint", "RELATIONS", "key64", "text_key", "url_key"]
