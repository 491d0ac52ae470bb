"""Analyst corrections to story assignment, as plain data that both the assigner and the batch clustering respect.

- ``merges``: alias story id -> kept story id. Every story id the clustering would give is resolved through it
  (chains followed), so articles of the alias story are reported, and loaded, under the kept id.
- ``splits``: article ids that must found a story of their own: such an article never joins a story founded
  before it (later articles may still join its story).
- ``exclusions``: (story id, article id) pairs never joined: the article is never put in that story.

``Corrections.merge(a, b)`` records one merge deterministically: the lexicographically smaller of the two
resolved ids stays (callers that know the stories' ages, as ``StoryAssigner.merge`` does, pass the older one as
``keep``); it returns the new corrections and the alias map of that merge.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from ..errors import ConfigError


@dataclass(frozen=True, slots=True)
class Corrections:
    merges: Mapping[str, str] = field(default_factory=dict)  # alias story id -> kept story id
    splits: frozenset[str] = frozenset()  # article ids that found their own story
    exclusions: frozenset[tuple[str, str]] = frozenset()  # (story id, article id) never joined

    def __post_init__(self) -> None:
        object.__setattr__(self, "merges", dict(self.merges))
        object.__setattr__(self, "splits", frozenset(self.splits))
        object.__setattr__(self, "exclusions", frozenset(tuple(pair) for pair in self.exclusions))
        for alias in self.merges:
            seen = {alias}
            story = self.merges[alias]
            while story in self.merges:
                if story in seen:
                    raise ConfigError(f"cluster corrections: merges form a cycle through {alias!r}; "
                                      "each alias must lead to one kept story id")
                seen.add(story)
                story = self.merges[story]

    def resolve(self, story_id: str) -> str:
        """The kept story id for ``story_id`` (itself when it is no alias)."""
        while story_id in self.merges:
            story_id = self.merges[story_id]
        return story_id

    def excluded(self, story_id: str, article_id: str) -> bool:
        """True when the analyst said ``article_id`` never belongs to ``story_id`` (or to an alias of it)."""
        return self.resolve(story_id) in self.excluded_stories(article_id)

    def excluded_stories(self, article_id: str) -> set[str]:
        """The resolved ids of the stories ``article_id`` must never join."""
        return {self.resolve(story) for story, article in self.exclusions if article == article_id}

    def merge(self, a: str, b: str, keep: str | None = None) -> tuple["Corrections", dict[str, str]]:
        """Merge stories ``a`` and ``b``: one id stays (``keep`` if given, else the smaller), the other becomes
        its alias. Returns the new corrections and ``{alias: kept}`` (empty when they are one story already)."""
        a, b = self.resolve(a), self.resolve(b)
        if a == b:
            return self, {}
        kept = self.resolve(keep) if keep is not None else min(a, b)
        if kept not in (a, b):
            raise ConfigError(f"cluster corrections: keep={keep!r} is neither {a!r} nor {b!r}")
        alias = b if kept == a else a
        return replace(self, merges={**self.merges, alias: kept}), {alias: kept}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Corrections":
        """From JSON/TOML-like data: {"merges": {alias: kept}, "splits": [...], "exclusions": [[story, article]]}."""
        return cls(merges=data.get("merges", {}), splits=frozenset(data.get("splits", ())),
                   exclusions=frozenset(tuple(pair) for pair in data.get("exclusions", ())))

    def to_dict(self) -> dict[str, Any]:
        return {"merges": dict(sorted(self.merges.items())), "splits": sorted(self.splits),
                "exclusions": [list(pair) for pair in sorted(self.exclusions)]}


NO_CORRECTIONS = Corrections()

__all__ = ["NO_CORRECTIONS", "Corrections"]
