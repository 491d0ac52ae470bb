"""One <Stage>Config dataclass per stage: defaults in code, a TOML file overrides them, the CLI overrides that."""
from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


@dataclass(frozen=True, slots=True)
class IngestConfig:
    max_bytes: int = 20_000_000  # pages bigger than this are skipped as too_large
    # Web-archive filters (WARC records): hosts (and their subdomains) to keep, capture time range in ISO 8601.
    hosts: tuple[str, ...] = ()
    since: str | None = None  # inclusive
    until: str | None = None  # exclusive

    def __post_init__(self) -> None:
        from datetime import datetime

        _check(self.max_bytes > 0, f"ingest.max_bytes must be > 0, got {self.max_bytes}")
        for name in ("since", "until"):
            value = getattr(self, name)
            try:
                value is None or datetime.fromisoformat(value.replace("Z", "+00:00"))
            except (ValueError, AttributeError):
                raise ConfigError(f"ingest.{name} must be an ISO 8601 date or time, got {value!r}") from None
        object.__setattr__(self, "hosts", tuple(self.hosts))


@dataclass(frozen=True, slots=True)
class ExtractConfig:
    min_words: int = 20  # shorter texts are dropped as too_short
    include_tables: bool = True
    clean_text: bool = True  # run the line-level cleaner on scraped text
    max_words: int = 100_000  # longer documents are dropped as too_long (no news article is; a dump might be)
    max_elements: int = 200_000  # HTML with more elements is dropped as too_complex (extraction would take minutes)

    def __post_init__(self) -> None:
        _check(self.min_words >= 0, f"extract.min_words must be >= 0, got {self.min_words}")
        _check(self.max_words > self.min_words, f"extract.max_words must be > min_words, got {self.max_words}")
        _check(self.max_elements > 0, f"extract.max_elements must be > 0, got {self.max_elements}")


