"""Step and Filter bases, and the local runner that takes raw inputs all the way to stored stories and briefs.

Per-document steps (read, extract) stream through an executor; the global phases (dedup, clustering, briefs)
run on the new articles in published order, a part at a time, with their state loaded from the store through the
small ``RunStore`` protocol, so a run over new input finds copies of, and joins stories with, what is stored.
"""
from __future__ import annotations

import logging
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from importlib import import_module
from itertools import chain
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from .config import BriefConfig, Config, ExtractConfig
from .executors import Executor, LocalExecutor
from .records import Article, Brief, Drop, Duplicate, Page
from .related import related_of, stored_stories  # noqa: F401 (part of this module's API)

log = logging.getLogger("newsfuse")
# Related links a run stores per changed story (readers show the first few); both directions are kept.
RELATED_KEPT = 10
In = TypeVar("In")
Out = TypeVar("Out")
T = TypeVar("T")


class Step(Generic[In, Out]):
    """A streaming step: ``run(items) -> items`` with a name and counters."""

    name = "step"

    def __init__(self) -> None:
        self.counters: Counter[str] = Counter()

    def run(self, items: Iterable[In]) -> Iterator[Out]:
        raise NotImplementedError


class Filter(Step[In, In]):
    """A step that only answers ``keep(x) -> True | "reason"``; the base counts ``dropped_<reason>``."""

    def __init__(self, keep_dropped: bool = False) -> None:
        super().__init__()
        self.dropped: list[tuple[In, str]] = [] if keep_dropped else None  # type: ignore[assignment]

    def keep(self, item: In) -> bool | str:
        raise NotImplementedError

    def run(self, items: Iterable[In]) -> Iterator[In]:
        for item in items:
            verdict = self.keep(item)
            if verdict is True:
                self.counters["kept"] += 1
                yield item
                continue
            self.counters[f"dropped_{verdict}"] += 1
            if self.dropped is not None:
                self.dropped.append((item, str(verdict)))


def _extract_one(item: Page | Drop, config: ExtractConfig, annotate: BriefConfig | None = None) -> Article | Drop:
    """Module-level so worker processes can pickle it. Never raises: a surprise becomes a Drop.

    With ``annotate``, the article's entities are found here too (see ``newsfuse.brief.annotate``): on the
    workers, once per article. An article the recogniser fails on is kept without them (its brief finds them)."""
    if isinstance(item, Drop):
        return item
    from .extract import extract_page

    try:
        article = extract_page(item, config)
    except Exception as exc:  # one bad page must not stop the run
        log.debug("extract failed on %s", item.path, exc_info=True)
        return Drop(item.path, "extract_error", f"{type(exc).__name__}: {exc}")
    if annotate is None or not isinstance(article, Article):
        return article
    from .brief.annotate import annotate_articles

    try:
        return annotate_articles([article], annotate)[0]
    except Exception:
        log.warning("entities not found at ingest for %s; its brief will look for them", item.path, exc_info=True)
        return article


def preload(entities: bool) -> None:
    """Import the extraction stage (and, with ``entities``, the briefs and the entity model) in this process.

    Called before a forking executor (``LocalExecutor.forks``) starts its workers: they then start with all of it
    loaded, instead of each worker of each phase loading it again (~3 CPU-s a worker). The stage modules are
    imported by name: ``newsfuse.extract`` and ``newsfuse.brief`` are also the package's API functions, and
    ``from . import brief`` would return the function without importing the module (and scikit-learn with it);
    ``newsfuse.brief`` loads its names lazily, so its ``build`` module is imported itself."""
    import_module("newsfuse.extract")
    if entities:
        import_module("newsfuse.brief.build")
        from .nlp.model import load_model

        load_model()


