"""crisis.jsonl (../shared/data/multilingual) as the multilingual gates read it: 3,352 dated en/es/fr/it articles
of four storylines (egypt, libya, syria, yemen), and the 16 CL-TLS reference timelines (a language x a storyline).

Each article's language is the one newsfuse identifies from its text (``article_language``, as ``extract_page``
stores it), not the file's label, so the gates measure what a run sees. Copies filed under a second storyline
(``same_text_as``) are skipped, as the shared README advises for scoring.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache

from newsfuse.nlp.language import article_language
from newsfuse.records import Article

from .brief.timeline17 import Reference
from .conftest import DATA, shared_or_fail

CRISIS = DATA / "multilingual"


@dataclass(frozen=True)
class CrisisTimeline(Reference):
    """A Timeline17-style reference (``file``: its CL-TLS file) in one language."""

    language: str = "en"


def _published(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@lru_cache(maxsize=4)
def crisis_articles(every: int = 1) -> tuple[tuple[Article, ...], dict[str, str]]:
    """Every ``every``-th article (in file order, copies skipped first) with its identified language, and the
    storyline of each id."""
    articles, gold = [], {}
    lines = shared_or_fail(CRISIS / "crisis.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [r for r in map(json.loads, lines) if not r.get("same_text_as")]
    for row in rows[::every]:
        articles.append(Article(id=row["id"], title=row.get("title"), text=row["text"], site=row.get("source"),
                                published=_published(row["published"]),
                                language=article_language(row["text"], row.get("language"))))
        gold[row["id"]] = row["storyline"]
    return tuple(articles), gold


@lru_cache(maxsize=1)
def crisis_timelines() -> tuple[CrisisTimeline, ...]:
    out = []
    for line in shared_or_fail(CRISIS / "crisis-timelines.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        entries: dict[date, list[str]] = {}
        lines = []
        for entry in row["entries"]:
            sentences = [s for s in entry["text"].splitlines() if s.strip()]
            entries.setdefault(date.fromisoformat(entry["date"]), []).extend(sentences)
            lines.append(len(sentences))
        out.append(CrisisTimeline(row["storyline"], row.get("file") or "", entries,
                                  max(1, round(sum(lines) / len(lines))), language=row["language"]))
    return tuple(out)
