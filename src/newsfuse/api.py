"""The library's public functions: each CLI verb is a thin layer over one of these."""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from .config import Config
from .errors import InputError, NotFoundError
from .records import Article, Brief, Cited, Drop, Duplicate, LanguageSummary, Page


def extract(paths: Sequence[str | Path], config: Config = Config(), workers: int | None = None
            ) -> Iterator[Article | Drop]:
    """Every document in files or folders as a clean Article, or a Drop naming the file and the reason."""
    from .executors import LocalExecutor
    from .pipeline import read_articles, read_inputs

    yield from read_articles(read_inputs(paths, config), config, LocalExecutor(workers))


def article_from_page(page: Page) -> Article:
    return Article(id=page.id, text=page.content, title=page.title, url=page.url, site=page.site,
                   author=page.author, published=page.published, language=page.language, path=page.path)


def read_jsonl(file: str | Path) -> tuple[list[Article], list[Drop], dict[str, str]]:
    """Article objects from a JSON Lines file ('-' for stdin, '.gz' allowed): the articles, the broken lines
    as Drops, and each article's ``story`` field where it has one (summarize groups by it)."""
    import gzip

    from .ingest import page_from_object
    from .ingest.files import iter_json_lines

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
    for item in iter_json_lines(name, data):
        if isinstance(item, Drop):
            drops.append(item)
            continue
        where, obj = item
        page = page_from_object(obj, where)
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
    """Extractive summary; each sentence lists every article that states it. Articles in several languages are
    summarised in the main one (the language most of them are in; ``language_summaries`` gives each)."""
    from .brief import summarize as cited_summary

    parts = language_summaries(articles, words)
    return list(parts[0].summary) if parts else list(cited_summary(list(articles), words))


def language_summaries(articles: Sequence[Article], words: int = 120) -> list[LanguageSummary]:
    """For articles in several languages, each language's cited summary of its own articles, the language of most
    articles first; empty when they are in one language."""
    from .brief.build import language_summaries as by_language

    return by_language(list(articles), words)


def run(inputs: Sequence[str | Path], db: str | Path, config: Config = Config(), workers: int | None = None,
        on_progress: Callable[[str, int], None] | None = None, allow_private: bool = False,
        executor: str = "local", ray_address: str | None = None):
    """The whole pipeline into the store ``db`` (an SQLite file, or a postgresql:// URL); returns a RunReport.

    Inputs are files, folders, page or feed URLs, and ``.urls`` files (one URL a line)."""
    from .executors import make_executor
    from .pipeline import Runner
    from .store import open_store
    from .store.ingest_state import SqliteIngestState

    with open_store(db) as store:
        fetcher = _fetcher(allow_private) if any(_is_remote(i) for i in inputs) else None
        state = SqliteIngestState(store)
        runner_executor = make_executor(executor, workers, ray_address)
        try:
            report = Runner(store, config, runner_executor, on_progress).run(inputs, fetcher, state)
        finally:
            getattr(runner_executor, "close", lambda: None)()
            if fetcher is not None:
                fetcher.close()
        state.commit()
        return report


def _is_remote(item: str | Path) -> bool:
    from .ingest.urls import is_url

    return is_url(str(item)) or str(item).endswith(".urls")


def _fetcher(allow_private: bool):
    from .errors import require

    require("httpx", "feeds")
    from .ingest.http import Fetcher, FetchConfig

    return Fetcher(FetchConfig(allow_private=allow_private))


def watch(sources: str | Path, db: str | Path, config: Config = Config(), every_s: float = 600.0,
          once: bool = False, allow_private: bool = False, on_report: Callable[[Any], None] | None = None,
          workers: int | None = None) -> int:
    """Poll the feeds in a sources TOML file and run new articles through the pipeline; returns polls made."""
    from .executors import LocalExecutor
    from .ingest.sources import load_sources
    from .store import open_store
    from .watch import FeedWatcher

    feeds = load_sources(sources)
    with open_store(db) as store, _fetcher(allow_private) as fetcher:
        watcher = FeedWatcher(store, feeds, fetcher, config, LocalExecutor(workers))
        return watcher.loop(every_s, once, on_report or (lambda report: None))


def add_alert(db: str | Path, name: str, query: str | None = None, entity: str | None = None,
              source: str | None = None, webhook: str | None = None) -> dict[str, Any]:
    """Save an alert (see ``newsfuse.alerts``) in the store ``db``, created if missing; returns it as listed."""
    from .alerts import check_alert
    from .store import alerts as stored, open_store

    alert = check_alert(name, query, entity, source, webhook)
    if alert["webhook"]:
        from .errors import require

        require("httpx", "feeds")
    with open_store(db) as store:
        stored.add_alert(store, alert)
        return _alert_json(stored.alert(store, name))


def alerts(db: str | Path) -> list[dict[str, Any]]:
    """Every alert in the store, by name."""
    from .store import alerts as stored

    with _open(db) as store:
        return [_alert_json(a) for a in stored.alerts(store)]


def remove_alert(db: str | Path, name: str) -> dict[str, Any]:
    """Forget an alert and the notifications it owed."""
    from .store import alerts as stored

    with _open(db) as store:
        stored.remove_alert(store, name)
    return {"removed": name}


def _alert_json(alert: dict[str, Any]) -> dict[str, Any]:
    from .alerts import shown_webhook

    return {**alert, "webhook": shown_webhook(alert["webhook"]), "feed": f"/alerts/{alert['name']}/feed.xml"}


