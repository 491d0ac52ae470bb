"""Page furniture in article texts: short lines that many different articles carry word for word.

A text that reaches newsfuse as plain text (scraped pages, JSON Lines exports, web archives read as text) often
keeps its site's furniture: a menu, the headlines of other articles, a cookie notice, a line of CSS. It opens the
text, so it fills the lead that story similarity reads, and two unrelated pages of one site look alike. News
prose does not repeat a line word for word across unrelated articles, so a short line (at most ``MAX_LINE_WORDS``
words) that ``FURNITURE_ARTICLES`` or more articles have carried is furniture, and the story features read the
text without it (``LineCounts.clean``).

Counts are kept per line as a stable 64-bit hash of its casefolded words, grow with every article the assigner
counts, and persist with its state. Memory stays bounded: past ``MAX_LINES`` lines, those seen once are
forgotten (furniture recurs, so it is counted again; a line seen once is news prose).
"""
from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Iterable

import numpy as np

from ..records import Article

MAX_LINE_WORDS = 20  # a longer line is a paragraph of the article, never furniture
FURNITURE_ARTICLES = 3  # a short line carried by this many articles is furniture
MAX_LINES = 500_000  # distinct short lines held before those seen once are forgotten


def _key(line: str) -> int | None:
    """The line's hash, or None for a blank or long line."""
    words = line.split()
    if not words or len(words) > MAX_LINE_WORDS:
        return None
    digest = hashlib.blake2b(" ".join(words).casefold().encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def _keys(text: str) -> set[int]:
    return {key for key in map(_key, text.split("\n")) if key is not None}


class LineCounts:
    """How many counted articles carry each short line; ``clean`` drops the furniture lines from a text."""

    def __init__(self, counts: dict[int, int] | None = None) -> None:
        self.counts: dict[int, int] = counts or {}

    def __len__(self) -> int:
        return len(self.counts)

    def count(self, articles: Iterable[Article]) -> None:
        """Count each article's distinct short lines once."""
        counts = self.counts
        for article in articles:
            for key in _keys(article.text):
                counts[key] = counts.get(key, 0) + 1
        if len(counts) > MAX_LINES:
            self.counts = {key: n for key, n in counts.items() if n > 1}

    def clean(self, article: Article) -> Article:
        """The article with its furniture lines taken out of the text (the article itself when it has none)."""
        if not self.counts or "\n" not in article.text:
            return article
        lines = article.text.split("\n")
        kept = [line for line in lines if self.counts.get(_key(line), 0) < FURNITURE_ARTICLES]
        return article if len(kept) == len(lines) else replace(article, text="\n".join(kept))

    def to_arrays(self) -> dict[str, np.ndarray]:
        keys = np.fromiter(self.counts, dtype=np.int64, count=len(self.counts))
        values = np.fromiter(self.counts.values(), dtype=np.int64, count=len(self.counts))
        return {"line_keys": keys, "line_counts": values}

    @classmethod
    def from_arrays(cls, arrays) -> "LineCounts":
        """From ``to_arrays`` (a state written before line counts were kept has none: an empty table)."""
        if "line_keys" not in getattr(arrays, "files", arrays):
            return cls()
        return cls(dict(zip(arrays["line_keys"].tolist(), arrays["line_counts"].tolist())))


__all__ = ["FURNITURE_ARTICLES", "LineCounts", "MAX_LINE_WORDS"]
