"""Scale benchmark: articles/s with 1 and 2 workers on each executor (Ray Data and Ray tasks), and driver memory.

Run: .venv/bin/python bench/scale.py [--pages N] [--ray-tasks]   executors: local and ray, 1 and 2 workers (N = 300)
     .venv/bin/python bench/scale.py --memory [--articles N]     driver state: dedup and cluster, N = 100,000

Executors: the WCXB dev article pages (../shared/data/extraction/wcxb-dev), written as .html files, go through
the whole ``Runner.run`` into a fresh SQLite store, as ``newsfuse run`` does: with ``local``, the driver reads the
pages and worker processes extract and annotate them; with ``ray``, the driver plans shards and Ray Data reads,
extracts and annotates them on the workers (``--ray-tasks``: also the same shards as plain Ray tasks,
``RayExecutor(shards="tasks")``). Dedup and clustering run on the driver; briefs go through the executor. Per run:
articles/s wall, the CPU seconds of the whole process tree (driver, its worker processes and, for Ray, its
workers and services: raylet, GCS; read from /proc), the wall seconds of the per-article phase (read, extract,
annotate, store) and of the brief phase, and the load average (the machine may be shared). The entity cache is
cleared before each run. Ray start-up is timed apart and not counted in the rates: a long-running service pays
it once. Each configuration runs ``--rounds`` times (default 1), interleaved with the others.
Memory (and store): synthetic 400-word articles (vocabulary and word frequencies of the allsides docs, 5% edited copies)
go one by one through ``Deduplicator.add`` and, separately, ``StoryAssigner.assign``; the driver's RSS growth
per article, measured at N and extrapolated linearly to a million (both structures grow linearly: one
fingerprint per article, one posting per article and term), with the add/assign rate at the end of the run
(cluster slows down as it grows, so it runs on fewer articles; see bench/README.md); then the SQLite write rate
of the same articles as the Runner writes them. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import resource
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np

from newsfuse.config import ClusterConfig, Config, DedupConfig
from newsfuse.executors import LocalExecutor, RayExecutor
from newsfuse.pipeline import Runner
from newsfuse.records import Article, Page
from newsfuse.store import SqliteStore

SHARED = Path(__file__).resolve().parents[2] / "shared"
WCXB = SHARED / "data" / "extraction" / "wcxb-dev"
ALLSIDES = SHARED / "data" / "stories" / "allsides-roundups.jsonl"


def article_pages(limit: int) -> list[tuple[str, bytes]]:
    """(file id, raw html bytes) of the first ``limit`` WCXB dev pages whose primary type is article."""
    out = []
    for truth in sorted((WCXB / "ground-truth").glob("*.json")):
        if (json.loads(truth.read_text()).get("_internal") or {}).get("page_type", {}).get("primary") == "article":
            out.append((truth.stem, gzip.decompress((WCXB / "html" / f"{truth.stem}.html.gz").read_bytes())))
            if len(out) == limit:
                break
    return out


def as_pages(raw: list[tuple[str, bytes]]) -> list[Page]:
    from newsfuse.ingest.files import read_html

    return [read_html(name, data) for name, data in raw]


def rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize()


# --- executors ---------------------------------------------------------------------------------------------

def tree_cpu() -> dict[int, float]:
    """CPU seconds by process: this one with its waited-for children (key 0), and every live descendant (Ray's
    workers and services, pool workers not yet joined), with theirs."""
    ticks = os.sysconf("SC_CLK_TCK")
    parent, cpu = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        parent[int(entry)] = int(fields[1])
        cpu[int(entry)] = sum(int(f) for f in fields[11:15]) / ticks  # utime, stime, cutime, cstime
    mine, queue = {}, [os.getpid()]
    while queue:
        pid = queue.pop()
        for child in (c for c, p in parent.items() if p == pid):
            mine[child] = cpu[child]
            queue.append(child)
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    mine[0] = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    return mine


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two ``tree_cpu`` readings (a process that ended unwaited-for in between is lost)."""
    return sum(max(0.0, seconds - before.get(pid, 0.0)) for pid, seconds in after.items())


class PhaseRunner(Runner):
    """The Runner with the wall seconds of its per-article phase and of its brief phase recorded."""

    def _ingest(self, *args: Any) -> None:
        start = time.perf_counter()
        super()._ingest(*args)
        self.ingest_wall = time.perf_counter() - start

    def _brief(self, *args: Any) -> None:
        start = time.perf_counter()
        super()._brief(*args)
        self.brief_wall = time.perf_counter() - start


