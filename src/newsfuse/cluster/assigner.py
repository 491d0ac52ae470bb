"""Live story assignment: each run's new articles are clustered by batch mode's rule, together with the held
stories as fixed seeds.

Features are batch mode's (``features``): hashed TF-IDF rows of title and lead whose idf blends a background
corpus with a document-frequency table (``DocumentFrequencies``) that grows with every article and is persisted
in the state. The features read each text without the page furniture seen so far (short lines that many
articles carry word for word, ``furniture.py``; counted like the document frequencies and persisted with them). A
held story is its centroid (the sum of its members' unit vectors), its size, the sum of its inner
cosines and its date range, so the average link between a story and new articles is ``centroid . v / size``,
exactly as if its members were in the batch. ``assign_many`` runs the average-linkage agglomeration
(``agglomerate_with_seeds``) over the new articles and the stories in their time window: new
articles join a held story or found new stories among themselves; held stories never split, and keep their ids.
With ``ClusterConfig.merge_held`` (``held.py``), two held stories that the run's new articles link may merge by
the same rule, the newer becoming an alias of the older (``merged`` lists the run's aliases, ``corrections``
records them, the caller renames stored stories). ``assign`` is ``assign_many`` of one article.

State: ``load`` rebuilds it from stored stories and their articles (recomputing features, slow for big stores);
``export_state``/``load_state`` persist it as one compact blob (centroids truncated to ``centroid_terms`` terms,
see ``state.py``). With the dense term (sentence embeddings, ``embed.py``), each story also holds the sum of its
members' embeddings and links combine both cosines (``DenseTerm.combine``). Analyst ``Corrections`` are
respected: story ids resolve through its merges, a split article founds its own story, an excluded (story,
article) pair is never joined; ``merge(a, b)`` folds two held stories.
"""
from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import replace
from typing import Iterable, Mapping

import numpy as np
import scipy.sparse as sp

from ..config import ClusterConfig
from ..dedup import time_order
from ..records import Article
from .agglomerate import NEIGHBOURS, Seed, agglomerate_with_seeds, join_floor
from .corrections import Corrections
from .embed import DENSE_TERM, MODEL_NAME, DenseFeatures, DenseTerm, dense_features
from .features import DocumentFrequencies, article_time, term_rows
from .furniture import LineCounts
from .held import age_key, is_locked, locked_stories, related_stories, seed_pairs, strongest_links
from .index import CentroidIndex, DenseCentroids
from .state import DenseState, StoryTable, read_state, write_state

_LINK_FLOOR = 0.02  # average cosines (centroid . v / size) below this are not links, as agglomerate's pair floor
RELATED_SHARE = 0.5  # a related story's average link, as a share of the similarity that joins one story
RUN_ARTICLES = 5_000  # an input larger than this is placed in runs of this many, oldest first
_LINK_BLOCK = 256  # new rows whose products with the held stories are read at once


def story_id_for(article_id: str) -> str:
    """A story's id, derived from its founding article's id so reruns give the same ids."""
    return "s" + article_id


