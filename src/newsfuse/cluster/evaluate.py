"""Story grouping against gold labels: the story sets of ``../shared/data`` and the two ways articles reach a store.

Loaders return ``(articles, gold)`` with gold an article id -> label map: ``events_dated`` (fine-grained events,
scored by B-cubed F1; ``part`` picks BASIL or Giveme5W1H), ``allsides`` (307 stories of three outlets' leads,
undated), ``wikiref`` (five topics and noise, undated), ``timeline17`` (coarse storylines over months, scored by
purity). ``batch`` groups all articles at once (``cluster_articles``); ``live`` feeds them to one store's
assigner run by run (a day of articles per run when dated, else ``run_size`` articles a run in the given order),
restoring each run's saved state as ``newsfuse run`` does and renaming stories it merges. ``purity`` is the
share of articles whose story holds only their label; ``story_sizes`` summarises a grouping.
"""
from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping

from ..config import ClusterConfig
from ..records import Article
from .assigner import StoryAssigner
from .batch import cluster_articles
from .features import article_time

Labelled = tuple[list[Article], dict[str, str]]


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _lines(path: Path) -> Iterable[dict]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def events_dated(data: Path, part: str | None = None) -> Labelled:
    """events-dated.jsonl (``part``: "basil", "giveme5w1h" or None for both), pages without an article skipped."""
    articles, gold = [], {}
    for row in _lines(data / "stories" / "events-dated.jsonl"):
        if (part and row["set"] != part) or not row.get("text_ok", True):
            continue
        articles.append(Article(id=row["id"], title=row.get("title"), text=row["text"], url=row.get("url"),
                                site=row.get("source"), published=_time(row.get("published"))))
        gold[row["id"]] = row["event"]
    return articles, gold


def allsides(data: Path) -> Labelled:
    """All 921 outlet leads (title + text, undated), shuffled with a fixed seed; gold = the roundup."""
    articles, gold = [], {}
    for story in _lines(data / "stories" / "allsides-roundups.jsonl"):
        for doc in story["docs"]:
            articles.append(Article(id=doc["docno"], title=doc["title"], text=doc["text"]))
            gold[doc["docno"]] = story["id"]
    random.Random(7).shuffle(articles)
    return articles, gold


def wikiref(data: Path) -> Labelled:
    """220 undated articles, shuffled with a fixed seed; gold = topic."""
    rows = list(_lines(data / "stories" / "wikiref220.jsonl"))
    articles = [Article(id=r["id"], title=r["title"], text=r["text"]) for r in rows]
    random.Random(7).shuffle(articles)
    return articles, {r["id"]: r["topic"] for r in rows}


def timeline17(data: Path, every: int = 1) -> Labelled:
    """Timeline17's dated articles (every ``every``-th), copies filed under two storylines skipped."""
    articles, gold = [], {}
    for n, row in enumerate(r for r in _lines(data / "stories" / "timeline17" / "articles.jsonl")
                            if not r.get("same_text_as")):
        if n % every:
            continue
        articles.append(Article(id=row["id"], title=row.get("title"), text=row["text"], site=row.get("source"),
                                published=_time(row.get("published")), language=row.get("language")))
        gold[row["id"]] = row["storyline"]
    return articles, gold


def refile(gold: Mapping[str, str], storylines: Mapping[str, str | None]) -> dict[str, str]:
    """``gold`` with the items of ``storylines`` filed under the label given there, and those given None (about
    none of the labels) left out."""
    moved = {item: storylines.get(item, label) for item, label in gold.items()}
    return {item: label for item, label in moved.items() if label is not None}


def batch(articles: list[Article], config: ClusterConfig | None = None) -> dict[str, str]:
    return cluster_articles(articles, config or ClusterConfig())


def runs(articles: list[Article], run_size: int = 100) -> list[list[Article]]:
    """Dated articles by UTC day, in time order (the undated after them in runs of ``run_size``); undated input
    in runs of ``run_size`` in the given order."""
    days: dict[object, list[Article]] = defaultdict(list)
    undated = [a for a in articles if a.published is None]
    for article in sorted((a for a in articles if a.published is not None), key=article_time):
        days[article.published.astimezone(timezone.utc).date()].append(article)
    return list(days.values()) + [undated[i:i + run_size] for i in range(0, len(undated), run_size)]


def live(articles: list[Article], config: ClusterConfig | None = None, run_size: int = 100) -> dict[str, str]:
    """Each of ``runs`` is one run into the same store: a fresh assigner restores the last run's state, places
    the run's articles, and the stories it merged are renamed (alias -> kept)."""
    return live_with_state(articles, config, run_size)[0]


def live_with_state(articles: list[Article], config: ClusterConfig | None = None,
                    run_size: int = 100) -> tuple[dict[str, str], bytes]:
    """``live``, and the store's assigner state after the last run."""
    stories: dict[str, str] = {}
    blob = b""
    for run in runs(articles, run_size):
        assigner = StoryAssigner(config or ClusterConfig())
        if blob:
            assigner.load_state(blob)
        placed = assigner.assign_many(run)
        stories = {i: assigner.merged.get(s, s) for i, s in stories.items()}
        stories.update(placed)
        blob = assigner.export_state()
    return stories, blob


def related_precision(stories: Mapping[str, str], gold: Mapping[str, str], state: bytes,
                      config: ClusterConfig | None = None) -> tuple[float, int, int]:
    """Of the ``StoryAssigner.related`` links between the stories of ``state``, the share that join two stories
    of one label (each story's majority label); with the number of links and of stories that have one."""
    labels: dict[str, Counter] = defaultdict(Counter)
    for item, story in stories.items():
        if item in gold:
            labels[story][gold[item]] += 1
    assigner = StoryAssigner(config or ClusterConfig())
    assigner.load_state(state)
    links = assigner.related(sorted(labels))
    majority = {story: counts.most_common(1)[0][0] for story, counts in labels.items()}
    pairs = [(a, b) for a, found in links.items() for b, _ in found if b in majority]
    same = sum(majority[a] == majority[b] for a, b in pairs)
    return (same / len(pairs) if pairs else 1.0), len(pairs), sum(bool(found) for found in links.values())


def purity(predicted: Mapping[str, str], gold: Mapping[str, str]) -> float:
    """The share of articles whose story holds only articles of their own label."""
    labels: dict[str, set[str]] = defaultdict(set)
    for item, label in gold.items():
        labels[predicted[item]].add(label)
    return sum(len(labels[predicted[i]]) == 1 for i in gold) / len(gold) if gold else 1.0


def story_sizes(predicted: Mapping[str, str], gold: Mapping[str, str] | None = None) -> Counter[str]:
    """Articles per story (over ``gold``'s items when given)."""
    return Counter(predicted[i] for i in (gold if gold is not None else predicted))


__all__ = ["allsides", "batch", "events_dated", "live", "live_with_state", "purity", "refile", "related_precision", "runs",
           "story_sizes", "timeline17", "wikiref"]