def run_once(folder: Path, executor: Any) -> tuple[float, float, PhaseRunner, Any]:
    """One ``Runner.run`` over ``folder`` into a fresh store: wall seconds, CPU seconds of the process tree."""
    from newsfuse.nlp.model import clear_cache

    clear_cache()  # else a later run finds the entities of the same pages cached by an earlier one
    with tempfile.TemporaryDirectory() as tmp, SqliteStore(Path(tmp) / "bench.db") as store:
        runner = PhaseRunner(store, Config(), executor)
        cpu, wall = tree_cpu(), time.perf_counter()
        report = runner.run([folder])
        wall, cpu = time.perf_counter() - wall, cpu_spent(cpu, tree_cpu())
    return wall, cpu, runner, report


def show(label: str, workers: int, n: int, folder: Path, executor: Any, note: str = "") -> None:
    load = os.getloadavg()[0]
    wall, cpu, runner, report = run_once(folder, executor)
    print(f"{label:<10} {workers:>7} {n / wall:9.2f} {cpu:8.1f} {n / cpu:9.2f} {runner.ingest_wall:9.1f} "
          f"{runner.brief_wall:7.1f}   {load:4.1f}-{os.getloadavg()[0]:4.1f}  {report.articles} articles, "
          f"{report.stories} stories {note}", flush=True)


def executors(limit: int, rounds: int, ray_tasks: bool) -> None:
    logging.getLogger("newsfuse").setLevel(logging.ERROR)  # skipped pages are counted by the runs
    logging.getLogger("ray.data").setLevel(logging.WARNING)  # one line per dataset otherwise
    raw = article_pages(limit + 5)
    raw, spare = raw[:limit], raw[limit:]
    print(f"{len(raw)} WCXB dev article pages through Runner.run; {os.cpu_count()} CPUs; per run: articles/s wall, "
          "CPU-s of the process tree, articles per CPU-s, wall s of the per-article and brief phases, load average")
    print(f"{'executor':<10} {'workers':>7} {'art/s':>9} {'CPU-s':>8} {'art/CPU-s':>9} {'per-art s':>9} "
          f"{'brief s':>7}   load")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        for name, data in raw:
            (folder / f"{name}.html").write_bytes(data)
        warm = Path(tmp) / "warm-up"  # other pages: workers keep their entity cache from one run to the next
        warm.mkdir()
        for name, data in spare:
            (warm / f"{name}.html").write_bytes(data)
        run_once(warm, LocalExecutor(1))  # imports and models in the driver, which the local workers inherit
        kinds = ("data", "tasks") if ray_tasks else ("data",)
        for _ in range(rounds):
            for workers in (1, 2):
                show("local", workers, len(raw), folder, LocalExecutor(workers, min_parallel=1))
            for workers in (1, 2):
                for kind in kinds:  # a fresh Ray each time: its workers' entity caches start empty
                    start = time.perf_counter()
                    with RayExecutor(num_cpus=workers, shards=kind) as executor:
                        note = f"(ray start-up {time.perf_counter() - start:.1f} s"
                        start = time.perf_counter()
                        run_once(warm, executor)  # start the workers and load their models: not counted
                        note += f", warm-up {time.perf_counter() - start:.1f} s)"
                        show(f"ray-{kind}", workers, len(raw), folder, executor, note)


# --- driver memory -----------------------------------------------------------------------------------------