@dataclass(frozen=True, slots=True)
class DedupConfig:
    """Thresholds of the dedup stage (``newsfuse.dedup``), on exact sets of ``shingle_words``-word shingles.

    Two articles are linked when their Jaccard is at least ``similarity`` ("near"), or when at least
    ``containment`` of the shorter one's shingles are in the longer one and the shorter has at least
    ``containment_min_words`` words ("contained" / "contains"). Since containment >= Jaccard, with
    ``containment <= similarity`` the grouping is decided by ``containment``; ``similarity`` only names the
    relation (near vs contained).

    Tuned on the syndication generator of the dedup gate (tests/dedup/syndication.py, seed 7: 1,910 articles,
    1,786 copy pairs; furniture, 50-90% truncation, light edits, retitling, wire stories embedded in 2-3x their
    length, and 2,546 same-event pairs from three outlets that are not copies). Pair F1 by containment, at
    similarity 0.8: 0.9 (the old default) 0.623, since it misses every copy with a new headline or a few edits
    in a 60-word brief; 0.8 0.880; 0.7 0.968; 0.65 0.986; 0.6 0.994; 0.55 0.998; 0.5 0.999. Precision is 1.000
    and same-event pairs stay apart (1.000) over that whole range, so the generator cannot show what a lower
    value costs: 0.6 is the highest containment that clears the F1 target (0.97) with margin, leaving headroom
    for real pages whose shared furniture (a long copyright or newsletter footer) makes up half of a short
    article. Seeds 11 and 23 give F1 0.998 and 1.000 at 0.6. ``similarity`` 0.6 instead of 0.8 changes
    nothing; ``containment_min_words`` 20 changes nothing, 60 drops recall to 0.961 (copied 50-60-word briefs).
    Re-run with ``bench/dedup.py --tune``.
    """

    similarity: float = 0.8  # Jaccard of word shingles at or above which two articles are near copies
    containment: float = 0.6  # share of a shorter article's shingles found in a longer one (tuned, see above)
    shingle_words: int = 5
    num_perm: int = 128  # MinHash permutations; the LSH uses num_perm / 2 bands of 2 rows (see dedup/index.py)
    containment_min_words: int = 40  # "contained"/"contains" need the shorter article to have this many words

    def __post_init__(self) -> None:
        _check(0 < self.similarity <= 1, f"dedup.similarity is a Jaccard in (0, 1], got {self.similarity}"
               + (" (a percentage? use 0.8, not 80)" if self.similarity > 1 else ""))
        _check(0 < self.containment <= 1, f"dedup.containment must be in (0, 1], got {self.containment}")
        _check(1 <= self.shingle_words <= 20, f"dedup.shingle_words must be in 1..20, got {self.shingle_words}")
        _check(16 <= self.num_perm <= 1024 and self.num_perm % 2 == 0,
               f"dedup.num_perm must be an even number in 16..1024, got {self.num_perm}")
        _check(self.containment_min_words >= 1,
               f"dedup.containment_min_words must be >= 1, got {self.containment_min_words}")


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    # Unused since the StoryAssigner clusters with the batch method (below); kept so saved configs still load.
    threshold: float = 0.18
    window_days: float = 7.0  # a story goes cold this long after its last article (both modes)
    title_weight: float = 0.3  # unused, as threshold
    body_weight: float = 0.5  # unused
    entity_weight: float = 0.2  # unused
    # Batch and incremental modes: average-linkage agglomeration over title + body TF-IDF.
    batch_similarity: float = 0.06  # minimum average cosine between two clusters to merge them
    cohesion_ratio: float = 0.55  # ...and at least this fraction of the clusters' own average inner cosine
    # The thresholds above are absolute, tuned on short news, where unrelated articles share ~nothing (median
    # cosine of two allsides articles 0.008). Long pages of one genre share generic words (WCXB dev's SEO listicles:
    # median 0.073), and average linkage glued 53 of 300 unrelated pages into one cluster. So a merge must also
    # leave the merged cluster's average inner similarity at background_margin x the median similarity of the
    # articles in play (batch mode: pairs of the batch; incremental mode: pairs of the run's new articles and
    # (new article, warm held story) averages): WCXB dev 300 pages, largest batch cluster 53 -> 9, incremental
    # (runs of 30) 47 -> 13; every tests/cluster gate unchanged. Little headroom: batch wikiref (median 0.040) is
    # 0.935 at 2.5 but 0.927 at 2.75 (below its floor) and 0.917 at 3.
    # 0 turns it off (tests/cluster/test_background.py).
    background_margin: float = 2.5
    pair_similarity: float = 0.15  # minimum cosine for two single articles to found a story together (see
    # bench/cluster.py: 0.15 has the best worst case of the incremental gates; batch moves by < 0.01)
    # Two rules for undated news, where one topic's separate events share most words (bench/tune_cluster.py):
    # when one article joins a story, the story's cohesion counts only up to join_cohesion_cap (a story of two
    # near-identical reports, cosine 0.5, would otherwise ask a third, differently worded one for an average cosine
    # of 0.28); batch mode only (and an incremental run with no held story, which is batch mode), off with
    # merge_held, whose stricter rule trades missed joins for later merges; 1 turns it off. And two multi-article
    # clusters do not merge when the smaller one's core (terms in at least half of its members, and two) has more
    # than distinct_core of its idf weight in terms no member of the other uses: two events (weekly jobless-claims
    # reports), each with its own numbers, days and names; 1 turns it off. With the dense term on,
    # dense_distinct_core replaces it (its merges differ: at 0.35-0.4 wikiref's topics split, 0.924 -> 0.906).
    # 2026-11-28: batch mode reads its own terms (features.batch_vectors: stemmed, the title thrice), retuned with
    # bench/tune_cluster.py (grid, --dense): distinct_core 0.35 -> 0.3, dense_distinct_core 0.6 -> 0.375 (with the
    # dense term's batch_cohesion_ratio 0.6).
    join_cohesion_cap: float = 0.3
    # The cap holds for a pair (its one cosine says nothing of the story's spread); a story of p > 1 pairs is held
    # to cap + (cohesion - cap) x (p - 1) / (p - 1 + join_cap_pairs): the cap weighs as join_cap_pairs pairs, and
    # a stray article of the topic no longer joins a complete tight story on the cap alone (bench/tune_cluster.py
    # --prior); 0 holds such a story to its own cohesion, a large value is the hard cap (the rule before).
    join_cap_pairs: float = 0.0
    distinct_core: float = 0.3
    dense_distinct_core: float = 0.375
    # Incremental mode (StoryAssigner.export_state): each story centroid is persisted with its heaviest terms only.
    centroid_terms: int = 300
    # Incremental mode: two held stories a later run links (by the rule below) are merged, the newer becoming an
    # alias of the older (StoryAssigner.merged); stories an analyst made or edited are never merged this way. With
    # it on, incremental mode also merges by a stricter rule than batch mode (a wrong join is permanent, a missed
    # one is repaired by a later merge): cohesion ratio + incremental_ratio_margin and pair similarity
    # incremental_pair_similarity (bench/cluster.py --tune incremental: the smallest worst gap between the six
    # incremental/online gates and batch mode's figure on the same set). On by default since 2026-11-27 (tests/
    # cluster gates, merging vs not: incremental allsides 0.726 -> 0.787, wikiref 0.814 -> 0.910; online allsides
    # 0.764 -> 0.781, wikiref 0.609 -> 0.886): `newsfuse run` and `watch` apply the merges to the store
    # (Runner._merge_held). Batch mode (`newsfuse cluster`) is the same either way. Off (`[cluster] merge_held =
    # false`), incremental mode never merges held stories, and a first run into an empty store is batch mode's rule
    # over incremental mode's terms (cluster_articles(..., vectors=features.incremental_vectors)).
    merge_held: bool = True
    incremental_ratio_margin: float = 0.03
    incremental_pair_similarity: float = 0.25
    # Dense sentence-embedding cosine (the `embeddings` extra): off, on, auto (on when installed); "" reads
    # $NEWSFUSE_EMBEDDINGS, else off. Its weight and thresholds are in cluster/embed.py (bench/cluster.py --tune dense).
    embeddings: str = ""

    def __post_init__(self) -> None:
        _check(str(self.embeddings).strip().lower() in ("", "off", "on", "auto"),
               f"cluster.embeddings must be off, on or auto, got {self.embeddings!r}")
        _check(0 < self.threshold < 1, f"cluster.threshold must be in (0, 1), got {self.threshold}")
        _check(0 < self.batch_similarity < 1,
               f"cluster.batch_similarity is an average cosine in (0, 1), got {self.batch_similarity}")
        _check(0 <= self.cohesion_ratio <= 1, f"cluster.cohesion_ratio must be in [0, 1] (0 turns the check "
               f"off), got {self.cohesion_ratio}")
        _check(0 <= self.background_margin <= 10, f"cluster.background_margin is a multiple of the background "
               f"similarity in [0, 10] (0 turns it off), got {self.background_margin}")
        _check(0 < self.pair_similarity < 1,
               f"cluster.pair_similarity is a cosine in (0, 1), got {self.pair_similarity}")
        _check(self.window_days > 0, f"cluster.window_days must be > 0 days, got {self.window_days}")
        _check(0 < self.join_cohesion_cap <= 1, f"cluster.join_cohesion_cap is a cosine in (0, 1] (1 turns the "
               f"cap off), got {self.join_cohesion_cap}")
        _check(0 <= self.join_cap_pairs < float("inf"), f"cluster.join_cap_pairs is a "
               f"number of pairs >= 0, got {self.join_cap_pairs}")
        for name in ("distinct_core", "dense_distinct_core"):
            _check(0 < getattr(self, name) <= 1, f"cluster.{name} is a share of a cluster's core terms in (0, 1] "
                   f"(1 turns the check off), got {getattr(self, name)}")
        _check(isinstance(self.centroid_terms, int) and self.centroid_terms >= 0,
               f"cluster.centroid_terms must be a whole number >= 0 (0 keeps every term), got {self.centroid_terms!r}")
        _check(isinstance(self.merge_held, bool), f"cluster.merge_held must be true or false, got {self.merge_held!r}")
        _check(0 <= self.incremental_ratio_margin < 1,
               f"cluster.incremental_ratio_margin must be in [0, 1), got {self.incremental_ratio_margin}")
        _check(0 < self.incremental_pair_similarity < 1,
               f"cluster.incremental_pair_similarity is a cosine in (0, 1), got {self.incremental_pair_similarity}")
        total = self.title_weight + self.body_weight + self.entity_weight
        _check(abs(total - 1) < 1e-6, f"cluster weights must add up to 1, got {total:.3f}")


