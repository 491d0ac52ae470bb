"""Online dedup: exact copies by key, near copies and containment by MinHash LSH then verification on shingles.

LSH banding. Near copies need Jaccard >= ``similarity`` (0.8), but containment must also be found: a
400-word wire story inside a 1,200-word local article has a Jaccard of only ~0.3, and a 1:5 embedding ~0.18.
One index serves both: ``num_perm / 2`` bands of 2 rows (64 x 2 for the default 128 permutations). A pair
with Jaccard J becomes a candidate with probability ``1 - (1 - J**2) ** 64``: 1.0 at J=0.8, 0.996 at 0.29
(a 400-in-1,200 embedding at containment 0.9), 0.88 at 0.18, 0.15 at 0.05 and 0.006 at 0.01. The loose
bands cost some false candidates, which is why every candidate is verified on the shingle sets (24-bit
hashes, see ``state.py``; a ``searchsorted`` of two sorted arrays, a few us) before a link is made; unrelated
news articles share almost no 5-word shingles, so candidate lists stay short. Signatures come from rensa,
band keys live in ``bands.BandIndex`` (512 bytes per article instead of ~6 KB in rensa's LSH).

Lineage. A group's original is its earliest published article (dated before undated); on a tie, the one the
others contain. Articles usually arrive in that order (``find_duplicates`` sorts them), but one that arrives
later and is older than the original it matches (or equally old and contained in it) becomes the group's new
original: every member of the old group is re-pointed to it, the old original takes the inverse relation
(contains <-> contained) and similarity of the new one, and the changed links are listed by ``repointed()``
until it is called. ``add`` still returns the new article's own link.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Iterable

import numpy as np

from ..config import DedupConfig
from ..errors import ConfigError, NotFoundError
from ..records import Article, Duplicate, to_utc
from .bands import BandIndex, band_keys, signatures
from .shingles import overlap, shingle_hashes
from .state import UNDATED, Fingerprint, cut_hashes, text_key, url_key

RECENT = 4096  # parsed fingerprints kept for verification (copies of a story arrive close together)
_PRIORITY = {"exact": 4, "near": 3, "contained": 2, "contains": 1}
_INVERSE = {"exact": "exact", "near": "near", "contained": "contains", "contains": "contained"}
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def published_key(article: Article) -> int:
    """Microseconds since the epoch (UTC), or ``UNDATED``."""
    when = to_utc(article.published)
    return UNDATED if when is None else (when - _EPOCH) // timedelta(microseconds=1)


def _earlier(a: int, b: int) -> bool:
    """Whether published time ``a`` is before ``b``; undated is after every date."""
    if a == UNDATED:
        return False
    return b == UNDATED or a < b


class Deduplicator:
    """Assigns each article, in the order given, to an earlier original or makes it an original.

    Feed articles sorted by published time (undated last, then id); ``find_duplicates`` does that for a batch.
    ``duplicate_of`` always names the group's original, never an intermediate copy. ``counts`` tallies the
    relations. State for a store: ``export_state(id)`` per article, ``load([(id, state), ...])`` to resume.
    """

    def __init__(self, config: DedupConfig | None = None):
        self.config = config or DedupConfig()
        self._bands = BandIndex()
        self._ids: list[str] = []  # LSH key (position) -> article id
        self._prints: dict[str, bytes] = {}  # Fingerprint.to_bytes(): ~1.5 KB for 500 words, no object per article
        self._by_url: dict[int, str] = {}
        self._members: dict[str, list[str]] = {}  # original id -> its copies (groups with copies only)
        self._repointed: dict[str, Duplicate] = {}
        self._recent: dict[str, tuple[int, np.ndarray]] = {}  # id -> (text_key, shingles), parsed; never stale
        self.counts: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self._prints)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._prints

    def add(self, article: Article) -> Duplicate:
        """Link ``article`` to an earlier original (or make it one) and index it. Re-adding an id is a no-op."""
        if article.id in self._prints:
            return self.link(article.id)
        shingles = cut_hashes(shingle_hashes(article.text, self.config.shingle_words))
        fp = Fingerprint(self.config.shingle_words, url_key(article.url), text_key(article.text), shingles,
                         published=published_key(article))
        keys = band_keys(signatures([shingles], self.config.num_perm))[0] if len(shingles) else None
        found = self._exact(fp) or (self._similar(fp, keys) if keys is not None else None)
        if found:
            other, relation, similarity = found
            root = self._get(other, False).original or other
            fp = replace(fp, original=root, relation=relation, similarity=similarity)
        self._remember(article.id, fp, keys)
        self.counts[fp.relation] += 1
        if found and self._older_than_root(fp, root):
            self._promote(article.id, root)
        return self.link(article.id)

    def repointed(self) -> list[Duplicate]:
        """Links changed by re-pointing (an older article arriving late) since the last call; clears the list."""
        changed, self._repointed = list(self._repointed.values()), {}
        return changed

    def _older_than_root(self, fp: Fingerprint, root: str) -> bool:
        """Whether a new copy should replace its group's original: older, or as old and contained in it."""
        old = self._get(root)
        if _earlier(fp.published, old.published):
            return True
        if fp.published != old.published or fp.published == UNDATED or fp.relation != "contained":
            return False
        verdict = self._verify(fp.shingles, old.shingles)
        return verdict is not None and verdict[0] == "contained"

    def _promote(self, new_root: str, old_root: str) -> None:
        """Make ``new_root`` the original of ``old_root``'s group; list every changed link for ``repointed``."""
        new, old = self._get(new_root), self._get(old_root)
        verdict = self._verify(old.shingles, new.shingles) if new.relation != "exact" else None
        relation, similarity = verdict or (_INVERSE[new.relation], new.similarity)
        members = self._members.pop(old_root, [])
        self._prints[old_root] = replace(old, original=new_root, relation=relation, similarity=similarity).to_bytes()
        self._prints[new_root] = replace(new, original=None, relation="original", similarity=1.0).to_bytes()
        for member in members:
            if member != new_root:
                self._prints[member] = replace(self._get(member), original=new_root).to_bytes()
        self._members[new_root] = [old_root] + [m for m in members if m != new_root]
        self.counts[new.relation] -= 1
        self.counts[relation] += 1
        for changed in self._members[new_root] + [new_root]:
            self._repointed[changed] = self.link(changed)

    def link(self, article_id: str) -> Duplicate:
        """The lineage link already decided for an indexed article."""
        fp = self._get(article_id, False)
        return Duplicate(article_id, fp.original, fp.relation, fp.similarity)

    def export_state(self, article_id: str) -> bytes:
        """The compact state of one indexed article (see ``state.Fingerprint``), for the store."""
        self._get(article_id, False)  # NotFoundError for an unknown id
        return self._prints[article_id]

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
            sigs = signatures([fp.shingles for _, fp in indexed], self.config.num_perm)
            self._bands.insert_many(len(self._ids), band_keys(sigs))
            self._ids.extend(i for i, _ in indexed)
        for article_id, fp in pending:
            self._remember(article_id, fp, None)
        return len(pending)

    def _get(self, article_id: str, shingles: bool = True) -> Fingerprint:
        try:
            return Fingerprint.from_bytes(self._prints[article_id], article_id, shingles)
        except KeyError:
            raise NotFoundError(f"article {article_id} is not in the dedup index") from None

    def _remember(self, article_id: str, fp: Fingerprint, keys: np.ndarray | None) -> None:
        """Index an article; ``keys`` (its LSH band keys) None: already in the band index, or no shingles."""
        if keys is not None:
            self._bands.insert(len(self._ids), keys)
            self._ids.append(article_id)
        self._prints[article_id] = fp.to_bytes()
        if fp.original:
            self._members.setdefault(fp.original, []).append(article_id)
        if fp.url_key:
            self._by_url.setdefault(fp.url_key, article_id)

    def _exact(self, fp: Fingerprint) -> tuple[str, str, float] | None:
        other = self._by_url.get(fp.url_key) if fp.url_key else None
        return (other, "exact", 1.0) if other else None

    def _similar(self, fp: Fingerprint, keys: np.ndarray) -> tuple[str, str, float] | None:
        """The best verified LSH candidate: exact text over near over contained over contains, then by score,
        then earliest. Identical texts have identical signatures, so the LSH always finds an exact copy."""
        best: tuple[tuple[int, float, int], str, str, float] | None = None
        for key in sorted(self._bands.query(keys)):
            other = self._ids[key]
            stored_key, stored = self._parsed(other)
            exact = fp.text_key != 0 and stored_key == fp.text_key
            verdict = ("exact", 1.0) if exact else self._verify(fp.shingles, stored)
            if verdict is None:
                continue
            relation, score = verdict
            rank = (_PRIORITY[relation], score, -key)
            if best is None or rank > best[0]:
                best = (rank, other, relation, score)
        return best[1:] if best else None

    def _parsed(self, article_id: str) -> tuple[int, np.ndarray]:
        """Text key and shingles of a stored article (they never change), parsed once while recent."""
        found = self._recent.get(article_id)
        if found is None:
            if len(self._recent) >= RECENT:
                self._recent.clear()
            fp = self._get(article_id)
            found = self._recent[article_id] = (fp.text_key, fp.shingles)
        return found

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