def synthetic(n: int, words: int = 400, seed: int = 1) -> Iterator[Article]:
    """n dated news-like articles from the allsides vocabulary: a story every 5 articles on average, each story
    with its own 40 topic words (a quarter of every body, most of its titles), stories interleaved over a
    window of 200, and 5% of articles edited copies of a recent one. Dated 10 million a day apart."""
    counts: dict[str, int] = {}
    for line in ALLSIDES.read_text().splitlines():
        for doc in json.loads(line)["docs"]:
            for word in doc["text"].split():
                counts[word] = counts.get(word, 0) + 1
    vocab = np.array(list(counts), dtype=object)
    cdf = np.cumsum(np.array(list(counts.values()), dtype=float))
    cdf /= cdf[-1]
    rng = np.random.default_rng(seed)
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    recent: list[list[str]] = []
    for i in range(n):
        if recent and rng.random() < 0.05:
            body = list(recent[rng.integers(len(recent))])
            for at in rng.integers(0, len(body), 8):
                body[at] = "edited"
            title = " ".join(body[:8])
        else:
            story = int(rng.integers(max(0, i // 5 - 200), i // 5 + 1))
            topic = vocab[np.random.default_rng([seed, story]).integers(0, len(vocab), 40)]
            body = vocab[np.searchsorted(cdf, rng.random(words))].tolist()
            for at, word in zip(rng.integers(0, words, words // 4), rng.choice(topic, words // 4)):
                body[at] = word
            title = " ".join(rng.choice(topic, 6).tolist() + vocab[np.searchsorted(cdf, rng.random(2))].tolist())
            if i % 10 == 0:
                recent = (recent + [body])[-1000:]
        yield Article(id=f"{i:016x}", text=" ".join(body), title=title,
                      published=start + timedelta(seconds=i * 86_400 / 10_000_000))


def grow(label: str, n: int, add: Callable[[Article], object], articles: Iterable[Article]) -> None:
    """Add every article; RSS growth per article, and rates per CPU second overall and over the last tenth."""
    before, start, last = rss(), time.process_time(), time.process_time()
    tail = max(1, n // 10)
    for i, article in enumerate(articles, start=1):
        add(article)
        if i == n - tail:
            last = time.process_time()
        if i % max(1, n // 5) == 0:
            print(f"  {label} {i:>9,}  RSS +{(rss() - before) / 2**20:,.0f} MiB  "
                  f"{i / (time.process_time() - start):,.0f}/CPU-s so far", flush=True)
    spent, grown = time.process_time() - start, rss() - before
    print(f"{label:<8} {n:>9,} articles: {n / spent:7,.0f}/CPU-s overall, {tail / (time.process_time() - last):7,.0f}"
          f"/CPU-s over the last {tail:,}; RSS +{grown / 2**20:,.0f} MiB = {grown / n:,.0f} B/article "
          f"-> {grown / n * 1e6 / 2**30:.1f} GiB per million (linear extrapolation)", flush=True)


def memory(n: int, n_cluster: int) -> None:
    from newsfuse.cluster import StoryAssigner
    from newsfuse.dedup import Deduplicator

    print(f"driver state on synthetic 400-word articles (5% edited copies), measured at {n:,} (cluster "
          f"{n_cluster:,})")
    articles = list(synthetic(n))  # built first so their own memory is not counted
    # Cluster first, and both kept alive: memory freed by one would be reused by the next and hide its growth.
    assigner = StoryAssigner(ClusterConfig())
    grow("cluster", n_cluster, assigner.assign, articles[:n_cluster])
    print(f"cluster: {len(assigner):,} stories held; counts {dict(assigner.counts)}")
    dedup = Deduplicator(DedupConfig())
    grow("dedup", n, dedup.add, articles)
    state = np.mean([len(dedup.export_state(a.id)) for a in articles[:: max(1, n // 1000)]])
    print(f"dedup state stored per article (export_state): {state:,.0f} B; relations {dict(dedup.counts)}")
    store_rate(articles)


def store_rate(articles: list[Article], every: int = 200) -> None:
    """SQLite writes per article as the Runner makes them (article, lineage link with dedup state, story),
    committed every ``every`` articles, into a fresh file store (WAL)."""
    from newsfuse.records import Duplicate

    state = bytes(1_300)  # the size of a typical export_state
    with tempfile.TemporaryDirectory() as tmp, SqliteStore(Path(tmp) / "bench.db") as store:
        cpu, wall = time.process_time(), time.perf_counter()
        for first in range(0, len(articles), every):
            with store.transaction():
                for article in articles[first:first + every]:
                    store.add_article(article)
                    store.add_duplicate(Duplicate(article.id, None, "original", 1.0), state)
                    store.set_story(article.id, "s" + article.id[:12], article.published)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        size = sum(f.stat().st_size for f in Path(tmp).iterdir())
    print(f"store    {len(articles):>9,} articles (+ link, dedup state, story row): {len(articles) / cpu:7,.0f}/CPU-s, "
          f"{len(articles) / wall:7,.0f}/s wall; {size / len(articles):,.0f} B/article on disk", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300, help="WCXB article pages for the executor rates")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each executor, interleaved")
    parser.add_argument("--ray-tasks", action="store_true", help="also the Ray shards as plain Ray tasks")
    parser.add_argument("--memory", action="store_true", help="driver memory instead of executor rates")
    parser.add_argument("--articles", type=int, default=100_000, help="synthetic articles for --memory: dedup")
    parser.add_argument("--cluster-articles", type=int, default=10_000,
                        help="synthetic articles for --memory: cluster (slower, so fewer by default)")
    args = parser.parse_args()
    if args.memory:
        memory(args.articles, min(args.articles, args.cluster_articles))
    else:
        executors(args.pages, args.rounds, args.ray_tasks)


if __name__ == "__main__":
    main()