@dataclass(frozen=True, slots=True)
class BriefConfig:
    words: int = 120  # summary length budget
    max_articles: int = 200  # articles read per brief (the most recent)
    max_quotes: int = 12
    max_entities: int = 30
    max_events: int = 20  # timeline entries
    unique_per_source: int = 3  # passages only one source states, per source
    ner_words: int = 5000  # distinct words the entity recogniser reads per brief, leads first; 0 = all
    article_ner_words: int = 1000  # words it reads per article, leads and quotations first; 0 = all
    annotate: bool = True  # `run` finds each article's entities once, on the workers, and stores them

    def __post_init__(self) -> None:
        _check(self.words >= 10, f"brief.words must be >= 10, got {self.words}")
        _check(self.max_articles >= 1, f"brief.max_articles must be >= 1, got {self.max_articles}")
        _check(isinstance(self.annotate, bool), f"brief.annotate must be true or false, got {self.annotate!r}")
        for name in ("max_quotes", "max_entities", "max_events", "unique_per_source", "ner_words",
                     "article_ner_words"):
            value = getattr(self, name)
            _check(isinstance(value, int) and value >= 0, f"brief.{name} must be a whole number >= 0, got {value!r}")


@dataclass(frozen=True, slots=True)
class Config:
    ingest: IngestConfig = field(default_factory=IngestConfig)
    extract: ExtractConfig = field(default_factory=ExtractConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    cluster: ClusterConfig = field(default_factory=ClusterConfig)
    brief: BriefConfig = field(default_factory=BriefConfig)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def override(self, section: str, **values: Any) -> "Config":
        """A new Config with some values of one section replaced (None values are ignored)."""
        values = {k: v for k, v in values.items() if v is not None}
        if not values:
            return self
        return replace(self, **{section: replace(getattr(self, section), **values)})


def load_config(path: str | Path | None = None) -> Config:
    """Defaults, overridden by a TOML file whose tables are named after the sections ([dedup], [cluster], ...)."""
    config = Config()
    if path is None:
        return config
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config {path}: {exc}") from exc
    for section, values in data.items():
        known = {f.name for f in fields(Config)}
        _check(section in known, f"unknown config section [{section}] in {path}; known: {sorted(known)}")
        allowed = {f.name for f in fields(getattr(config, section))}
        unknown = set(values) - allowed
        _check(not unknown, f"unknown keys {sorted(unknown)} in [{section}] of {path}; known: {sorted(allowed)}")
        try:
            config = config.override(section, **values)
        except TypeError as exc:
            raise ConfigError(f"bad value in [{section}] of {path}: {exc}") from exc
    return config


__all__ = ["BriefConfig", "ClusterConfig", "Config", "DedupConfig", "ExtractConfig", "IngestConfig", "load_config"]