def _open(db: str | Path):
    from .store import open_store, shown, store_exists

    if not store_exists(db):
        raise NotFoundError(f"no store at {shown(db)}: run `newsfuse run INPUT --db {shown(db)}` first")
    return open_store(db)


def export(db: str | Path) -> list[dict[str, Any]]:
    """Every story with its articles (and their lineage) and its brief, biggest first; ``related``: other stories
    of its storyline (``pipeline.related_of``), each ``{id, headline, similarity}``."""
    from .pipeline import related_of

    with _open(db) as store:
        links = store.duplicates()
        spans = {row["id"]: row for row in store.stories_overview()}
        related = related_of(store, store.story_ids())
        out = []
        for story in store.story_ids():
            articles = store.articles(store.story_members(story))
            stored = store.stored_at(a.id for a in articles)
            brief = store.brief(story)
            body = brief.to_json() if brief else {}
            out.append({
                "id": story,
                "headline": body.get("headline", ""),
                "sources": sum(1 for a in articles if links.get(a.id) is None or links[a.id].duplicate_of is None),
                "articles": [_article_json(a, links.get(a.id), stored.get(a.id)) for a in articles],
                "brief": {k: body.get(k, []) for k in
                          ("summary", "quotes", "entities", "timeline", "unique", "disagreements", "languages")},
                **{k: spans[story][k] for k in ("first_seen", "last_seen", "first_seen_source", "last_seen_source")},
                "related": [{"id": other, "headline": spans.get(other, {}).get("headline", ""), "similarity": score}
                            for other, score in related.get(story, []) if other in spans],
            })
        return out


def _article_json(article: Article, link: Duplicate | None, stored: str | None = None) -> dict[str, Any]:
    """An article of the export; ``outlet`` names it even without a site, ``stored`` is when newsfuse first stored
    it (what an article without a ``published`` time is placed by)."""
    return {"id": article.id, "title": article.title, "source": article.site, "url": article.url,
            "published": article.published.isoformat() if article.published else None, "text": article.text,
            "duplicate_of": link.duplicate_of if link else None,
            "relation": link.relation if link else "original", "outlet": article.outlet, "stored": stored}


def stories(db: str | Path) -> list[dict[str, Any]]:
    with _open(db) as store:
        return store.stories_overview()


def brief(db: str | Path, story: str, since: datetime | timedelta | None = None,
          config: Config = Config()) -> tuple[Brief, list[Article]]:
    """A story's stored brief and its articles; ``story`` may be an alias or a unique id prefix.

    With ``since``: what is new, the brief of the articles from then on (a time, or a duration back from the story's
    latest article; an article is placed by its publication time, else by when it was stored), summarising only
    what no earlier article of the story states, and those articles (``newsfuse.brief.update``)."""
    from .brief.update import update_brief

    with _open(db) as store:
        story_id = store.resolve_story(story)
        articles = store.articles(store.story_members(story_id))
        if since is not None:
            stored = {i: datetime.fromisoformat(t.replace("Z", "+00:00"))
                      for i, t in store.stored_at(a.id for a in articles).items() if t}
            links = store.duplicates()
            duplicate_of = {a.id: links[a.id].duplicate_of if a.id in links else None for a in articles}
            return update_brief(story_id, articles, since, duplicate_of, config.brief, stored)
        result = store.brief(story_id)
        if result is None:
            raise NotFoundError(f"story {story_id} has no brief yet: rerun `newsfuse run`")
        return result, articles


def parse_since(text: str) -> datetime | timedelta:
    """An ISO date or time (naive means UTC), or a duration: 30m, 12h, 1d, 2w."""
    from datetime import timezone

    from .errors import ConfigError

    units = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
    try:
        if text and text[-1] in units and text[:-1].replace(".", "", 1).isdigit():
            return timedelta(seconds=float(text[:-1]) * units[text[-1]])
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        raise ConfigError(f"--since takes an ISO date or time (2024-05-01, 2024-05-01T10:00) or a duration (12h, "
                          f"1d, 2w), got {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def edit_story(db: str | Path, action: str, story: str, *args: str, config: Config = Config()) -> dict[str, Any]:
    """An analyst correction (``merge`` OTHER, ``split`` ARTICLE..., ``exclude`` ARTICLE), then the touched
    briefs are rebuilt. Corrections persist: later runs place only articles that belong to no story."""
    from .pipeline import Runner
    from .store import edits

    with _open(db) as store:
        if action == "merge":
            result = edits.merge_stories(store, story, *args)
        elif action == "split":
            result = edits.split_articles(store, story, list(args))
        elif action == "exclude":
            result = edits.exclude_article(store, story, *args)
        else:
            raise ValueError(f"unknown story edit {action!r}")
        Runner(store, config).run_items([], [f"edit:{action}"])
    return result


def lineage(db: str | Path, ids: Iterable[str]) -> dict[str, str | None]:
    """``{article id: the original it copies, or None}`` for the given articles."""
    with _open(db) as store:
        links = store.duplicates()
    return {i: links[i].duplicate_of if i in links else None for i in ids}


def render_brief(result: Brief, articles: Sequence[Article], format: str = "md",
                 duplicate_of: dict[str, str | None] | None = None) -> str:
    """A brief as Markdown (``md``), a standalone HTML page (``html``) or JSON (``json``)."""
    import json

    from .brief import render_html, render_markdown

    if format == "json":
        return json.dumps(result.to_json(), ensure_ascii=False)
    render = {"md": render_markdown, "html": render_html}[format]
    return render(result, list(articles), duplicate_of=duplicate_of)
