"""The per-article dedup state: what the index needs to find copies of an article without its text.

A ``Fingerprint`` holds the canonical-URL key, the normalised-text key, the published time, the shingle
hashes cut to 24 bits (which verify candidates and from which the MinHash signature is recomputed) and the
article's lineage (its group's original and the relation). It serialises to a compact little-endian byte
string, format version 3::

    b"NFD3" | shingle_words u8 | relation u8 | similarity f32 | url_key u64 | text_key u64
           | published i64 (microseconds since the epoch, UTC; INT64_MIN when undated, INT64_MIN + 1 when
             unknown: read from version 1, counted older than any date, so it is never replaced as original)
           | n_shingles u32 | len(original) u16 | original utf-8
           | the n shingle hashes, Elias-Fano coded (``eliasfano.py``: ~2.1 bytes each for 500)

40 bytes of header + the original's id (0 bytes for an original, 16 for a copy) + ~2.1 bytes per distinct
shingle, about one shingle per word: a 500-word article costs about 1.1 KB. The in-memory index keeps the
same coded bytes (``table.py``), so ``export_state`` only adds the header. Why 24 bits is enough: two unrelated
500-shingle articles share by chance 500 * 500 / 2**24 = 0.015 shingles, against the hundreds a copy shares;
the gate scores are unchanged. Older versions still load: version 2 (``NFD2``, the same header, 3 bytes per
hash, ~1.5 KB for 500 words) and version 1 (``NFD1``, full 32-bit hashes and no date, cut to 24 bits on read).
The MinHash signature is not stored (it is rebuilt from the shingles in Rust on load, so the state survives a
rensa upgrade).
"""
from __future__ import annotations

import hashlib
import struct
import unicodedata
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..records import canonical_url
from . import eliasfano

MAGIC = b"NFD3"
MAGIC_V2 = b"NFD2"
_HEADER = struct.Struct("<4sBBfQQqIH")  # versions 3 and 2
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
        return pack_state(self.shingle_words, RELATIONS.index(self.relation), self.similarity, self.url_key,
                          self.text_key, self.published, len(self.shingles), self.original,
                          eliasfano.encode(self.shingles))

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "dedup state", shingles: bool = True) -> "Fingerprint":
        """Parse ``to_bytes`` output (or versions 2 and 1); a truncated or foreign blob raises InputError naming
        ``source``. ``shingles=False`` skips decoding the hashes (an empty array instead): the lineage only.
        """
        if data[:4] == b"NFD1" and len(data) >= _HEADER_V1.size:
            return cls._from_v1(data, source)
        if len(data) < _HEADER.size or data[:4] not in (MAGIC, MAGIC_V2):
            raise InputError(source, "bad_dedup_state", "not a newsfuse dedup state (NFD3, NFD2 or NFD1)")
        magic, k, rel, sim, ukey, tkey, published, count, root_len = _HEADER.unpack_from(data)
        start = _HEADER.size + root_len
        size = eliasfano.encoded_size(count) if magic == MAGIC else 3 * count
        if len(data) != start + size or rel >= len(RELATIONS):
            raise InputError(source, "bad_dedup_state", f"{len(data)} bytes, header says {start + size}")
        try:
            root = data[_HEADER.size:start].decode("utf-8", "surrogatepass") or None
            hashes = _NONE if not shingles else (eliasfano.decode(data[start:], count) if magic == MAGIC
                                                 else _unpack24(data, start, count))
        except ValueError as exc:  # UnicodeDecodeError, or shingle bits that do not add up
            raise InputError(source, "bad_dedup_state", str(exc)) from None
        return cls(k, ukey, tkey, hashes, root, RELATIONS[rel], float(sim), published)

    @classmethod
    def _from_v1(cls, data: bytes, source: str) -> "Fingerprint":
        magic, k, rel, sim, ukey, tkey, count, root_len = _HEADER_V1.unpack_from(data)
        start = _HEADER_V1.size + root_len
        if len(data) != start + 4 * count or rel >= len(RELATIONS):
            raise InputError(source, "bad_dedup_state", f"{len(data)} bytes, header says {start + 4 * count}")
        try:
            root = data[_HEADER_V1.size:start].decode("utf-8", "surrogatepass") or None
        except ValueError as exc:
            raise InputError(source, "bad_dedup_state", str(exc)) from None
        shingles = cut_hashes(np.frombuffer(data, dtype="<u4", count=count, offset=start).astype(np.uint32))
        return cls(k, ukey, tkey, shingles, root, RELATIONS[rel], float(sim), UNKNOWN)


def pack_state(shingle_words: int, relation: int, similarity: float, url_key: int, text_key: int, published: int,
               count: int, original: str | None, coded: bytes) -> bytes:
    """Version 3 state from its fields; ``relation`` is an index in RELATIONS, ``coded`` the Elias-Fano blob."""
    root = (original or "").encode("utf-8", "surrogatepass")
    return _HEADER.pack(MAGIC, shingle_words, relation, similarity, url_key, text_key, published, count,
                        len(root)) + root + coded


def coded_shingles(data: bytes) -> bytes | None:
    """The Elias-Fano blob of a version 3 state already parsed by ``Fingerprint.from_bytes``, else None."""
    if data[:4] != MAGIC:
        return None
    return data[_HEADER.size + _HEADER.unpack_from(data)[-1]:]


__all__ = ["Fingerprint", "HASH_BITS", "RELATIONS", "UNDATED", "coded_shingles", "cut_hashes", "key64",
           "pack_state", "text_key", "url_key"]
