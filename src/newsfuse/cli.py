"""The `newsfuse` command: thin verbs over the library. JSON on stdout; progress and logs on stderr."""
from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from . import api
from .config import Config, load_config
from .errors import NewsfuseError
from .records import Article, Drop

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False,
                  help="newsfuse: raw news pages in, deduplicated stories with cited briefs out.")
log = logging.getLogger("newsfuse")
_STATE: dict[str, Any] = {"debug": False, "config": None}

# A str, not a Path: Path("postgresql://h/db") would fold the "//" before the store could refuse the URL.
Db = Annotated[str, typer.Option("--db", envvar="NEWSFUSE_DB", help=(
    "The store: an SQLite file (created if missing) or postgresql://USER@HOST:PORT/DB (the 'postgresql' extra)."))]
JsonlFile = Annotated[str, typer.Argument(help="JSON Lines of article objects; '-' reads stdin.")]


def _config() -> Config:
    return load_config(_STATE["config"])


def _emit(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _report(drops: list[Drop]) -> None:
    for drop in drops:
        typer.echo(f"skipped {drop}", err=True)


@contextmanager
def _progress(label: str) -> Iterator[Any]:
    """A progress callback: a rich spinner with counts on a terminal, nothing otherwise."""
    if not sys.stderr.isatty():
        yield lambda stage, n: None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed}"),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label)
        yield lambda stage, n: bar.update(task, description=f"{label}: {stage}", completed=n)


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
    config: Annotated[Optional[Path], typer.Option("--config", help="TOML file overriding defaults.")] = None,
) -> None:
    """newsfuse: raw news pages in, deduplicated stories with cited briefs out.

    Example: newsfuse run examples/ --db news.db && newsfuse stories --db news.db
    """
    _STATE.update(debug=debug, config=config)
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(message)s")
    log.setLevel(logging.DEBUG if debug else logging.ERROR)  # skips are echoed by the commands themselves


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(
        help="Files or folders: .txt .html(.gz) .jsonl(.gz) .warc(.gz) .parquet")],
    explain: Annotated[bool, typer.Option("--explain", help="Add what the cleaner removed, and why.")] = False,
) -> None:
    """Extract clean article text and metadata: one JSON object per document.

    Example: newsfuse extract ../shared/samples/seeds > articles.jsonl
    """
    drops: list[Drop] = []
    for item in api.extract(paths, _config()):
        if isinstance(item, Drop):
            drops.append(item)
            continue
        obj = item.to_json()
        if explain:
            obj["removed"] = [{"reason": r, "text": t} for r, t in item.removed]
        _emit(obj)
    _report(drops)


@app.command()
def dedup(file: JsonlFile) -> None:
    """Find exact and near copies: prints {id, duplicate_of, relation} per article.

    Example: newsfuse dedup articles.jsonl
    """
    for link in api.dedup(_read(file), _config()):
        _emit(link.to_json())


Embeddings = Annotated[Optional[str], typer.Option(
    "--embeddings", help="Dense cosine in story grouping: off, on or auto (needs the embeddings extra).")]


@app.command()
def cluster(file: JsonlFile, embeddings: Embeddings = None) -> None:
    """Group articles into stories: prints {id, story} per article, in input order.

    Example: newsfuse cluster articles.jsonl --embeddings auto
    """
    articles = _read(file)
    stories = api.cluster(articles, _config().override("cluster", embeddings=embeddings))
    for article in articles:
        _emit({"id": article.id, "story": stories[article.id]})


@app.command()
def summarize(
    file: JsonlFile,
    words: Annotated[int, typer.Option("--words", help="Word budget per summary.")] = 120,
) -> None:
    """Cited extractive summary per story: prints {story, summary: [{text, sources}]}.

    Articles are grouped by their `story` field; articles without one are clustered first. A story in several
    languages (each article's `language`) is summarised in its main language, and `languages` adds
    [{language, articles, summary}] for each.
    Example: newsfuse summarize clustered.jsonl --words 80
    """
    articles, drops, story_of = api.read_jsonl(file)
    _report(drops)
    groups = api.group_by_story(articles, story_of, _config())
    for story, articles in groups.items():
        parts = api.language_summaries(articles, words)
        cited = parts[0].summary if parts else api.summarize(articles, words)
        row = {"story": story, "summary": [{"text": c.text, "sources": list(c.sources)} for c in cited]}
        if parts:
            row["languages"] = [{"language": p.language, "articles": p.articles,
                                 "summary": [{"text": c.text, "sources": list(c.sources)} for c in p.summary]}
                                for p in parts]
        _emit(row)


