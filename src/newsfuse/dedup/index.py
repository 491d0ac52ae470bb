"""Online dedup: exact copies by key, near copies and containment by MinHash LSH then verification on shingles.

LSH banding. Near copies need Jaccard >= ``similarity`` (0.8), but containment must also be found: a
400-word wire story inside a 1,200-word local article has a Jaccard of only ~0.3, and a 1:5 embedding ~0.18.
One index serves both: ``num_perm / 2`` bands of 2 rows (64 x 2 for the default 128 permutations). A pair
with Jaccard J becomes a candidate with probability ``1 - (1 - J**2) ** 64``: 1.0 at J=0.8, 0.996 at 0.29
(a 400-in-1,200 embedding at containment 0.9), 0.88 at 0.18, 0.15 at 0.05 and 0.006 at 0.01. The loose
bands cost some false candidates, which is why every candidate is verified on the shingle sets (24-bit
hashes, see ``state.py``; a ``searchsorted`` of two sorted arrays, a few us) before a link is made. Unrelated
news articles share almost no 5-word shingles, but a sentence of wire copy or a boilerplate paragraph recurs
in more earlier articles the larger the index, and makes a band or two collide with each: a candidate is
verified only if it shares as many bands as a pair at the least Jaccard that could link the two sizes would
share but for a chance of 0.001 (``bands.band_limits``). That least Jaccard is ``similarity`` for a short
pair, and ``containment`` s / (s + l - ``containment`` s) for sets of s <= l shingles otherwise: 0.43 for two
500-shingle articles (candidates sharing 1 or 2 bands are dropped), 0.18 for a 1:3 embedding (none are), so
only pairs of similar size lose candidates, and only those a copy would almost never produce. Signatures come
from rensa, band keys live in ``bands.BandIndex`` (512 bytes per article instead of ~6 KB in rensa's LSH), and
everything else in ``table.ArticleTable`` (columns and byte buffers, no Python object per article): ~1.7 KB
per 500-word article in all, with the shingle sets Elias-Fano coded.

Lineage. A group's original is its earliest published article (dated before undated); on a tie, the one the
others contain. Articles usually arrive in that order (``find_duplicates`` sorts them), but one that arrives
later and is older than the original it matches (or equally old and contained in it) becomes the group's new
original: every member of the old group is re-pointed to it, the old original takes the inverse relation
(contains <-> contained) and similarity of the new one, and the changed links are listed by ``repointed()``
until it is called. ``add`` still returns the new article's own link.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Iterable

import numpy as np

from ..config import DedupConfig
from ..errors import ConfigError, NotFoundError
from ..records import Article, Duplicate, to_utc
from .bands import BandIndex, band_keys, band_limits, signatures
from .shingles import overlap, shingle_hashes
from .state import (RELATIONS, UNDATED, Fingerprint, coded_shingles, cut_hashes, pack_state, text_key,
                    url_key)
from .table import DANGLING, NONE, ArticleTable

RECENT = 2048  # decoded shingle sets kept for verification (copies of a story arrive close together)
_PRIORITY = {"exact": 4, "near": 3, "contained": 2, "contains": 1}
_INVERSE = {"exact": "exact", "near": "near", "contained": "contains", "contains": "contained"}
_CODE = {relation: code for code, relation in enumerate(RELATIONS)}
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
        self._bands = BandIndex()  # positions are table rows
        self._table = ArticleTable()
        self._repointed: dict[str, Duplicate] = {}
        self._recent: dict[int, np.ndarray] = {}  # row -> decoded shingles; never stale
        self.counts: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self._table)

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and self._table.row(article_id) is not None

    def nbytes(self) -> int:
        """Bytes held by the index's arrays (the band index and the article table)."""
        return self._bands.nbytes() + self._table.nbytes()

    def add(self, article: Article) -> Duplicate:
        """Link ``article`` to an earlier original (or make it one) and index it. Re-adding an id is a no-op."""
        if self._table.row(article.id) is not None:
            return self.link(article.id)
        shingles = cut_hashes(shingle_hashes(article.text, self.config.shingle_words))
        ukey, tkey = url_key(article.url), text_key(article.text)
        row = len(self._table)  # the row append() gives it below; the band index learns it with the lookup
        candidates: list[int] = []
        if len(shingles):
            keys = band_keys(signatures([shingles], self.config.num_perm))[0]
            candidates = self._plausible(len(shingles), *self._bands.shared(keys, then_insert=row))
        found = self._exact(ukey) or self._similar(tkey, shingles, candidates)
        self._table.append(article.id, ukey, tkey, published_key(article), shingles)
        self._cache(row, shingles)
        if not found:
            self.counts["original"] += 1
            return self.link(article.id)
        other, relation, similarity = found
        root = self._table.original[other]
        if root == DANGLING:
            self._table.attach_dangling(row, self._table.original_id(other), _CODE[relation], similarity)
        else:
            root = other if root == NONE else root
            self._table.attach(row, root, _CODE[relation], similarity)
        self.counts[relation] += 1
        if root >= 0 and self._older_than_root(row, root):
            self._promote(row, root)
        return self.link(article.id)

    def repointed(self) -> list[Duplicate]:
        """Links changed by re-pointing (an older article arriving late) since the last call; clears the list."""
        changed, self._repointed = list(self._repointed.values()), {}
        return changed

    def _older_than_root(self, row: int, root: int) -> bool:
        """Whether a new copy should replace its group's original: older, or as old and contained in it."""
        published, old = self._table.published[row], self._table.published[root]
        if _earlier(published, old):
            return True
        if published != old or published == UNDATED or self._table.relation[row] != _CODE["contained"]:
            return False
        verdict = self._verify(self._shingles(row), self._shingles(root))
        return verdict is not None and verdict[0] == "contained"

    def _promote(self, new_root: int, old_root: int) -> None:
        """Make ``new_root`` the original of ``old_root``'s group; list every changed link for ``repointed``."""
        table = self._table
        new_relation = RELATIONS[table.relation[new_root]]
        verdict = (self._verify(self._shingles(old_root), self._shingles(new_root))
                   if new_relation != "exact" else None)
        relation, similarity = verdict or (_INVERSE[new_relation], table.similarity[new_root])
        members = [old_root] + [m for m in table.copies(old_root) if m != new_root]
        table.make_original(new_root)
        table.attach(old_root, new_root, _CODE[relation], similarity)
        table.set_copies(new_root, members)
        self.counts[new_relation] -= 1
        self.counts[relation] += 1
        for changed in members + [new_root]:
            article_id = table.article_id(changed)
            self._repointed[article_id] = self.link(article_id)

    def link(self, article_id: str) -> Duplicate:
        """The lineage link already decided for an indexed article."""
        row = self._row(article_id)
        table = self._table
        return Duplicate(article_id, table.original_id(row), RELATIONS[table.relation[row]], table.similarity[row])

    def export_state(self, article_id: str) -> bytes:
        """The compact state of one indexed article (see ``state.py``, version 3), for the store."""
        row, table = self._row(article_id), self._table
        return pack_state(self.config.shingle_words, table.relation[row], table.similarity[row], table.url_key[row],
                          table.text_key[row], table.published[row], table.count[row], table.original_id(row),
                          table.blob(row))

    def load(self, records: Iterable[tuple[str, bytes]], batch: int = 4096) -> int:
        """Rebuild the index from stored ``(article_id, export_state bytes)`` pairs, texts not needed.

        Loaded articles count as earlier than anything added afterwards. Returns how many were loaded. Any
        state version loads (``state.py``). State built with another ``shingle_words`` cannot be compared and
        raises ConfigError.
        """
        loaded, pending, later = 0, [], []
        for article_id, data in records:
            if self._table.row(article_id) is not None:
                continue
            fp = Fingerprint.from_bytes(data, source=article_id)
            if fp.shingle_words != self.config.shingle_words:
                raise ConfigError(f"dedup state of {article_id} uses shingle_words={fp.shingle_words}, config "
                                  f"says {self.config.shingle_words}; keep the setting or rebuild the state")
            row = self._table.append(article_id, fp.url_key, fp.text_key, fp.published, fp.shingles,
                                     coded_shingles(data))
            if fp.original and not self._load_link(row, fp.original, fp.relation, fp.similarity, False):
                later.append((row, fp.original, fp.relation, fp.similarity))
            pending.append((row, fp.shingles))
            if len(pending) >= batch:
                loaded += self._load_batch(pending)
                pending = []
        for link in later:  # a re-pointed group's original can be stored after its copies
            self._load_link(*link, True)
        return loaded + self._load_batch(pending)

    def _load_batch(self, pending: list[tuple[int, np.ndarray]]) -> int:
        indexed = [(row, shingles) for row, shingles in pending if len(shingles)]
        if indexed:
            sigs = signatures([shingles for _, shingles in indexed], self.config.num_perm)
            self._bands.insert_many(np.array([row for row, _ in indexed], dtype=np.uint64), band_keys(sigs))
        return len(pending)

    def _load_link(self, row: int, original: str, relation: str, similarity: float, last: bool) -> bool:
        """Link a loaded copy to its loaded original; an original not (yet) loaded: False, or if ``last``
        (every state is in) a dangling link that keeps its id."""
        root = self._table.row(original)
        if root is not None:
            self._table.attach(row, root, _CODE[relation], similarity)
        elif last:
            self._table.attach_dangling(row, original, _CODE[relation], similarity)
        return root is not None or last

    def _row(self, article_id: str) -> int:
        row = self._table.row(article_id)
        if row is None:
            raise NotFoundError(f"article {article_id} is not in the dedup index")
        return row

    def _exact(self, ukey: int) -> tuple[int, str, float] | None:
        other = self._table.first_with_url(ukey) if ukey else None
        return (other, "exact", 1.0) if other is not None else None

    def _plausible(self, size: int, rows: np.ndarray, shared: np.ndarray) -> list[int]:
        """The candidate ``rows`` (sorted) whose count of ``shared`` bands a pair that can be linked would
        produce but for a chance below ``bands.MISS``: the test in the module docstring, on the stored sizes."""
        if not len(rows):
            return []
        config, bands = self.config, self.config.num_perm // 2
        sizes = np.fromiter(map(self._table.count.__getitem__, rows.tolist()), dtype=np.float64, count=len(rows))
        shorter, longer = np.minimum(sizes, size), np.maximum(sizes, size)
        least = config.containment * shorter / (shorter + longer - config.containment * shorter)
        least[shorter + config.shingle_words - 1 < config.containment_min_words] = config.similarity
        least = np.minimum(least, config.similarity)
        return rows[least ** 2 < band_limits(bands)[np.minimum(shared, bands)]].tolist()

    def _similar(self, tkey: int, shingles: np.ndarray, candidates: list[int]) -> tuple[int, str, float] | None:
        """The best verified LSH candidate (a row, ``candidates`` in row order): exact text over near over
        contained over contains, then by score, then earliest. Identical texts have identical signatures, so the
        LSH always finds an exact copy."""
        best: tuple[tuple[int, float, int], int, str, float] | None = None
        for row in candidates:
            exact = tkey != 0 and self._table.text_key[row] == tkey
            verdict = ("exact", 1.0) if exact else self._verify(shingles, self._shingles(row))
            if verdict is None:
                continue
            relation, score = verdict
            rank = (_PRIORITY[relation], score, -row)
            if best is None or rank > best[0]:
                best = (rank, row, relation, score)
        return best[1:] if best else None

    def _shingles(self, row: int) -> np.ndarray:
        """Shingle set of a stored article (it never changes), decoded once while recent."""
        found = self._recent.get(row)
        if found is None:
            found = self._table.shingles(row)
            self._cache(row, found)
        return found

    def _cache(self, row: int, shingles: np.ndarray) -> None:
        if len(self._recent) >= RECENT:
            self._recent.clear()
        self._recent[row] = shingles

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
