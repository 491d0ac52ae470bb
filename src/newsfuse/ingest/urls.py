"""URLs to Pages: page URLs, text files listing URLs, and feed URLs (expanded to their entries' pages)."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from ..records import Drop, Page, make_id
from .feeds import FeedEntry, FeedState, fetch_entries, looks_like_feed, page_from_result, parse_feed
from .files import NOT_FOUND, UNREADABLE
from .http import BAD_URL, Fetcher, FetchState

DUPLICATE_URL = "duplicate_url"  # the same canonical URL twice in one run: fetched once


def is_url(text: str) -> bool:
    return text.strip().lower().startswith(("http://", "https://"))


def iter_urls(inputs: list[str]) -> Iterator[tuple[str, str] | Drop]:
    """``(where, url)`` pairs: URLs given directly, and the lines of URL list files (``#`` starts a comment)."""
    for item in inputs:
        if is_url(item):
            yield item, item.strip()
            continue
        path = Path(item)
        if not path.is_file():
            yield Drop(item, NOT_FOUND, "neither an http(s) URL nor a file of URLs")
            continue
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            yield Drop(item, UNREADABLE, str(exc))
            continue
        for number, line in enumerate(lines, start=1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            text = text.split(" #", 1)[0].strip()  # an inline comment; a bare '#' may be a URL fragment
            where = f"{item}:{number}"
            yield (where, text) if is_url(text) else Drop(where, BAD_URL, f"not an http(s) URL: {text[:200]!r}")


def read_urls(inputs: list[str], fetcher: Fetcher, state: FetchState | None = None,
              seen: FeedState | None = None) -> Iterator[Page | Drop]:
    """Pages of every URL in ``inputs``; a feed URL yields the pages of its entries.

    ``state`` makes fetches conditional; ``seen`` (a FeedState) skips feed entries announced before and marks
    the new ones. Within one run each canonical URL is fetched once.
    """
    done: set[str] = set()
    for item in iter_urls(inputs):
        if isinstance(item, Drop):
            yield item
            continue
        where, url = item
        if _repeat(url, done):
            yield Drop(where, DUPLICATE_URL, url)
        else:
            yield from _read_url(url, fetcher, state, seen, done)


def _repeat(url: str, done: set[str]) -> bool:
    """True when the canonical URL was met before in this run; remembers it otherwise."""
    key = make_id(url=url)
    if key in done:
        return True
    done.add(key)
    return False


def _read_url(url: str, fetcher: Fetcher, state: FetchState | None, seen: FeedState | None,
              done: set[str]) -> Iterator[Page | Drop]:
    result = fetcher.fetch(url, state)
    if isinstance(result, Drop):
        yield result
        return
    if result.not_modified or not looks_like_feed(result.content_type, result.content):
        yield page_from_result(result)
        return
    parsed = parse_feed(result.content, result.content_type, result.final_url)
    if isinstance(parsed, Drop):
        yield parsed
        return
    yield from parsed.drops
    entries = []
    for entry in parsed.entries:
        if _repeat(entry.url, done):
            yield Drop(entry.url, DUPLICATE_URL, f"already read in this run (feed {url})")
        elif _new(entry, seen):
            entries.append(entry)
    yield from fetch_entries(entries, fetcher, state)


def _new(entry: FeedEntry, seen: FeedState | None) -> bool:
    if seen is None:
        return True
    if seen.seen(entry.key):
        return False
    seen.mark(entry.key)
    return True


__all__ = ["DUPLICATE_URL", "is_url", "iter_urls", "read_urls"]
