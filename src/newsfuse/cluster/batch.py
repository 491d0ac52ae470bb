"""Batch clustering for the ``newsfuse cluster`` command: dedup first, then story assignment in time order."""
from __future__ import annotations

from typing import Iterable

from ..config import ClusterConfig, DedupConfig
from ..dedup import Deduplicator, time_order
from ..records import Article
from .assigner import StoryAssigner


def cluster_articles(articles: Iterable[Article], config: ClusterConfig | None = None,
                     dedup_config: DedupConfig | None = None) -> dict[str, str]:
    """Map each article id to a story id.

    Articles are sorted by published time (undated last, then id); document frequencies are counted over the
    whole batch first; each article goes through dedup, and a copy joins its original's story.
    """
    ordered = time_order(articles)
    dedup = Deduplicator(dedup_config or DedupConfig())
    assigner = StoryAssigner(config or ClusterConfig())
    assigner.prime(ordered)
    stories: dict[str, str] = {}
    for article in ordered:
        link = dedup.add(article)
        copy_of = stories.get(link.duplicate_of) if link.duplicate_of else None
        stories[article.id] = assigner.assign(article, copy_of_story=copy_of)
    return stories


__all__ = ["cluster_articles"]
