"""Online dedup: exact copies by key, near copies and containment by MinHash LSH (rensa) then exact verification.

LSH banding. Near copies need Jaccard >= ``similarity`` (0.8), but containment must also be found: a
400-word wire story inside a 1,200-word local article has a Jaccard of only ~0.3, and a 1:5 embedding ~0.18.
One index serves both: ``num_perm / 2`` bands of 2 rows (64 x 2 for the default 128 permutations). A pair
with Jaccard J becomes a candidate with probability ``1 - (1 - J**2) ** 64``: 1.0 at J=0.8, 0.996 at 0.29
(a 400-in-1,200 embedding at containment 0.9), 0.88 at 0.18, 0.15 at 0.05 and 0.006 at 0.01. The loose
bands cost some false candidates, which is why every candidate is verified on the exact shingle sets
(``np.intersect1d`` of two sorted uint32 arrays, ~10 us) before a link is made; unrelated news articles share
almost no 5-word shingles, so candidate lists stay short.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Iterable

import numpy as np
import rensa

from ..config import DedupConfig
from ..errors import ConfigError, NotFoundError
from ..records import Article, Duplicate
from .shingles import overlap, shingle_hashes
from .state import Fingerprint, text_key, url_key

SEED = 1_729  # MinHash seed; signatures are never stored, so changing it only needs a rebuild from state
ROWS_PER_BAND = 2
_PRIORITY = {"near": 3, "contained": 2, "contains": 1}


def _tokens(shingles: np.ndarray) -> list[bytes]:
    """rensa hashes str/bytes tokens: each uint32 shingle hash becomes a 4-byte token."""
    buf = shingles.astype("<u4").tobytes()
    return [buf[i:i + 4] for i in range(0, len(buf), 4)]


class Deduplicator:
    """Assigns each article, in the order given, to an earlier original or makes it an original.

    Feed articles sorted by published time (undated last, then id); ``find_duplicates`` does that for a batch.
    ``duplicate_of`` always names the group's original, never an intermediate copy. ``counts`` tallies the
    relations. State for a store: ``export_state(id)`` per article, ``load([(id, state), ...])`` to resume.
    """

    def __init__(self, config: DedupConfig | None = None):
        self.config = config or DedupConfig()
        bands = self.config.num_perm // ROWS_PER_BAND
        self._lsh = rensa.RMinHashLSH(self.config.similarity, self.config.num_perm, bands)
        self._ids: list[str] = []  # LSH key (position) -> article id
        self._prints: dict[str, Fingerprint] = {}
        self._by_url: dict[int, str] = {}
        self._by_text: dict[int, str] = {}
        self.counts: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self._prints)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._prints

    def add(self, article: Article) -> Duplicate:
        """Link ``article`` to an earlier original (or make it one) and index it. Re-adding an id is a no-op."""
        if article.id in self._prints:
            return self.link(article.id)
        shingles = shingle_hashes(article.text, self.config.shingle_words)
        fp = Fingerprint(self.config.shingle_words, url_key(article.url), text_key(article.text), shingles)
        minhash = self._minhash(shingles) if len(shingles) else None
        found = self._exact(fp) or (self._similar(shingles, minhash) if minhash is not None else None)
        if found:
            other, relation, similarity = found
            root = self._prints[other].original or other
            fp = replace(fp, original=root, relation=relation, similarity=similarity)
        self._remember(article.id, fp, minhash)
        self.counts[fp.relation] += 1
        return self.link(article.id)

    def link(self, article_id: str) -> Duplicate:
        """The lineage link already decided for an indexed article."""
        fp = self._get(article_id)
        return Duplicate(article_id, fp.original, fp.relation, fp.similarity)

    def export_state(self, article_id: str) -> bytes:
        """The compact state of one indexed article (see ``state.Fingerprint``), for the store."""
        return self._get(article_id).to_bytes()

    def load(self, records: Iterable[tuple[str, bytes]], batch: int = 4096) -> int:
        """Rebuild the index from stored ``(article_id, export_state bytes)`` pairs, texts not needed.

        Loaded articles count as earlier than anything added afterwards. Returns how many were loaded.
        State built with another ``shingle_words`` cannot be compared and raises ConfigError.
        """
        loaded, pending = 0, []
        for article_id, data in records:
            if article_id in self._prints:
                continue
            fp = Fingerprint.from_bytes(data, source=article_id)
            if fp.shingle_words != self.config.shingle_words:
                raise ConfigError(f"dedup state of {article_id} uses shingle_words={fp.shingle_words}, config "
                                  f"says {self.config.shingle_words}; keep the setting or rebuild the state")
            pending.append((article_id, fp))
            if len(pending) >= batch:
                loaded += self._load_batch(pending)
                pending = []
        return loaded + self._load_batch(pending)

    def _load_batch(self, pending: list[tuple[str, Fingerprint]]) -> int:
        indexed = [(i, fp) for i, fp in pending if len(fp.shingles)]
        if indexed:
            matrix = rensa.RMinHash.digest_matrix_from_token_byte_sets(
                [_tokens(fp.shingles) for _, fp in indexed], self.config.num_perm, SEED)
            self._lsh.insert_matrix(matrix, len(self._ids))
            self._ids.extend(i for i, _ in indexed)
        for article_id, fp in pending:
            self._remember(article_id, fp, None)
        return len(pending)

    def _get(self, article_id: str) -> Fingerprint:
        try:
            return self._prints[article_id]
        except KeyError:
            raise NotFoundError(f"article {article_id} is not in the dedup index") from None

    def _minhash(self, shingles: np.ndarray) -> rensa.RMinHash:
        minhash = rensa.RMinHash(self.config.num_perm, SEED)
        minhash.update(_tokens(shingles))
        return minhash

    def _remember(self, article_id: str, fp: Fingerprint, minhash: rensa.RMinHash | None) -> None:
        """Index an article; ``minhash`` None means it is already in the LSH (or has no shingles)."""
        if minhash is not None:
            self._lsh.insert(len(self._ids), minhash)
            self._ids.append(article_id)
        self._prints[article_id] = fp
        if fp.url_key:
            self._by_url.setdefault(fp.url_key, article_id)
        if fp.text_key:
            self._by_text.setdefault(fp.text_key, article_id)

    def _exact(self, fp: Fingerprint) -> tuple[str, str, float] | None:
        other = self._by_url.get(fp.url_key) if fp.url_key else None
        other = other or (self._by_text.get(fp.text_key) if fp.text_key else None)
        return (other, "exact", 1.0) if other else None

    def _similar(self, shingles: np.ndarray, minhash: rensa.RMinHash) -> tuple[str, str, float] | None:
        """The best verified LSH candidate: near over contained over contains, then by score, then earliest."""
        best: tuple[tuple[int, float, int], str, str, float] | None = None
        for key in self._lsh.query(minhash):
            other = self._ids[key]
            verdict = self._verify(shingles, self._prints[other].shingles)
            if verdict is None:
                continue
            relation, score = verdict
            rank = (_PRIORITY[relation], score, -key)
            if best is None or rank > best[0]:
                best = (rank, other, relation, score)
        return best[1:] if best else None

    def _verify(self, new: np.ndarray, old: np.ndarray) -> tuple[str, float] | None:
        """Exact relation of a new shingle set to an earlier one, or None when they are not copies."""
        shared = overlap(new, old)
        if not shared:
            return None
        union = len(new) + len(old) - shared
        if shared / union >= self.config.similarity:
            return "near", shared / union
        shorter = min(len(new), len(old))
        if shorter + self.config.shingle_words - 1 < self.config.containment_min_words:
            return None
        if len(new) <= len(old) and shared / len(new) >= self.config.containment:
            return "contained", shared / len(new)
        if len(old) < len(new) and shared / len(old) >= self.config.containment:
            return "contains", shared / len(old)
        return None


__all__ = ["Deduplicator"]