class ExtractStep(Step[Page | Drop, Article | Drop]):
    """Pages to articles through an executor; Drops pass through so they are counted once, at the end."""

    name = "extract"

    def __init__(self, config: ExtractConfig, executor: Executor | None = None,
                 annotate: BriefConfig | None = None) -> None:
        super().__init__()
        self.config, self.executor, self.annotate = config, executor or LocalExecutor(), annotate

    def run(self, items: Iterable[Page | Drop]) -> Iterator[Article | Drop]:
        if getattr(self.executor, "forks", False):
            preload(self.annotate is not None)
        for out in self.executor.map(partial(_extract_one, config=self.config, annotate=self.annotate), items):
            self.counters["dropped" if isinstance(out, Drop) else "articles"] += 1
            yield out


def read_inputs(inputs: Sequence[str | Path], config: Config = Config(), fetcher: Any = None,
                state: Any = None) -> Iterator[Page | Drop]:
    """Pages from files and folders, and from page URLs, feed URLs and ``.urls`` files (one URL a line),
    which need a ``newsfuse.ingest.http.Fetcher``."""
    from .ingest import read_paths
    from .ingest.urls import is_url

    urls = [str(i) for i in inputs if is_url(str(i)) or str(i).endswith(".urls")]
    paths = [i for i in inputs if str(i) not in urls]
    yield from read_paths(paths, config.ingest)
    if urls:
        if fetcher is None:
            from .ingest.http import Fetcher

            fetcher = Fetcher()
        from .ingest.urls import read_urls

        yield from read_urls(urls, fetcher, state, state)


def read_articles(items: Iterable[Page | Drop], config: Config = Config(),
                  executor: Executor | None = None, annotate: bool = False) -> Iterator[Article | Drop]:
    """Extract every page: each yields an Article or a Drop with its reason (and, with ``annotate``, articles
    carry their entities, found with ``config.brief``)."""
    yield from ExtractStep(config.extract, executor, config.brief if annotate else None).run(items)


def read_sharded(inputs: Sequence[str | Path], config: Config, executor: Any,
                 annotate: bool = False) -> Iterator[Article | Drop]:
    """Files read and extracted on the workers of an executor with ``map_shards``, shard by shard, in order:
    the same articles and Drops as ``read_articles(read_inputs(...))``."""
    from .ingest.shards import plan_shards

    fn = partial(_shard_one, config=config, annotate=config.brief if annotate else None)
    for out in executor.map_shards(fn, plan_shards(list(inputs), config.ingest)):
        yield from out


def _shard_one(shard: Any, config: Config, annotate: BriefConfig | None) -> list[Article | Drop]:
    """Module-level so workers can unpickle it: one shard read and extracted (a Drop passes through)."""
    if isinstance(shard, Drop):
        return [shard]
    from .ingest.shards import read_shard

    out: list[Article | Drop] = []
    try:
        for page in read_shard(shard, config.ingest):
            out.append(_extract_one(page, config.extract, annotate))
    except Exception as exc:  # a reader surprise: keep what the shard gave so far, report the rest
        log.debug("reading %s failed", shard.path, exc_info=True)
        out.append(Drop(shard.path, "read_error", f"{type(exc).__name__}: {exc}"[:300]))
    return out


def publish_order(article: Article) -> tuple[bool, datetime, str]:
    """Sort key: dated articles first, oldest first; undated after them; ties broken by id."""
    return _publish_key(article.id, article.published)


def _publish_key(article_id: str, published: datetime | None) -> tuple[bool, datetime, str]:
    return (published is None, published or datetime.max.replace(tzinfo=timezone.utc), article_id)


