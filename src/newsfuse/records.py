"""The records that flow between stages: Page, Article, Duplicate, Story, Brief, Drop.

Records are frozen dataclasses; derive new versions with ``dataclasses.replace``. Ids are deterministic:
a hash of the canonical URL, or of the normalised text when there is no URL, so reruns are idempotent.
This module imports nothing of newsfuse.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit, urlunsplit, parse_qsl, urlencode

_SPACE = re.compile(r"\s+")
_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|mc_|ref$|ocid$|cmpid$)")


def normalize_text(text: str) -> str:
    """Unicode NFKC, lowercase, whitespace folded: the form used for text hashes and comparisons."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()


def canonical_url(url: str) -> str:
    """Lowercase scheme and host, no fragment, no tracking parameters, no trailing slash."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. an unclosed IPv6 bracket: keep the URL as given
        return url.strip()
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k.lower())])
    path = parts.path.rstrip("/") or "/"
    host = parts.netloc.lower().removeprefix("www.")
    return urlunsplit((parts.scheme.lower() or "http", host, path, query, ""))


def make_id(*, url: str | None = None, text: str | None = None) -> str:
    """A 16-hex-digit id: from the canonical URL when there is one, else from the normalised text."""
    if url:
        key = "url:" + canonical_url(url)
    elif text is not None:
        key = "text:" + normalize_text(text)
    else:
        raise ValueError("make_id needs a url or a text")
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def to_utc(value: datetime | None) -> datetime | None:
    """Timezone-aware UTC; a naive datetime is taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def outlet_name(site: str | None, url: str | None = None, path: str | None = None) -> str | None:
    """Who an article is from, for a list of sources: its site name, else its URL's host (without ``www.``), else
    the name of the file it was read from (never the folders above it); None when nothing names it."""
    if site and site.strip():
        return site.strip()
    try:
        host = urlsplit(url.strip()).hostname if url else None
    except ValueError:  # an unclosed IPv6 bracket and the like
        host = None
    if host:
        return host.removeprefix("www.")
    name = (path or "").strip().replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return name or None


EntitySpan = tuple[int, int, str]  # (start, end, label): character offsets into the annotated text


@dataclass(frozen=True, slots=True)
class Annotations:
    """The named entities of one article, found once when it is stored and read by every later brief.

    ``paragraphs`` are the indices of the text's paragraphs the recogniser read (None: all of them); ``text`` and
    ``title`` hold its spans in the article's text and title; ``model`` names the model and version that found
    them, so spans from another model are recomputed rather than trusted.
    """

    model: str
    paragraphs: tuple[int, ...] | None
    text: tuple[EntitySpan, ...] = ()
    title: tuple[EntitySpan, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"model": self.model, "paragraphs": None if self.paragraphs is None else list(self.paragraphs),
                "text": [list(s) for s in self.text], "title": [list(s) for s in self.title]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Annotations":
        paragraphs = data.get("paragraphs")
        return cls(model=str(data["model"]),
                   paragraphs=None if paragraphs is None else tuple(int(i) for i in paragraphs),
                   text=tuple((int(a), int(b), str(c)) for a, b, c in data.get("text") or ()),
                   title=tuple((int(a), int(b), str(c)) for a, b, c in data.get("title") or ()))


@dataclass(frozen=True, slots=True)
class Page:
    """A raw document as a reader found it, before extraction.

    ``kind`` is ``"html"`` (markup), ``"text"`` (a page saved as text) or ``"article"`` (an article object whose
    text is already clean, e.g. from JSONL). Metadata fields hold what the reader knew; extraction may add more.
    """

    id: str
    path: str
    kind: str
    content: str
    url: str | None = None
    title: str | None = None
    site: str | None = None
    author: str | None = None
    published: datetime | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """A clean article: main text and metadata. ``site`` is the outlet (the ``source`` of the JSON formats)."""

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    site: str | None = None
    author: str | None = None
    published: datetime | None = None
    language: str | None = None
    path: str | None = None
    removed: tuple[tuple[str, str], ...] = ()  # (reason, line) pairs the cleaner took out, for --explain
    entities: Annotations | None = None  # what the entity recogniser found, when the pipeline annotated it

    @property
    def outlet(self) -> str | None:
        """The outlet a source list names: the site, else the URL's host, else the file's name."""
        return outlet_name(self.site, self.url, self.path)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "url": self.url,
            "title": self.title,
            "site": self.site,
            "source": self.site,
            "author": self.author,
            "published": self.published.isoformat() if self.published else None,
            "language": self.language,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class Drop:
    """Something that was not turned into an article, and why. ``reason`` is a snake_case constant."""

    path: str
    reason: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}" + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A lineage link: ``id`` copies ``duplicate_of`` (None for an original)."""

    id: str
    duplicate_of: str | None
    relation: str  # "original", "exact", "near", "contained", "contains"
    similarity: float = 1.0

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "duplicate_of": self.duplicate_of, "relation": self.relation,
                "similarity": round(self.similarity, 4)}