class StoryAssigner:
    """Assigns new articles to held stories or new ones; keeps story centroids in memory.

    ``assign_many(articles)`` clusters one run's articles (see the module docstring) and returns
    ``{article id: story id}``; ``assign(article)`` places one. Story ids are ``"s" + founding article id``.
    ``counts`` tallies joined/new/copy/loaded articles. ``dense``: an embedder (articles -> unit rows); None
    takes the one the config's embeddings mode asks for (``embed.dense_features``), if any.
    """

    def __init__(self, config: ClusterConfig | None = None, corrections: Corrections | None = None,
                 dense: DenseFeatures | None = None, dense_model: str = MODEL_NAME, term: DenseTerm = DENSE_TERM):
        self.config = config or ClusterConfig()
        self.corrections = corrections or Corrections()
        self.dense = dense if dense is not None else dense_features(self.config)
        self.dense_model, self.term = dense_model, term
        self._dense: DenseCentroids | None = None  # embedding sums by slot, made at the first embeddings
        self.df = DocumentFrequencies()
        self.lines = LineCounts()  # short lines by how many articles carry them: page furniture (furniture.py)
        self.stories = StoryTable()
        self._index = CentroidIndex()
        self._primed: set[str] = set()
        self.story_of: dict[str, str] = {}
        self.merged: dict[str, str] = {}  # alias -> kept: held stories the last assign_many merged (merge_held)
        self.counts: Counter[str] = Counter()

    def __len__(self) -> int:
        return self.stories.live()

    # --- assignment ------------------------------------------------------------------------------------------

    def prime(self, articles: Iterable[Article]) -> int:
        """Count document frequencies of articles about to be assigned (once each); returns how many."""
        fresh = [a for a in articles if a.id not in self._primed and a.id not in self.story_of]
        self.lines.count(fresh)
        self.df.count(term_rows(self._readable(fresh))[0])
        self._primed.update(a.id for a in fresh)
        return len(fresh)

    def assign(self, article: Article, copy_of_story: str | None = None) -> str:
        """The story of ``article``: ``copy_of_story`` for a dedup copy, else the best held story it links to
        (as batch mode would merge it), else a new story. Assigning an id again returns its earlier story."""
        copies = {article.id: copy_of_story} if copy_of_story is not None else {}
        return self.assign_many([article], copies)[article.id]

    def assign_many(self, articles: Iterable[Article], copy_of_story: Mapping[str, str] | None = None,
                    copy_of: Mapping[str, str] | None = None) -> dict[str, str]:
        """Story ids of one run's articles, clustered together with the held stories (batch method).

        ``copy_of_story``: article id -> story id of a dedup copy whose original is already stored;
        ``copy_of``: article id -> original article id (the original may be in this batch). A copy joins its
        original's story and does not move the centroid (as in ``cluster_articles``). The result does not
        depend on the order of ``articles``; ids assigned before return their earlier story.
        """
        copy_of_story, copy_of = dict(copy_of_story or {}), dict(copy_of or {})
        self.merged = {}
        ordered = time_order(articles)
        result = {a.id: self.story_of[a.id] for a in ordered if a.id in self.story_of}
        batch_ids = {a.id for a in ordered}
        is_copy = {a.id for a in ordered if a.id in copy_of_story or (
            copy_of.get(a.id) not in (None, a.id) and (copy_of[a.id] in batch_ids or copy_of[a.id] in self.story_of))}
        originals = [a for a in ordered if a.id not in result and a.id not in is_copy]
        result.update(self._cluster(originals))
        for article in ordered:  # copies in time order, so a copy of a copy finds its original's story
            if article.id in result:
                continue
            if article.id in copy_of_story:
                story = self.corrections.resolve(copy_of_story[article.id])
            else:
                original = copy_of[article.id]
                story = result.get(original) or self.story_of.get(original) or self._copy_fallback(original)
            if story not in self.stories.slot:
                self._new_slot(story)
            result[article.id] = self.story_of[article.id] = story
            self.counts["copy"] += 1
        return {a.id: result[a.id] for a in ordered}

    def _copy_fallback(self, original: str) -> str:
        return self.corrections.resolve(story_id_for(original))

    def _cluster(self, articles: list[Article]) -> dict[str, str]:
        """Place ``articles`` (in time order) in runs of at most ``RUN_ARTICLES``: each run is clustered with the
        stories held after the runs before it, so memory depends on the run, not on the input's size."""
        out: dict[str, str] = {}
        for start in range(0, len(articles), RUN_ARTICLES):
            out.update(self._cluster_run(articles[start:start + RUN_ARTICLES]))
        return out

    def _cluster_run(self, articles: list[Article]) -> dict[str, str]:
        if not articles:
            return {}
        unprimed = [i for i, a in enumerate(articles) if a.id not in self._primed]
        self.lines.count(articles[i] for i in unprimed)
        readable = self._readable(articles)
        rows = term_rows(readable)
        self.df.count(rows[0][unprimed])
        self._primed.difference_update(a.id for a in articles)
        vectors, embedded = self.df.weigh(rows), self._embed(readable)
        times = np.array([article_time(a) for a in articles])
        seeds, links, seed_slots = self._seeds(vectors, times, embedded)
        own_ids = [self.corrections.resolve(story_id_for(a.id)) for a in articles]
        term = self.term if embedded is not None else None
        pairs = self._seed_pairs(seeds, links, seed_slots)
        result = agglomerate_with_seeds(seeds, links, vectors, times, own_ids, self.config, self.corrections,
                                        dense=embedded, term=term, seed_pairs=pairs)
        self._fold_groups([[int(seed_slots[g]) for g in group] for group in result.seed_groups],
                          [result.inner[group[0]] for group in result.seed_groups])
        k, slots = len(seeds), np.zeros(len(articles), dtype=np.int64)
        clusters: dict[int, list[int]] = {}
        for i, founder in enumerate(result.founder_of):
            clusters.setdefault(founder, []).append(i)
        for founder, rows in sorted(clusters.items()):
            if founder < k:
                slot, kind = int(seed_slots[founder]), "joined"
            else:
                story_id, kind = own_ids[founder - k], "new"
                slot = self.stories.slot.get(story_id)
                if slot is None:
                    slot = self._new_slot(story_id)
                elif self.stories.size[slot]:  # an alias id resolved to a held story outside the window
                    kind = "joined"
            self.stories.grow_story(slot, len(rows), result.inner[founder], times[rows], replace_inner=founder < k
                                    or not self.stories.size[slot])
            slots[rows] = slot
            self.counts[kind] += len(rows)
        self._index.add(slots, vectors)
        if embedded is not None:
            self._dense_sums(embedded.shape[1]).add(slots, embedded)
        out = {}
        for article, slot in zip(articles, slots.tolist()):
            out[article.id] = self.story_of[article.id] = self.stories.ids[slot]
        return out

    def _readable(self, articles: list[Article]) -> list[Article]:
        """The articles as the story features read them: without the page furniture seen so far."""
        return [self.lines.clean(a) for a in articles]

    def _embed(self, articles: list[Article]) -> np.ndarray | None:
        """The articles' unit embeddings (None without the dense term)."""
        if self.dense is None:
            return None
        rows = np.asarray(self.dense(articles), dtype=np.float32)
        if rows.shape[0] != len(articles) or rows.ndim != 2:
            raise ValueError(f"dense features: expected {len(articles)} rows, got shape {rows.shape}")
        return rows

    def _dense_sums(self, dimensions: int) -> DenseCentroids:
        if self._dense is None:
            self._dense = DenseCentroids(dimensions)
        self._dense.grow(len(self.stories.ids))
        return self._dense

    def _seeds(self, vectors: sp.csr_matrix, times: np.ndarray,
               embedded: np.ndarray | None = None) -> tuple[list[Seed], list, np.ndarray]:
        """Held stories linked to the new rows (``_links``), within the time window of the batch, as fixed seeds.
        A link is chosen by its TF-IDF average; with ``embedded`` rows its weight combines both terms."""
        table = self.stories
        if not len(table.ids):
            return [], [], np.zeros(0, dtype=np.int64)
        rows, cols, sums = self._links(vectors, times)
        if embedded is not None:
            dense = self._dense_sums(embedded.shape[1]).dots(cols, embedded[rows])
            sums = self.term.combine(sums, dense, table.size[cols].astype(np.float64))
        seed_slots, seed_of = np.unique(cols, return_inverse=True)
        locked: set[str] = set()
        if self.config.merge_held:  # seeds oldest first: a merged story keeps the oldest id (held.py)
            order = sorted(range(len(seed_slots)), key=lambda i: age_key(float(table.first[seed_slots[i]]),
                                                                         table.ids[seed_slots[i]]))
            rank = np.empty(len(order), dtype=np.int64)
            rank[order] = np.arange(len(order))
            seed_slots, seed_of = seed_slots[order], rank[seed_of]
            locked = locked_stories(self.corrections, story_id_for)
        seeds = [Seed(table.ids[s], int(table.size[s]), float(table.inner[s]), float(table.first[s]),
                      float(table.last[s]), self.config.merge_held and is_locked(table.ids[s], locked))
                 for s in seed_slots.tolist()]
        return seeds, list(zip(seed_of.tolist(), rows.tolist(), sums.tolist())), seed_slots

    def _links(self, vectors: sp.csr_matrix, times: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, story slot, sum of cosines) links of the new rows to warm held stories: per row, the
        ``NEIGHBOURS`` stories of the highest average link at or above the floor. Read in blocks of rows, so memory
        holds a block's products with the stories, not the whole run's."""
        parts = []
        for start in range(0, vectors.shape[0], _LINK_BLOCK):  # rows in time order: a block's window is narrow
            block = times[start:start + _LINK_BLOCK]
            warm = self.stories.warm(block, self.config.window_days)
            dots = self._index.dots(vectors[start:start + _LINK_BLOCK], among=warm)
            parts.append(strongest_links(dots, self.stories, block, self.config.window_days, _LINK_FLOOR, NEIGHBOURS,
                                         start))
        if not parts:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
        return tuple(np.concatenate(column) for column in zip(*parts))

    def _seed_pairs(self, seeds: list[Seed], links: list, seed_slots: np.ndarray) -> list[tuple[int, int, float]]:
        if not self.config.merge_held or len(seeds) < 2:
            return []
        dense = self._dense.matrix() if self._dense is not None and self.dense is not None else None
        return seed_pairs(seeds, links, seed_slots, self._index, self.stories.size, join_floor(self.config),
                          _LINK_FLOOR, dense, self.term)

    def _fold_groups(self, groups: list[list[int]], inner: list[float]) -> None:
        """Merge the held stories of each group (slots, oldest first) into its first, as aliases of it
        (``self.merged``, ``self.corrections``); ``inner[i]``: group i's merged sum of inner similarities."""
        if not groups:
            return
        table = self.stories
        kept = np.array([g[0] for g in groups for _ in g[1:]], dtype=np.int64)
        alias = np.array([a for g in groups for a in g[1:]], dtype=np.int64)
        rows = self._index.rows(alias)
        self._index.add(np.concatenate([kept, alias]), sp.vstack([rows, -rows]).tocsr())
        if self._dense is not None:
            sums = self._dense.matrix()[alias].copy()
            self._dense.add(np.concatenate([kept, alias]), np.concatenate([sums, -sums]))
        for k, a in zip(kept.tolist(), alias.tolist()):
            self.corrections, aliases = self.corrections.merge(table.ids[k], table.ids[a], keep=table.ids[k])
            self.merged.update(aliases)
            table.fold(a, k, 0.0)
        for group, total in zip(groups, inner):
            table.inner[group[0]] = total
        self.counts["merged"] += len(alias)
        gone = set(self.merged)
        self.story_of = {i: self.corrections.resolve(s) if s in gone else s for i, s in self.story_of.items()}

    def _new_slot(self, story_id: str) -> int:
        slot = self.stories.add(story_id)
        self._index.grow(slot + 1)
        if self._dense is not None:
            self._dense.grow(slot + 1)
        return slot

    def similarities(self, article: Article) -> dict[str, float]:
        """Average similarity of an article to every warm held story it links to (explanations and tuning)."""
        readable = self._readable([article])
        vectors = self.df.weigh(term_rows(readable))
        seeds, links, _ = self._seeds(vectors, np.array([article_time(article)]), self._embed(readable))
        return {seeds[s].story_id: total / seeds[s].size for s, _, total in links}

    def related(self, story_ids: Iterable[str], limit: int = 5) -> dict[str, list[tuple[str, float]]]:
        """For each held story, up to ``limit`` other held stories whose average link with it (the mean cosine
        between their members) is at least ``RELATED_SHARE`` x ``similarity``, most similar first: reports of one
        storyline that the time window or the threshold kept in stories of their own (a later development, an
        earlier phase). Ids not held map to an empty list."""
        return related_stories(self._index, self.stories, self.corrections, story_ids,
                               RELATED_SHARE * self.config.similarity, limit)

    # --- state -----------------------------------------------------------------------------------------------

    def load(self, stories: Iterable[tuple[str, Iterable[Article]]]) -> int:
        """Rebuild state from stored stories ``(story_id, original articles)``; returns how many were loaded.

        Features are recomputed from the texts and document frequencies of all loaded articles are counted first.
        Ids resolve through the corrections' merges, so an alias story folds into its kept story.
        """
        held: dict[str, list[Article]] = {}
        for story_id, members in stories:
            held.setdefault(self.corrections.resolve(story_id), []).extend(members)
        articles = [a for members in held.values() for a in members if a.id not in self.story_of]
        slots = []
        for story_id, members in held.items():
            slot = self.stories.slot.get(story_id)
            slot = self._new_slot(story_id) if slot is None else slot
            slots.extend(slot for a in members if a.id not in self.story_of)
        self.lines.count(articles)
        articles = self._readable(articles)
        rows = term_rows(articles)
        self.df.count(rows[0])
        vectors = self.df.weigh(rows)
        slot_array = np.array(slots, dtype=np.int64)
        self._index.add(slot_array, vectors)
        touched = np.unique(slot_array)
        centroids = self._index.matrix()[touched]
        norms2 = np.asarray(centroids.multiply(centroids).sum(axis=1)).ravel()
        self.stories.absorb(slot_array, np.diff(vectors.indptr) > 0, np.array([article_time(a) for a in articles]),
                            touched, norms2)
        embedded = self._embed(articles)
        if embedded is not None and len(articles):
            sums = self._dense_sums(embedded.shape[1])
            sums.add(slot_array, embedded)
            self.stories.inner[touched] = self._combined_inner(touched, self.stories.inner[touched], sums.matrix())
        for article, slot in zip(articles, slots):
            self.story_of[article.id] = self.stories.ids[slot]
        self.counts["loaded"] += len(articles)
        return len(held)

    def _combined_inner(self, slots: np.ndarray, sparse_inner: np.ndarray, dense_sums: np.ndarray,
                        term=None, sign: float = 1.0) -> np.ndarray:
        """Inner sums of ``slots`` with the dense term added (``sign`` -1: taken out again): ``DenseTerm.inner``."""
        return (term or self.term).inner(self.stories.size[slots], sparse_inner, dense_sums[slots], sign)

    def export_state(self) -> bytes:
        """The assigner's state (document frequencies, stories with centroids) as one blob for ``load_state``."""
        dense = None
        if self.dense is not None:
            dim = self._dense.dimensions if self._dense is not None else 0
            sums = self._dense_sums(dim).matrix() if dim else np.zeros((len(self.stories.ids), 0), np.float32)
            dense = DenseState(sums, self.dense_model, self.term.weight, self.term.baseline, self.term.scale)
        return write_state(self.df, self.stories, self._index.matrix(), self.config.centroid_terms, dense,
                           self.lines)

    def load_state(self, data: bytes) -> int:
        """Restore the state of ``export_state`` (replacing what is held); returns how many stories. Ids that
        the corrections now name as aliases are folded into their kept stories.

        A state written with the dense term restores it (or, for an assigner without one, has it taken out of
        the inner sums); a state without it turns this assigner's dense term off (held stories have no
        embeddings; ``load`` from their articles rebuilds them), with a warning."""
        self.df, self.stories, matrix, dense, self.lines = read_state(data)
        self._index, self._dense = CentroidIndex(matrix), None
        slots = np.arange(len(self.stories.ids))
        if dense is not None and self.dense is not None and dense.model == self.dense_model and dense.sums.shape[1]:
            self._dense = DenseCentroids(dense.sums.shape[1], dense.sums)
            stored = replace(self.term, weight=dense.weight, baseline=dense.baseline, scale=dense.scale)
            if stored != self.term:
                sparse = self._combined_inner(slots, self.stories.inner, dense.sums, stored, sign=-1.0)
                self.stories.inner[:] = self._combined_inner(slots, sparse, dense.sums)
        elif dense is not None and dense.sums.shape[1]:
            stored = replace(self.term, weight=dense.weight, baseline=dense.baseline, scale=dense.scale)
            self.stories.inner[:] = self._combined_inner(slots, self.stories.inner, dense.sums, stored, sign=-1.0)
        if dense is None or dense.model != self.dense_model:
            if self.dense is not None and len(slots):
                warnings.warn("cluster state has no embeddings of this model: the dense term is off for this "
                              "assigner; rebuild the state with StoryAssigner.load(stored stories)", stacklevel=2)
            self.dense = None
        for story_id in list(self.stories.ids):
            kept = self.corrections.resolve(story_id)
            if kept != story_id:
                if kept not in self.stories.slot:
                    self.stories.rename(story_id, kept)
                else:
                    self.merge(kept, story_id)
        return len(self)

    def merge(self, a: str, b: str) -> dict[str, str]:
        """Merge two held stories: the older (held first) keeps its id, the other becomes its alias.

        Returns ``{alias: kept}`` (empty if they are one story already); ``self.corrections`` records it.
        """
        slots = sorted({self.stories.slot[self.corrections.resolve(s)] for s in (a, b)})
        if len(slots) == 1:
            return {}
        kept, alias = slots
        table = self.stories
        self.corrections, aliases = self.corrections.merge(table.ids[kept], table.ids[alias], keep=table.ids[kept])
        row = self._index.row(alias)
        cross = float(self._index.row(kept).multiply(row).sum())
        self._index.add(np.array([kept]), row)
        self._index.add(np.array([alias]), -row)
        if self._dense is not None:
            sums = self._dense.matrix()
            pairs = float(table.size[kept]) * float(table.size[alias])
            cross = float(self.term.combine(cross, float(sums[kept] @ sums[alias]), pairs))
            self._dense.add(np.array([kept, alias]), np.stack([sums[alias], -sums[alias]]))
        table.fold(alias, kept, cross)
        self.story_of = {i: self.corrections.resolve(s) for i, s in self.story_of.items()}
        return aliases


__all__ = ["DenseFeatures", "StoryAssigner", "story_id_for"]