class RunStore(Protocol):
    """What the runner needs of a store (SqliteStore and PostgresStore provide it)."""

    def transaction(self) -> Any: ...
    def exclusive(self) -> Any: ...
    def has_article(self, article_id: str) -> bool: ...
    def add_article(self, article: Article) -> bool: ...
    def articles(self, ids: Iterable[str] | None = None) -> list[Article]: ...
    def add_duplicate(self, link: Duplicate, state: bytes | None = None) -> None: ...
    def duplicates(self) -> dict[str, Duplicate]: ...
    def dedup_states(self) -> Iterator[tuple[str, bytes]]: ...
    def set_story(self, article_id: str, story_id: str, published: datetime | None) -> None: ...
    def story_of(self, article_id: str) -> str | None: ...
    def story_ids(self) -> list[str]: ...
    def story_members(self, story_id: str) -> list[str]: ...
    def set_brief(self, brief: Brief) -> None: ...
    def cluster_state(self) -> bytes | None: ...
    def related_stale(self) -> list[str]: ...
    def set_related(self, links: dict[str, list[tuple[str, float]]]) -> None: ...
    def related(self, story_id: str, limit: int = 5) -> list[tuple[str, float]] | None: ...
    def resolve_story(self, story_id: str) -> str: ...
    def set_cluster_state(self, state: bytes | None) -> None: ...
    def pending_dedup(self) -> list[Article]: ...
    def pending_cluster(self) -> list[Article]: ...
    def pending_ids(self, phase: str) -> list[tuple[str, datetime | None]]: ...
    def run_in_transaction(self, body: Callable[[], T]) -> T: ...
    def run_exclusive(self, body: Callable[[], T], wait: float) -> T: ...
    def connection_lost(self) -> bool: ...
    def stale_briefs(self) -> list[str]: ...
    def start_run(self, config: dict[str, Any], inputs: list[str]) -> int: ...
    def finish_run(self, run_id: int, counts: dict[str, int]) -> None: ...
    def add_failure(self, run_id: int, drop: Drop) -> None: ...
    def count(self, table: str) -> int: ...


@dataclass
class RunReport:
    documents: int = 0
    articles: int = 0  # new articles stored by this run
    unchanged: int = 0  # articles already in the store
    duplicates: int = 0  # new articles that copy another
    stories: int = 0  # stories in the store after the run
    stories_touched: int = 0
    failures: list[Drop] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)  # by reason
    alerts_sent: int = 0  # webhook notifications delivered (newsfuse.alerts)
    alerts_failed: int = 0  # and not delivered: sent again next run
    alert_errors: list[str] = field(default_factory=list)  # one line per failed webhook host

    def counts(self) -> dict[str, int]:
        return {"documents": self.documents, "articles": self.articles, "unchanged": self.unchanged,
                "duplicates": self.duplicates, "stories": self.stories, "stories_touched": self.stories_touched,
                "failures": len(self.failures), "alerts_sent": self.alerts_sent, "alerts_failed": self.alerts_failed}

    def summary_line(self) -> str:
        alerts = (f", {self.alerts_sent} alerts sent ({self.alerts_failed} failed)"
                  if self.alerts_sent or self.alerts_failed else "")
        return (f"{self.documents} documents read, {self.articles} articles stored ({self.unchanged} already "
                f"stored), {self.duplicates} duplicates, {self.stories} stories ({self.stories_touched} updated), "
                f"{len(self.failures)} failures{alerts}")


