"""Feeds: RSS, Atom (feedparser) and JSON Feed (json) -> new entries -> article Pages.

``poll_feed`` fetches a source's feed (conditionally) and returns the entries not seen before; the seen set
and the conditional-GET validators live behind the ``IngestState`` protocol, so one run can use
``MemoryState`` and the pipeline a Store-backed state. ``fetch_entries`` turns entries into Pages.
"""
from __future__ import annotations

import calendar
import html
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urljoin, urlsplit

from ..errors import require
from ..records import Drop, Page, make_id
from .decode import looks_binary
from .files import parse_time
from .http import UNSUPPORTED_TYPE, FetchResult, Fetcher, FetchState
from .sources import FeedSource

# Drop reasons (snake_case constants shared by stats, logs and tests).
BAD_FEED = "bad_feed"
NO_LINK = "no_link"
NOT_MODIFIED = "not_modified"
EMPTY = "empty"
BINARY = "binary"

JSON_FEED_VERSION = "https://jsonfeed.org/version/"
_FEED_ROOT = re.compile(rb"^(?:\s|<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*<(?:rss|feed|rdf:rdf)[\s>/]", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


@runtime_checkable
class FeedState(Protocol):
    """The set of feed entries already announced, by ``FeedEntry.key``."""

    def seen(self, key: str) -> bool:
        """True when the entry was marked before."""

    def mark(self, key: str) -> None:
        """Remember the entry (idempotent)."""


@runtime_checkable
class IngestState(FetchState, FeedState, Protocol):
    """What polling needs: conditional-GET validators (FetchState) and the seen entries (FeedState)."""


class MemoryState:
    """IngestState in memory, for tests and one-shot runs."""

    def __init__(self) -> None:
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self.keys: set[str] = set()

    def get(self, url: str) -> tuple[str | None, str | None] | None:
        return self.validators.get(url)

    def put(self, url: str, etag: str | None, last_modified: str | None) -> None:
        self.validators[url] = (etag, last_modified)

    def seen(self, key: str) -> bool:
        return key in self.keys

    def mark(self, key: str) -> None:
        self.keys.add(key)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One feed item. ``key`` (the id of its canonical URL) is what the seen set remembers."""

    key: str
    url: str
    title: str | None = None
    published: datetime | None = None  # aware UTC
    summary: str | None = None  # plain text
    site: str | None = None  # the source's name, else the feed's title


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str | None
    entries: tuple[FeedEntry, ...]
    drops: tuple[Drop, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedPoll:
    """The outcome of polling one source: entries not seen before, and what went wrong."""

    source: FeedSource
    entries: tuple[FeedEntry, ...] = ()
    drops: tuple[Drop, ...] = ()
    not_modified: bool = False


def looks_like_feed(content_type: str, data: bytes) -> bool:
    """True for an RSS/Atom/RDF document or a JSON Feed, judged by type and by the first bytes."""
    if content_type in ("application/rss+xml", "application/atom+xml", "application/rdf+xml",
                        "application/feed+json"):
        return True
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if head.lstrip().startswith(b"{"):
        return _json_feed_object(data) is not None
    return _FEED_ROOT.match(head) is not None


def _json_feed_object(data: bytes) -> dict[str, Any] | None:
    try:
        obj = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if isinstance(obj, dict) and str(obj.get("version", "")).startswith(JSON_FEED_VERSION):
        return obj
    return None


def parse_feed(data: bytes, content_type: str, base_url: str, site: str | None = None) -> ParsedFeed | Drop:
    """Entries of an RSS, Atom or JSON Feed document; a Drop (``bad_feed``) when none can be read."""
    if content_type in ("application/feed+json", "application/json") or data.lstrip()[:1] == b"{":
        return _parse_json_feed(data, base_url, site)
    feedparser = require("feedparser", "feeds")
    # A file object, never bytes: feedparser would try to open a short bytes string as a local path.
    parsed = feedparser.parse(io.BytesIO(data), response_headers={
        "content-location": base_url, "content-type": content_type or "application/xml"})
    title = _plain(parsed.get("feed", {}).get("title"))
    entries, drops = [], []
    for number, item in enumerate(parsed.get("entries", []), start=1):
        when = item.get("published_parsed") or item.get("updated_parsed")
        entry = _entry(item.get("link"), base_url, item.get("title"), _struct_utc(when), item.get("summary"),
                       site or title, f"{base_url}#{number}")
        (drops if isinstance(entry, Drop) else entries).append(entry)
    if not entries and parsed.get("bozo"):  # broken XML is only fatal when nothing usable came out of it
        problem = parsed.get("bozo_exception")
        return Drop(base_url, BAD_FEED, f"{type(problem).__name__}: {problem}")
    if not entries and not parsed.get("version"):
        return Drop(base_url, BAD_FEED, "not an RSS, Atom or JSON feed")
    return ParsedFeed(title, tuple(entries), tuple(drops))


def _parse_json_feed(data: bytes, base_url: str, site: str | None) -> ParsedFeed | Drop:
    obj = _json_feed_object(data)
    if obj is None:
        return Drop(base_url, BAD_FEED, f"not a JSON Feed (expected a version starting {JSON_FEED_VERSION})")
    items = obj.get("items")
    if not isinstance(items, list):
        return Drop(base_url, BAD_FEED, "JSON Feed without an 'items' list")
    title = _plain(obj.get("title"))
    base = obj.get("home_page_url") if isinstance(obj.get("home_page_url"), str) else base_url
    entries, drops = [], []
    for number, item in enumerate(items, start=1):
        where = f"{base_url}#{number}"
        if not isinstance(item, dict):
            drops.append(Drop(where, BAD_FEED, "item is not an object"))
            continue
        entry = _entry(item.get("url") or item.get("external_url"), base, item.get("title"),
                       parse_time(item.get("date_published") or item.get("date_modified")), item.get("summary"),
                       site or title, where)
        (drops if isinstance(entry, Drop) else entries).append(entry)
    return ParsedFeed(title, tuple(entries), tuple(drops))


def _entry(link: object, base: str, title: object, published: datetime | None, summary: object,
           site: str | None, where: str) -> FeedEntry | Drop:
    if not isinstance(link, str) or not link.strip():
        name = _plain(title)
        return Drop(where, NO_LINK, f"entry {name!r} has no link" if name else "entry has no link")
    try:
        url = urljoin(base, link.strip())
        scheme = urlsplit(url).scheme
    except ValueError:
        return Drop(where, NO_LINK, f"bad url {link.strip()[:200]!r}")
    if scheme not in ("http", "https"):
        return Drop(where, NO_LINK, f"link is not http(s): {url[:200]}")
    return FeedEntry(key=make_id(url=url), url=url, title=_plain(title), published=published,
                     summary=_plain(summary), site=site)


def _struct_utc(value: Any) -> datetime | None:
    """feedparser's UTC struct_time as an aware datetime."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _plain(value: object) -> str | None:
    """Markup and entities out, whitespace folded; None when nothing is left."""
    if not isinstance(value, str):
        return None
    text = _SPACE.sub(" ", html.unescape(_TAG.sub(" ", value))).strip()
    return text or None


def poll_feed(source: FeedSource, fetcher: Fetcher, state: IngestState) -> FeedPoll:
    """Fetch the source's feed (conditional GET) and return the entries ``state`` has not seen; marks them."""
    result = fetcher.fetch(source.feed, state)
    if isinstance(result, Drop):
        return FeedPoll(source, drops=(result,))
    if result.not_modified:
        return FeedPoll(source, not_modified=True)
    parsed = parse_feed(result.content, result.content_type, result.final_url, site=source.name)
    if isinstance(parsed, Drop):
        return FeedPoll(source, drops=(Drop(source.feed, parsed.reason, parsed.detail),))
    return FeedPoll(source, _fresh(parsed.entries, state), parsed.drops)


def _fresh(entries: Iterable[FeedEntry], state: FeedState) -> tuple[FeedEntry, ...]:
    fresh: list[FeedEntry] = []
    for entry in entries:
        if not state.seen(entry.key):
            state.mark(entry.key)
            fresh.append(entry)
    return tuple(fresh)


def fetch_entries(entries: Iterable[FeedEntry], fetcher: Fetcher,
                  state: FetchState | None = None) -> Iterator[Page | Drop]:
    """Each entry's article as an html Page; the feed's title and date are kept as fallback metadata.

    With a ``state``, article fetches are conditional too (an unchanged page becomes a ``not_modified`` Drop).
    """
    for entry in entries:
        result = fetcher.fetch(entry.url, state)
        if isinstance(result, Drop):
            yield result
        else:
            yield page_from_result(result, title=entry.title, site=entry.site, published=entry.published)


def page_from_result(result: FetchResult, *, title: str | None = None, site: str | None = None,
                     published: datetime | None = None) -> Page | Drop:
    """A fetched HTML body as ``Page(kind="html")`` keyed by its final URL, or a Drop saying why not."""
    url = result.final_url
    if result.not_modified:
        return Drop(result.url, NOT_MODIFIED, "unchanged since the last fetch")
    if result.content_type and not result.is_html:
        return Drop(url, UNSUPPORTED_TYPE, f"Content-Type {result.content_type}; expected an HTML page")
    if not result.content.strip():
        return Drop(url, EMPTY, "no content")
    text = result.text()
    if looks_binary(text):
        return Drop(url, BINARY, "binary data, not a page")
    return Page(id=make_id(url=url), path=url, kind="html", content=text, url=url, title=title, site=site,
                published=published)


__all__ = ["BAD_FEED", "BINARY", "EMPTY", "FeedEntry", "FeedPoll", "FeedState", "IngestState", "MemoryState",
           "NOT_MODIFIED", "NO_LINK", "ParsedFeed", "fetch_entries", "looks_like_feed", "page_from_result",
           "parse_feed", "poll_feed"]