@app.command()
def run(
    inputs: Annotated[list[str], typer.Argument(help="Files or folders to read (recursively).")],
    db: Db = "newsfuse.db",
    workers: Annotated[Optional[int], typer.Option(help="Worker processes (default: all cores).")] = None,
    allow_private: Annotated[bool, typer.Option("--allow-private",
                                                help="Allow URLs on private or loopback addresses.")] = False,
    hosts: Annotated[Optional[list[str]], typer.Option("--host", help="WARC: keep only this host (repeatable).")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="WARC: captures from this ISO time on.")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="WARC: captures before this ISO time.")] = None,
    executor: Annotated[str, typer.Option(help="local (processes) or ray (the ray extra).")] = "local",
    ray_address: Annotated[Optional[str], typer.Option("--ray-address",
                                                       help="Join this Ray cluster (ray only).")] = None,
    embeddings: Embeddings = None,
) -> None:
    """Run the whole pipeline into the store: read, extract, dedup, cluster, brief.

    Inputs: files, folders, page URLs, feed URLs, and .urls files (one URL a line).
    Example: newsfuse run examples/ https://example.org/news.rss --db newsfuse.db
    (or on Ray: newsfuse run in/ --executor ray --ray-address ray://head:10001)
    """
    with _progress("newsfuse run") as progress:
        config = _config().override("ingest", hosts=tuple(hosts) if hosts else None, since=since, until=until)
        config = config.override("cluster", embeddings=embeddings)
        report = api.run(inputs, db, config, workers=workers, on_progress=progress, allow_private=allow_private,
                         executor=executor, ray_address=ray_address)
    _run_report(report)


def _run_report(report: Any) -> None:
    """A run's skips, failed alert webhooks and summary, on stderr."""
    _report(report.failures)
    for line in report.alert_errors:
        typer.echo(line, err=True)
    typer.echo(report.summary_line(), err=True)


@app.command()
def watch(
    sources: Annotated[Path, typer.Option("--sources", help="TOML file of [[sources]] with name and feed.")],
    db: Db = "newsfuse.db",
    every: Annotated[str, typer.Option("--every", help="Time between polls: 10m, 90s, 1h.")] = "10m",
    once: Annotated[bool, typer.Option("--once", help="Poll once and exit.")] = False,
    allow_private: Annotated[bool, typer.Option("--allow-private",
                                                help="Allow feeds on private or loopback addresses.")] = False,
) -> None:
    """Poll feeds, fetch new articles, and update stories and briefs; polling twice stores nothing twice.

    Example: newsfuse watch --sources sources.toml --db newsfuse.db --every 10m
    """
    from .watch import parse_every

    api.watch(sources, db, _config(), parse_every(every), once, allow_private, _run_report)


@app.command()
def export(
    db: Db = "newsfuse.db",
    format: Annotated[str, typer.Option("--format", help="json (one object) or jsonl (a story per line).")] = "json",
) -> None:
    """Print every story with its articles and brief.

    Example: newsfuse export --db newsfuse.db --format json > stories.json
    """
    if format not in ("json", "jsonl"):
        raise NewsfuseError(f"unknown format {format!r}: use json or jsonl")
    stories = api.export(db)
    if format == "json":
        _emit({"stories": list(stories)})
    else:
        for story in stories:
            _emit(story)


@app.command()
def stories(
    db: Db = "newsfuse.db",
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines instead of a table.")] = False,
) -> None:
    """List stories, biggest and newest first.

    Example: newsfuse stories --db newsfuse.db
    """
    rows = api.stories(db)
    if as_json or not sys.stdout.isatty():
        for row in rows:
            _emit(row)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("story", "articles", "sources", "last seen", "headline")
    for row in rows:
        seen = (row["last_seen"] or "")[:10] + (" (stored)" if row["last_seen_source"] == "stored" else "")
        table.add_row(row["id"][:12], str(row["articles"]), str(row["sources"]), seen, row["headline"])
    Console().print(table)


@app.command()
def brief(
    story: Annotated[Optional[str], typer.Argument(help="Story id (or a unique prefix).")] = None,
    db: Db = "newsfuse.db",
    format: Annotated[str, typer.Option("--format", help="md, json, or html (a standalone page).")] = "md",
    all_stories: Annotated[bool, typer.Option("--all", help="Every story's brief, biggest first.")] = False,
    since: Annotated[Optional[str], typer.Option(
        "--since", help="Only what is new: from an ISO date or time, or over the story's last 12h, 1d, 2w.")] = None,
) -> None:
    """Show a story's brief: cited summary, quotes, entities, timeline, unique, disagreements.

    With --since, what is new: the articles from then on (a duration counts back from the story's latest
    article), summarised without what earlier articles already said.

    Example: newsfuse brief s1a2b3 --db newsfuse.db --since 1d
    """
    if format not in ("md", "json", "html"):
        raise NewsfuseError(f"unknown format {format!r}: use md, json or html")
    if (story is None) == (not all_stories):
        raise NewsfuseError("give a STORY id or --all (not both)")
    ids = [row["id"] for row in api.stories(db)] if all_stories else [story]
    for story_id in ids:
        result, articles = api.brief(db, story_id, api.parse_since(since) if since else None, _config())
        text = api.render_brief(result, articles, format, api.lineage(db, [a.id for a in articles]))
        if format == "md":
            _print_markdown(text)
        else:
            sys.stdout.write(text + "\n")