class Runner:
    """The whole pipeline into a store: read, extract, store, dedup, cluster, brief.

    Each phase commits in its own transactions, so a failure late in a run keeps what earlier phases stored,
    and a rerun on the same input finds every article already stored and changes nothing.
    """

    def __init__(self, store: RunStore, config: Config = Config(), executor: Executor | None = None,
                 on_progress: Callable[[str, int], None] | None = None, commit_every: int = 200,
                 notifier: Any = None) -> None:
        self.store, self.config, self.executor = store, config, executor or LocalExecutor()
        self.on_progress = on_progress or (lambda stage, n: None)
        self.commit_every = commit_every
        self.notifier = notifier  # how alerts' webhooks are called (newsfuse.alerts.WebhookNotifier by default)

    def run(self, inputs: Sequence[str | Path], fetcher: Any = None, state: Any = None) -> RunReport:
        """Files, folders and URLs (see ``read_inputs``) through the whole pipeline.

        With an executor that reads on its workers (one with ``map_shards``, e.g. Ray), files are split into
        shards that the workers read and extract themselves (``read_sharded``); URLs are fetched here."""
        label = [str(i) for i in inputs]
        if not hasattr(self.executor, "map_shards"):
            return self.run_items(read_inputs(inputs, self.config, fetcher, state), label)
        from .ingest.urls import is_url

        paths = [i for i in inputs if not (is_url(str(i)) or str(i).endswith(".urls"))]
        urls = [i for i in inputs if i not in paths]
        pages = read_inputs(urls, self.config, fetcher, state) if urls else iter(())
        return self._run(chain(read_sharded(paths, self.config, self.executor, self.config.brief.annotate),
                               self._extracted(pages)), label)

    def run_items(self, items: Iterable[Page | Drop], label: list[str]) -> RunReport:
        """Pages (and Drops to report) through extract, store, dedup, cluster and brief."""
        return self._run(self._extracted(items), label)

    def _extracted(self, items: Iterable[Page | Drop]) -> Iterator[Article | Drop]:
        return read_articles(items, self.config, self.executor, annotate=self.config.brief.annotate)

    def _run(self, articles: Iterable[Article | Drop], label: list[str]) -> RunReport:
        report = RunReport()
        run_id = self.store.start_run(self.config.to_dict(), label)
        self._ingest(articles, run_id, report)
        # Each phase takes what the store says is pending, not just this run's articles: work that a killed run
        # left half-done (stored but not linked, linked but not clustered, briefs not rebuilt) is finished here.
        # Another run writing the same store at once waits here (and this one for it): each phase reads state
        # the previous ones saved, so two runs interleaving them would link, place or brief against stale state.
        stale: set[str] = set()  # every attempt's: an attempt lost midway has rebuilt some briefs already
        self._retried(lambda: self._phases(run_id, report, stale))
        touched = sorted(stale)
        report.stories = self.store.count("stories")
        report.stories_touched = len(touched)
        self._retried(lambda: self._alert(touched, report))
        self.store.finish_run(run_id, report.counts())
        return report

    def _phases(self, run_id: int, report: RunReport, stale: set[str]) -> None:
        """Dedup, story grouping and briefs of what is pending; adds the stories whose briefs were stale."""
        # Both phases read the pending articles a part of PHASE_ARTICLES at a time, oldest first, and commit each
        # part: memory follows the part, not the input (one large file through `run`). The story assigner keeps
        # the state it loaded across the parts, so analyst edits wait for this lock too (``store.edits``).
        with self.store.exclusive():
            self._dedup(self._pending("dedup"), report)
            self._cluster(self._pending("cluster"), self.store.duplicates())
            touched = self.store.stale_briefs()
            stale.update(touched)
            self._brief(set(touched), run_id, report)

    PHASE_RETRIES = 2  # times the phases start again after the store's connection was lost (a server store)

    def _retried(self, phases: Callable[[], T]) -> T:
        """``phases()``, started again when the store lost its connection inside: each phase commits a part at a
        time and takes what the store says is pending, so the new attempt goes on from the last commit, under the
        run lock taken again on a new connection. The loss is logged in one line; after PHASE_RETRIES it fails."""
        for attempt in range(self.PHASE_RETRIES + 1):
            try:
                return phases()
            except Exception as exc:
                if attempt == self.PHASE_RETRIES or not self.store.connection_lost():
                    raise
                log.warning("lost the store's connection; going on from what was committed: %s",
                            str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        raise AssertionError("unreachable")

    def _alert(self, touched: list[str], report: RunReport) -> None:
        """Notify the alerts the touched stories match; what is owed is recorded first, so a notification that
        fails here is sent by the next run."""
        from .alerts import notify

        with self.store.exclusive():  # two runs at once take turns, so an owed notification is sent by one
            outcome = notify(self.store, touched, self.notifier)
        report.alerts_sent, report.alerts_failed = outcome.sent, outcome.failed
        report.alert_errors = outcome.errors

    def _ingest(self, articles: Iterable[Article | Drop], run_id: int, report: RunReport) -> None:
        """Store every new article, committing in batches; each failure is recorded and the run goes on."""
        batch: list[Article | Drop] = []
        for item in articles:
            report.documents += 1
            self.on_progress("read", report.documents)
            batch.append(item)
            if len(batch) >= self.commit_every:
                self._store_batch(batch, run_id, report)
                batch = []
        self._store_batch(batch, run_id, report)

    def _store_batch(self, batch: list[Article | Drop], run_id: int, report: RunReport) -> None:
        # Articles go in by id: two runs storing overlapping batches at once then lock rows in one order, so one
        # waits for the other instead of the two deadlocking (a server store; SQLite has one writer at a time).
        ordered = [i for i in batch if isinstance(i, Drop)] + sorted((i for i in batch if isinstance(i, Article)),
                                                                       key=lambda a: a.id)

        def write() -> tuple[int, int, list[Drop]]:
            # Run again from its start on a new connection if a server store drops it before the commit: so it
            # keeps nothing but what it returns, and the report counts the attempt that committed.
            added, unchanged, failed = 0, 0, []
            for item in ordered:
                drop = item if isinstance(item, Drop) else None
                if drop is None:
                    try:
                        new = self.store.add_article(item)
                    except (sqlite3.Error, UnicodeError, ValueError) as exc:  # a record the store cannot hold
                        drop = Drop(item.path or item.id, "store_error", f"{type(exc).__name__}: {exc}"[:300])
                    else:
                        added, unchanged = added + new, unchanged + (not new)
                        continue
                self.store.add_failure(run_id, drop)
                failed.append(drop)
            return added, unchanged, failed

        added, unchanged, failed = self.store.run_in_transaction(write)
        report.articles += added
        report.unchanged += unchanged
        for drop in failed:
            self._report_failure(drop, report)

    @staticmethod
    def _report_failure(drop: Drop, report: RunReport) -> None:
        """Count and log a failure the store has recorded (after its commit, so a batch run again counts once)."""
        log.warning("skipped %s", drop)
        report.failures.append(drop)
        report.dropped[drop.reason] += 1

    PHASE_ARTICLES = 5_000  # pending articles a dedup or cluster part reads at once (the assigner's run size)

    def _pending(self, phase: str) -> Iterator[list[Article]]:
        """The articles pending ``phase`` ("dedup" or "cluster") in published order, ``PHASE_ARTICLES`` at a
        time; only their ids and dates are read up front."""
        ids = [i for i, _ in sorted(self.store.pending_ids(phase), key=lambda row: _publish_key(*row))]
        for start in range(0, len(ids), self.PHASE_ARTICLES):
            articles = self.store.articles(ids[start:start + self.PHASE_ARTICLES])
            if articles:
                yield articles

    def _dedup(self, parts: Iterable[list[Article]], report: RunReport) -> None:
        """Link each part's articles to what the store and the parts before hold; a part commits at once."""
        from .dedup import Deduplicator

        dedup: Deduplicator | None = None
        done = 0
        for new in parts:
            if dedup is None:
                dedup = Deduplicator(self.config.dedup)
                dedup.load(self.store.dedup_states())
            links: dict[str, Duplicate] = {}
            with self.store.transaction():
                for article in new:
                    links[article.id] = dedup.add(article)
                    self.store.add_duplicate(links[article.id], dedup.export_state(article.id))
                    done += 1
                    self.on_progress("dedup", done)
                # An article older than a group's stored original becomes the original: the group re-points.
                for link in dedup.repointed():
                    self.store.add_duplicate(link, dedup.export_state(link.id))
            report.duplicates += sum(links[a.id].duplicate_of is not None for a in new)

    def _cluster(self, parts: Iterable[list[Article]], links: dict[str, Duplicate]) -> None:
        """Place each part's articles together (batch similarity), with the stored stories as fixed seeds.

        The assigner's state is saved with each part's memberships in one transaction; without a saved state (a
        new store, or one whose stories were edited) it is rebuilt once from the stored stories' articles."""
        from .cluster import StoryAssigner

        assigner: StoryAssigner | None = None
        done = 0
        for new in parts:
            if assigner is None:
                assigner = StoryAssigner(self.config.cluster)
                state = self.store.cluster_state()
                if state is not None:
                    assigner.load_state(state)
                else:
                    assigner.load(self._stored_stories())
            copy_of = {a.id: links[a.id].duplicate_of for a in new if links[a.id].duplicate_of}
            copy_of_story = {i: s for i, o in copy_of.items() if (s := self.store.story_of(o))}
            stories = assigner.assign_many(new, copy_of_story=copy_of_story, copy_of=copy_of)
            self._merge_held(assigner.merged)
            with self.store.transaction():
                for article in new:
                    self.store.set_story(article.id, stories[article.id], article.published)
                    done += 1
                    self.on_progress("cluster", done)
                self.store.set_cluster_state(assigner.export_state())
                # set_story and the merges marked every story this part changed; edits may have marked others.
                self.store.set_related(assigner.related(self.store.related_stale(), limit=RELATED_KEPT))

    def _merge_held(self, merged: dict[str, str]) -> None:
        """Apply the assigner's merges of held stories (``cluster.merge_held``) as an analyst's merge would be:
        the alias's articles move to the kept story, and the alias resolves to it. Each merge is its own
        transaction, under the run lock this run holds already; one interrupted before the memberships are saved
        leaves the stored stories consistent, and the next run rebuilds the assigner from them."""
        from .store.edits import merge_stories

        for alias, kept in sorted(merged.items()):
            if self.store.resolve_story(alias) != self.store.resolve_story(kept):
                merge_stories(self.store, kept, alias)

    def _stored_stories(self) -> Iterator[tuple[str, list[Article]]]:
        return stored_stories(self.store)

    def _brief(self, touched: set[str], run_id: int, report: RunReport) -> None:
        """Rebuild the touched stories' briefs through the executor (stories are independent); each is stored
        as it arrives, so a run stopped here keeps the briefs already built and rebuilds only the rest."""
        links = self.store.duplicates()
        if touched and getattr(self.executor, "forks", False):
            preload(entities=True)

        def jobs() -> Iterator[tuple[str, list[Article], dict[str, str | None], BriefConfig]]:
            for story in sorted(touched):
                ids = self.store.story_members(story)[-self.config.brief.max_articles:]
                lineage = {i: links[i].duplicate_of for i in ids if i in links}
                yield story, self.store.articles(ids), lineage, self.config.brief

        for done, (story, result) in enumerate(self.executor.map(_brief_one, jobs()), start=1):
            with self.store.transaction():
                if isinstance(result, Drop):
                    self.store.add_failure(run_id, result)
                else:
                    self.store.set_brief(result)
            if isinstance(result, Drop):
                self._report_failure(result, report)
            self.on_progress("brief", done)


def _brief_one(job: tuple[str, list[Article], dict[str, str | None], BriefConfig]) -> tuple[str, Brief | Drop]:
    """Module-level so worker processes can pickle it. A brief that fails becomes a Drop, not a lost run."""
    from .brief import build_brief

    story, articles, lineage, config = job
    try:
        return story, build_brief(story, articles, lineage, config)
    except Exception as exc:
        log.debug("brief failed for %s", story, exc_info=True)
        return story, Drop(f"story:{story}", "brief_error", f"{type(exc).__name__}: {exc}")
