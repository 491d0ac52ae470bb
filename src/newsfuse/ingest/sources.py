"""The sources file: the feeds to watch, as ``[[sources]]`` tables of a TOML file.

```toml
[[sources]]
name = "Example Times"
feed = "https://example.org/rss.xml"   # RSS, Atom or JSON Feed
```
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import ConfigError

_KEYS = ("name", "feed")
_LIKELY = {"url": "feed", "rss": "feed", "atom": "feed", "feed_url": "feed", "title": "name", "site": "name",
           "source": "name"}


@dataclass(frozen=True, slots=True)
class FeedSource:
    """One outlet's feed. ``name`` becomes the ``site`` of its pages."""

    name: str
    feed: str


def load_sources(path: str | Path) -> list[FeedSource]:
    """The sources listed in a TOML file; ConfigError naming the file (and the table) when it is wrong."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read sources file {path}: {exc}") from exc
    return parse_sources(text, str(path))


def parse_sources(text: str, where: str = "<sources>") -> list[FeedSource]:
    """Parse and validate sources TOML; ``where`` names the file in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where} is not valid TOML: {exc}") from exc
    extra = sorted(set(data) - {"sources"})
    if extra:
        raise ConfigError(f"{where}: unknown top-level keys {extra}; expected only [[sources]] tables")
    tables = data.get("sources")
    if not isinstance(tables, list) or not tables:
        raise ConfigError(f"{where}: no [[sources]] tables; add one per feed with name = \"...\" and feed = \"https://...\"")
    sources = [_source(table, f"{where}: [[sources]] #{index}") for index, table in enumerate(tables, start=1)]
    _check_unique(sources, where)
    return sources


def _source(table: Any, where: str) -> FeedSource:
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table with name and feed")
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        hints = [f"{key!r} -> {_LIKELY[key]!r}?" for key in unknown if key in _LIKELY]
        raise ConfigError(f"{where}: unknown keys {unknown}; known: {list(_KEYS)}"
                          + (f" (did you mean {', '.join(hints)})" if hints else ""))
    name, feed = table.get("name"), table.get("feed")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: 'name' must be a non-empty string, got {name!r}")
    if not isinstance(feed, str) or not feed.strip():
        raise ConfigError(f"{where} ({name}): 'feed' must be the feed's URL, got {feed!r}")
    parts = urlsplit(feed.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{where} ({name}): 'feed' must be an http(s) URL, got {feed!r}"
                          + (" (missing https://?)" if not parts.scheme else ""))
    return FeedSource(name=name.strip(), feed=feed.strip())


def _check_unique(sources: list[FeedSource], where: str) -> None:
    for attribute in ("name", "feed"):
        seen: dict[str, int] = {}
        for index, source in enumerate(sources, start=1):
            value = getattr(source, attribute)
            if value in seen:
                raise ConfigError(f"{where}: [[sources]] #{index} repeats the {attribute} {value!r} "
                                  f"of [[sources]] #{seen[value]}")
            seen[value] = index


__all__ = ["FeedSource", "load_sources", "parse_sources"]
