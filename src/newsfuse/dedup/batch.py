"""Batch dedup for the ``newsfuse dedup`` command, and the time order every online stage expects."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable

from ..config import DedupConfig
from ..records import Article, Duplicate, to_utc

_NEVER = datetime.max.replace(tzinfo=timezone.utc)


def time_key(article: Article) -> tuple[bool, datetime, str]:
    """Sort key: by published time (UTC), undated articles last, ties broken by id."""
    published = to_utc(article.published)
    return (published is None, published or _NEVER, article.id)


def time_order(articles: Iterable[Article]) -> list[Article]:
    """Articles sorted by ``time_key``; duplicated ids keep their first occurrence."""
    unique: dict[str, Article] = {}
    for article in articles:
        unique.setdefault(article.id, article)
    return sorted(unique.values(), key=time_key)


def find_duplicates(articles: Iterable[Article], config: DedupConfig | None = None) -> list[Duplicate]:
    """Lineage links for a batch: one Duplicate per article (originals included), in time order.

    The links are read after the whole batch is in, so an original replaced on a tie (an equally old article
    that the others contain, see ``Deduplicator.repointed``) is reported with its final link.
    """
    from .index import Deduplicator

    dedup = Deduplicator(config or DedupConfig())
    ordered = time_order(articles)
    for article in ordered:
        dedup.add(article)
    return [dedup.link(article.id) for article in ordered]


__all__ = ["find_duplicates", "time_key", "time_order"]