@dataclass(frozen=True, slots=True)
class Story:
    id: str
    article_ids: tuple[str, ...]
    headline: str = ""
    first_seen: datetime | None = None
    last_seen: datetime | None = None


@dataclass(frozen=True, slots=True)
class Cited:
    """A summary sentence with every article that states it.

    ``independent`` counts the sources once per copy group (an original and its copies), None when unknown (briefs
    stored before it existed); ``copies`` lists the sources that copy another article.
    """

    text: str
    sources: tuple[str, ...]
    independent: int | None = None
    copies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Quote:
    """A quotation with every article that carries it; ``independent`` and ``copies`` as in :class:`Cited`."""

    text: str
    speaker: str | None
    sources: tuple[str, ...]
    independent: int | None = None
    copies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Entity:
    name: str
    label: str  # PERSON, ORG, GPE/LOC
    count: int
    sources: tuple[str, ...]
    variants: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Event:
    """A timeline entry: ``date`` is ISO (YYYY, YYYY-MM or YYYY-MM-DD) when resolved, else the relative phrase."""

    date: str
    text: str
    sources: tuple[str, ...]
    resolved: bool = False
    phrase: str | None = None  # the date as the article words it ("last Wednesday"), None when unknown


@dataclass(frozen=True, slots=True)
class Unique:
    source: str
    text: str


@dataclass(frozen=True, slots=True)
class Disagreement:
    kind: str  # "number", "date", "name"
    text: str
    claims: tuple[tuple[str, str], ...]  # (article id, value)


@dataclass(frozen=True, slots=True)
class LanguageSummary:
    """A story's summary in one of its languages, from that language's ``articles`` (how many) alone."""

    language: str
    articles: int
    summary: tuple[Cited, ...] = ()


@dataclass(frozen=True, slots=True)
class Brief:
    """One story's brief. ``summary`` is in the story's main language (the one most of its articles are in) when
    it holds several; ``languages`` then gives each language's own summary, the main one first (empty for a story
    in one language)."""

    story: str
    headline: str
    summary: tuple[Cited, ...] = ()
    quotes: tuple[Quote, ...] = ()
    entities: tuple[Entity, ...] = ()
    timeline: tuple[Event, ...] = ()
    unique: tuple[Unique, ...] = ()
    disagreements: tuple[Disagreement, ...] = ()
    languages: tuple[LanguageSummary, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: _lists(v) for k, v in data.items()}


def _lists(value: Any) -> Any:
    """asdict leaves tuples; JSON wants lists."""
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    return value


def _cited_from_json(rows: list[dict[str, Any]]) -> tuple[Cited, ...]:
    return tuple(Cited(s["text"], tuple(s["sources"]), s.get("independent"), tuple(s.get("copies", ()))) for s in rows)


def brief_from_json(data: dict[str, Any]) -> Brief:
    """Rebuild a Brief from ``Brief.to_json`` output (the store keeps briefs as JSON)."""
    return Brief(
        story=data["story"],
        headline=data.get("headline", ""),
        summary=_cited_from_json(data.get("summary", [])),
        quotes=tuple(Quote(q["text"], q.get("speaker"), tuple(q["sources"]), q.get("independent"),
                           tuple(q.get("copies", ()))) for q in data.get("quotes", [])),
        entities=tuple(Entity(e["name"], e["label"], e["count"], tuple(e["sources"]), tuple(e.get("variants", ())))
                       for e in data.get("entities", [])),
        timeline=tuple(Event(e["date"], e["text"], tuple(e["sources"]), e.get("resolved", False), e.get("phrase"))
                       for e in data.get("timeline", [])),
        unique=tuple(Unique(u["source"], u["text"]) for u in data.get("unique", [])),
        disagreements=tuple(Disagreement(d["kind"], d["text"], tuple(tuple(c) for c in d["claims"]))
                            for d in data.get("disagreements", [])),
        languages=tuple(LanguageSummary(x["language"], x["articles"], _cited_from_json(x.get("summary", [])))
                        for x in data.get("languages", [])),
    )


__all__ = [
    "Annotations", "Article", "Brief", "Cited", "Disagreement", "Drop", "Duplicate", "Entity", "EntitySpan", "Event",
    "LanguageSummary",
    "Page", "Quote", "Story", "Unique", "brief_from_json", "canonical_url", "make_id", "normalize_text", "outlet_name",
    "to_utc",
]