def _print_markdown(text: str) -> None:
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(text))
    else:
        sys.stdout.write(text + "\n\n")


@app.command()
def serve(
    db: Db = "newsfuse.db",
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    allow_edits: Annotated[bool, typer.Option("--allow-edits", help="Allow analyst edits (merge, exclude).")] = False,
    workers: Annotated[int, typer.Option(help="Server processes on the one port (one per core is usual).")] = 1,
    cache_mb: Annotated[float, typer.Option(help="Megabytes of finished responses each process keeps while the "
                                                 "store is unchanged; 0 turns the response cache off.")] = 32,
) -> None:
    """Start the web UI and JSON API (read-only unless --allow-edits).

    Example: newsfuse serve --db newsfuse.db --port 8000 --workers 2, then open http://127.0.0.1:8000/
    """
    from .errors import require

    require("fastapi", "web")
    from .web import serve as run_server

    run_server(str(db), host, port, allow_edits, workers=workers, cache_mb=cache_mb)


story_app = typer.Typer(no_args_is_help=True, help="Analyst corrections to stories; later runs respect them.")
app.add_typer(story_app, name="story")


@story_app.command("merge")
def story_merge(story: str, other: str, db: Db = "newsfuse.db") -> None:
    """Merge story OTHER into STORY; OTHER's id becomes an alias.

    Example: newsfuse story merge s1a2b3 s4d5e6 --db newsfuse.db
    """
    _emit(api.edit_story(db, "merge", story, other, config=_config()))


@story_app.command("split")
def story_split(story: str, articles: list[str], db: Db = "newsfuse.db") -> None:
    """Move ARTICLES out of STORY into a new story of their own.

    Example: newsfuse story split s1a2b3 9f8e7d6c5b4a3210 --db newsfuse.db
    """
    _emit(api.edit_story(db, "split", story, *articles, config=_config()))


@story_app.command("exclude")
def story_exclude(story: str, article: str, db: Db = "newsfuse.db") -> None:
    """Take ARTICLE out of STORY (it stands alone from then on).

    Example: newsfuse story exclude s1a2b3 9f8e7d6c5b4a3210 --db newsfuse.db
    """
    _emit(api.edit_story(db, "exclude", story, article, config=_config()))


alert_app = typer.Typer(no_args_is_help=True, help="Saved queries over stories: a feed each, and a webhook.")
app.add_typer(alert_app, name="alert")


@alert_app.command("add")
def alert_add(
    name: Annotated[str, typer.Argument(help="Letters, digits, '-' and '_' (the feed is /alerts/NAME/feed.xml).")],
    query: Annotated[Optional[str], typer.Option("--query", help="Full-text query over the stories' articles.")] = None,
    entity: Annotated[Optional[str], typer.Option("--entity", help="A person, organisation or place the brief "
                                                                   "names.")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="An outlet one of the articles is from.")] = None,
    webhook: Annotated[Optional[str], typer.Option("--webhook", help="http(s) URL that run and watch POST each "
                                                                     "new or grown matching story to.")] = None,
    db: Db = "newsfuse.db",
) -> None:
    """Save an alert: stories matching the query, entity and outlet given (at least one).

    Example: newsfuse alert add letters --query "Putin letters" --entity "Kim Jong Un" --db newsfuse.db
    """
    _emit(api.add_alert(db, name, query, entity, source, webhook))


@alert_app.command("remove")
def alert_remove(name: str, db: Db = "newsfuse.db") -> None:
    """Forget the alert NAME and the notifications it still owed.

    Example: newsfuse alert remove letters --db newsfuse.db
    """
    _emit(api.remove_alert(db, name))


@app.command("alerts")
def alerts_list(db: Db = "newsfuse.db") -> None:
    """List the alerts: one JSON object per line (a webhook's password masked).

    Example: newsfuse alerts --db newsfuse.db
    """
    for alert in api.alerts(db):
        _emit(alert)


def _read(file: str) -> list[Article]:
    articles, drops, _ = api.read_jsonl(file)
    _report(drops)
    return articles


def main() -> None:
    """Entry point: NewsfuseError becomes one line on stderr and exit code 2 (tracebacks with --debug)."""
    try:
        code = app(standalone_mode=False)  # click returns (not raises) 130 on Ctrl-C here, and exit codes
        if code == 130:
            raise KeyboardInterrupt
        if isinstance(code, int) and code:
            sys.exit(code)
    except NewsfuseError as exc:
        if _STATE["debug"]:
            raise
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # click usage errors and the like
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Exit):
            sys.exit(exc.exit_code)
        if _STATE["debug"]:
            raise
        typer.echo(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
