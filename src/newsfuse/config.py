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
    """How articles group into stories (``newsfuse.cluster``), the same in ``cluster``, ``run`` and ``watch``.

    Two groups of reports are of one story when the average cosine between their members (TF-IDF of title and
    lead, ``cluster/features.py``) is at least ``similarity``; a story goes cold ``window_days`` after its last
    article (undated articles have no time limit). bench/tune_cluster.py chose both by leave-one-set-out.
    ``same_day_similarity``, when set, is a lower bar for dated reports within a day of each other (the reports of
    one event come in a burst); off by default: it lifts single-event sets and mixes concurrent storylines
    (bench/README.md, "Reports of the same day").
    """

    similarity: float = 0.2  # the average cosine at or above which reports are of one story
    same_day_similarity: float | None = None  # the same for reports within a day of each other; None: similarity
    window_days: float = 14.0  # a story goes cold this long after its last article
    # Live mode (run, watch): two stored stories that later articles show to be one event are merged, the newer
    # becoming an alias of the older; stories an analyst made or edited are never merged this way.
    merge_held: bool = True
    centroid_terms: int = 300  # live mode persists each story centroid with its heaviest terms only
    # Dense sentence-embedding cosine (the `embeddings` extra): off, on, auto (on when installed); "" reads
    # $NEWSFUSE_EMBEDDINGS, else off. Its weight is in cluster/embed.py.
    embeddings: str = ""

    def __post_init__(self) -> None:
        _check(str(self.embeddings).strip().lower() in ("", "off", "on", "auto"),
               f"cluster.embeddings must be off, on or auto, got {self.embeddings!r}")
        _check(0 < self.similarity < 1, f"cluster.similarity is an average cosine in (0, 1), got {self.similarity}"
               + (" (a percentage? use 0.2, not 20)" if self.similarity >= 1 else ""))
        same_day = self.same_day_similarity
        _check(same_day is None or (isinstance(same_day, (int, float)) and 0 < same_day < 1),
               f"cluster.same_day_similarity is an average cosine in (0, 1), got {same_day!r}"
               + (" (a percentage? use 0.12, not 12)" if isinstance(same_day, (int, float)) and same_day >= 1 else ""))
        _check(self.window_days > 0, f"cluster.window_days must be > 0 days, got {self.window_days}")
        _check(isinstance(self.centroid_terms, int) and self.centroid_terms >= 0,
               f"cluster.centroid_terms must be a whole number >= 0 (0 keeps every term), got {self.centroid_terms!r}")
        _check(isinstance(self.merge_held, bool), f"cluster.merge_held must be true or false, got {self.merge_held!r}")


# Keys an earlier release read; a config file that sets one loads with a DeprecationWarning. The value of a renamed
# key is carried over; the others belonged to rules the story grouping no longer has.
DEPRECATED_KEYS = {
    "cluster": {"batch_similarity": "similarity", "cohesion_ratio": None, "threshold": None,
                "title_weight": None, "body_weight": None, "entity_weight": None, "background_margin": None,
                "pair_similarity": None, "join_cohesion_cap": None, "join_cap_pairs": None, "distinct_core": None,
                "dense_distinct_core": None, "incremental_ratio_margin": None, "incremental_pair_similarity": None},
}


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


def _deprecated(section: str, values: dict[str, Any], path: str | Path) -> dict[str, Any]:
    """``values`` with the section's deprecated keys warned about, renamed ones carried over."""
    import warnings

    for key, new in DEPRECATED_KEYS.get(section, {}).items():
        if key not in values:
            continue
        value = values.pop(key)
        hint = f"use {new!r}" if new else "it is ignored"
        warnings.warn(f"[{section}] {key} in {path} is deprecated: {hint}", FutureWarning, stacklevel=3)
        if new and new not in values:
            values[new] = value
    return values


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
        values = _deprecated(section, dict(values), path)
        allowed = {f.name for f in fields(getattr(config, section))}
        unknown = set(values) - allowed
        _check(not unknown, f"unknown keys {sorted(unknown)} in [{section}] of {path}; known: {sorted(allowed)}")
        try:
            config = config.override(section, **values)
        except TypeError as exc:
            raise ConfigError(f"bad value in [{section}] of {path}: {exc}") from exc
    return config


__all__ = ["BriefConfig", "ClusterConfig", "Config", "DedupConfig", "ExtractConfig", "IngestConfig", "load_config"]
