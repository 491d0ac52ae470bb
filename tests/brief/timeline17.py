"""Timeline17 as the timeline gates read it: articles by storyline, the 18 reference timelines, and the dated
sentences of every article (computed once per session: the date patterns alone, no entity recogniser)."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from newsfuse.brief.timeline import DatedSentence, dated_sentences
from newsfuse.records import Article

from ..conftest import DATA, shared_or_fail

T17 = DATA / "stories" / "timeline17"


@dataclass(frozen=True)
class Reference:
    storyline: str
    file: str
    entries: dict[date, list[str]]  # a date -> its sentences (entries of one date joined)
    lines_per_date: int  # the mean number of sentences of an entry, rounded (at least 1)

    @property
    def start(self) -> date:
        return min(self.entries)

    @property
    def end(self) -> date:
        return max(self.entries)


@lru_cache(maxsize=1)
def articles() -> dict[str, list[Article]]:
    """Each storyline's articles (all outlets), oldest first."""
    by: dict[str, list[Article]] = defaultdict(list)
    for line in shared_or_fail(T17 / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        by[row["storyline"]].append(Article(id=row["id"], title=None, text=row["text"],
                                            published=datetime.fromisoformat(row["published"])))
    return dict(by)


@lru_cache(maxsize=1)
def references() -> list[Reference]:
    out = []
    for line in shared_or_fail(T17 / "timelines.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        entries: dict[date, list[str]] = defaultdict(list)
        lines = []
        for entry in row["entries"]:
            sentences = [s for s in entry["text"].splitlines() if s.strip()]
            entries[date.fromisoformat(entry["date"])].extend(sentences)
            lines.append(len(sentences))
        out.append(Reference(row["storyline"], row["file"], dict(entries), max(1, round(sum(lines) / len(lines)))))
    return out


@lru_cache(maxsize=1)
def sentences() -> dict[str, list[DatedSentence]]:
    return {storyline: dated_sentences(members) for storyline, members in articles().items()}


def within(storyline: str, start: date, end: date) -> tuple[list[Article], list[DatedSentence]]:
    """A storyline's articles published from ``start`` to ``end`` (days, inclusive) and their sentences."""
    members = [a for a in articles()[storyline] if a.published and start <= a.published.date() <= end]
    ids = {a.id for a in members}
    return members, [s for s in sentences()[storyline] if s.article in ids]
