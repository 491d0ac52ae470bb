"""The library's public functions: each CLI verb is a thin layer over one of these."""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from .config import Config
from .errors import InputError, NotFoundError
from .records import Article, Brief, Cited, Drop, Duplicate, Page


def extract(paths: Sequence[str | Path], config: Config = Config(), workers: int | None = None
            ) -> Iterator[Article | Drop]:
    """Every document in files or folders as a clean Article, or a Drop naming the file and the reason."""
    from .executors import LocalExecutor
    from .pipeline import read_articles

    yield from read_articles(paths, config, LocalExecutor(workers))


def article_from_page(page: Page) -> Article:
    return Article(id=page.id, text=page.content, title=page.title, url=page.url, site=page.site,
                   author=page.author, published=page.published, language=page.language, path=page.path)


def read_jsonl(file: str | Path) -> tuple[list[Article], list[Drop], dict[str, str]]:
    """Article objects from a JSON Lines file ('-' for stdin, '.gz' allowed): the articles, the broken lines
    as Drops, and each article's ``story`` field where it has one (summarize groups by it)."""
    import gzip
    import json

    from .ingest import page_from_object
    from .ingest.decode import decode_bytes

    name = str(file)
    if name == "-":
        data = sys.stdin.buffer.read()
    else:
        path = Path(file)
        if not path.is_file():
            raise InputError(name, "not_found", "no such file")
        try:
            data = gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()
        except (OSError, EOFError) as exc:
            raise InputError(name, "unreadable", str(exc)) from exc
    articles: list[Article] = []
    drops: list[Drop] = []
    story_of: dict[str, str] = {}
    for number, line in enumerate(decode_bytes(data)[0].splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            drops.append(Drop(f"{name}:{number}", "bad_json", exc.msg))
            continue
        page = page_from_object(obj, f"{name}:{number}")
        if isinstance(page, Drop):
            drops.append(page)
            continue
        articles.append(article_from_page(page))
        if obj.get("story") is not None:
            story_of[page.id] = str(obj["story"])
    return articles, drops, story_of


def dedup(articles: Iterable[Article], config: Config = Config()) -> list[Duplicate]:
    """Lineage links for the articles, in their input order."""
    from .dedup import find_duplicates

    articles = list(articles)
    links = {d.id: d for d in find_duplicates(articles, config.dedup)}
    return [links[a.id] for a in articles]


def cluster(articles: Iterable[Article], config: Config = Config()) -> dict[str, str]:
    """A story id for every article id (copies join their original's story)."""
    from .cluster import cluster_articles

    return cluster_articles(list(articles), config.cluster, config.dedup)


def group_by_story(articles: list[Article], story_of: dict[str, str],
                   config: Config = Config()) -> dict[str, list[Article]]:
    """Articles grouped by their known story; those without one are clustered first."""
    assigned = dict(story_of)
    missing = [a for a in articles if a.id not in assigned]
    if missing:
        assigned.update(cluster(missing, config))
    groups: dict[str, list[Article]] = {}
    for article in articles:
        groups.setdefault(assigned[article.id], []).append(article)
    return groups


def summarize(articles: Sequence[Article], words: int = 120) -> list[Cited]:
    """Extractive summary; each sentence lists every article that states it."""
    from .brief import summarize as cited_summary

    return list(cited_summary(list(articles), words))


def run(inputs: Sequence[str | Path], db: str | Path, config: Config = Config(), workers: int | None = None,
        on_progress: Callable[[str, int], None] | None = None):
    """The whole pipeline into the SQLite store at ``db``; returns a RunReport."""
    from .executors import LocalExecutor
    from .pipeline import Runner
    from .store import SqliteStore

    with SqliteStore(db) as store:
        return Runner(store, config, LocalExecutor(workers), on_progress).run(inputs)


def _open(db: str | Path):
    from .store import SqliteStore

    if not Path(db).exists():
        raise NotFoundError(f"no store at {db}: run `newsfuse run INPUT --db {db}` first")
    return SqliteStore(db)


def export(db: str | Path) -> list[dict[str, Any]]:
    """Every story with its articles (and their lineage) and its brief, biggest first."""
    with _open(db) as store:
        links = store.duplicates()
        out = []
        for story in store.story_ids():
            articles = store.articles(store.story_members(story))
            brief = store.brief(story)
            body = brief.to_json() if brief else {}
            out.append({
                "id": story,
                "headline": body.get("headline", ""),
                "sources": sum(1 for a in articles if links.get(a.id) is None or links[a.id].duplicate_of is None),
                "articles": [_article_json(a, links.get(a.id)) for a in articles],
                "brief": {k: body.get(k, []) for k in
                          ("summary", "quotes", "entities", "timeline", "unique", "disagreements")},
            })
        return out


def _article_json(article: Article, link: Duplicate | None) -> dict[str, Any]:
    return {"id": article.id, "title": article.title, "source": article.site, "url": article.url,
            "published": article.published.isoformat() if article.published else None, "text": article.text,
            "duplicate_of": link.duplicate_of if link else None,
            "relation": link.relation if link else "original"}


def stories(db: str | Path) -> list[dict[str, Any]]:
    with _open(db) as store:
        return store.stories_overview()


def brief(db: str | Path, story: str) -> tuple[Brief, list[Article]]:
    """A story's stored brief and its articles; ``story`` may be an alias or a unique id prefix."""
    with _open(db) as store:
        story_id = store.resolve_story(story)
        result = store.brief(story_id)
        if result is None:
            raise NotFoundError(f"story {story_id} has no brief yet: rerun `newsfuse run`")
        return result, store.articles(store.story_members(story_id))


def render_markdown(result: Brief, articles: Sequence[Article]) -> str:
    from .brief import render_markdown as render

    return render(result, list(articles))
