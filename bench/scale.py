"""Scale benchmark: articles/s with 1 and 2 workers on each executor, Ray Data vs Ray tasks, and driver memory.

Run: .venv/bin/python bench/scale.py [--pages N]         executors: local and ray, 1 and 2 workers (N = 300)
     .venv/bin/python bench/scale.py --ray-data [--pages N]   also Ray tasks vs Ray Data (from_items +
                                                              map_batches, ordered) on 80 pages, interleaved
     .venv/bin/python bench/scale.py --memory [--articles N]  driver state: dedup and cluster, N = 100,000

Executors: the WCXB dev article pages (../shared/data/extraction/wcxb-dev), html decoded beforehand, go through
``read_articles`` (the per-article stage: extraction, which is what executors distribute) and then through the
whole ``Runner`` into a fresh SQLite store (files on disk, so reading counts). Ray start-up is timed apart and
not counted in the rates: a long-running service pays it once.
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
import pickle
import resource
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta, timezone
from functools import partial
from itertools import islice
from pathlib import Path

import numpy as np

from newsfuse.config import ClusterConfig, Config, DedupConfig
from newsfuse.executors import Executor, LocalExecutor, RayExecutor
from newsfuse.pipeline import Runner, _extract_one, read_articles
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

def _apply_blobs(fn: Callable, batch: dict) -> dict:
    return {"blob": np.array([pickle.dumps(fn(pickle.loads(b))) for b in batch["blob"]], dtype=object)}


class RayDataExecutor:
    """The Ray Data alternative, for the comparison only: one ordered dataset per window of items."""

    name = "ray-data"

    def __init__(self, batch: int = 16, window: int = 1024) -> None:
        self.batch, self.window = batch, window

    def map(self, fn: Callable, items: Iterable) -> Iterator:
        import ray

        ray.data.DataContext.get_current().execution_options.preserve_order = True
        ray.data.DataContext.get_current().enable_progress_bars = False
        iterator = iter(items)
        while chunk := list(islice(iterator, self.window)):
            ds = ray.data.from_items([{"blob": pickle.dumps(x)} for x in chunk])
            ds = ds.map_batches(partial(_apply_blobs, fn), batch_size=self.batch, batch_format="numpy")
            for row in ds.iter_rows():
                yield pickle.loads(row["blob"])


def extract_rate(pages: list[Page], executor: Executor) -> float:
    start = time.perf_counter()
    n = sum(1 for _ in read_articles(pages, Config(), executor))
    return n / (time.perf_counter() - start)


def runner_rate(folder: Path, n: int, executor: Executor) -> float:
    from newsfuse.nlp.model import clear_cache

    clear_cache()  # else a later run finds the entities of the same pages cached by an earlier one
    with tempfile.TemporaryDirectory() as tmp, SqliteStore(Path(tmp) / "bench.db") as store:
        start = time.perf_counter()
        Runner(store, Config(), executor).run([folder])
        return n / (time.perf_counter() - start)


def executors(limit: int, ray_data: bool) -> None:
    raw = article_pages(limit)
    pages = as_pages(raw)
    print(f"{len(pages)} WCXB dev article pages; rates are articles/s, wall clock")
    print(f"{'executor':<10} {'workers':>7} {'extract':>9} {'whole run':>10}   note")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        for name, data in raw:
            (folder / f"{name}.html").write_bytes(data)
        warm = Path(tmp) / "warm-up"
        warm.mkdir()
        for name, data in raw[:5]:
            (warm / f"{name}.html").write_bytes(data)
        list(map(partial(_extract_one, config=Config().extract), pages[:5]))  # warm-up: imports, patterns
        runner_rate(warm, 5, LocalExecutor(1))  # and the other stages' models (NER for briefs), loaded once
        for workers in (1, 2):
            executor = LocalExecutor(workers, min_parallel=1)
            print(f"{'local':<10} {workers:>7} {extract_rate(pages, executor):9.1f} "
                  f"{runner_rate(folder, len(pages), executor):10.1f}", flush=True)
        for workers in (1, 2):
            start = time.perf_counter()
            with RayExecutor(num_cpus=workers) as executor:
                started = time.perf_counter() - start
                list(executor.map(square, range(workers * 4)))  # start the workers: not counted
                note = f"ray start-up {started:.1f} s"
                print(f"{'ray':<10} {workers:>7} {extract_rate(pages, executor):9.1f} "
                      f"{runner_rate(folder, len(pages), executor):10.1f}   {note}", flush=True)
                if ray_data and workers == 2:
                    compare_ray_data(pages[:80], executor)


def compare_ray_data(pages: list[Page], tasks: RayExecutor) -> None:
    """Extraction through Ray tasks (several batch sizes) and Ray Data, interleaved, two rounds."""
    data = RayDataExecutor(batch=16)
    list(data.map(square, range(8)))
    print(f"Ray tasks vs Ray Data, extraction of {len(pages)} pages on the same 2-CPU Ray, interleaved (pages/s):")
    for round_ in (1, 2):
        rates = []
        for batch in (4, 8, 16, 32):
            tasks.batch = batch
            rates.append(f"tasks/{batch} {extract_rate(pages, tasks):5.1f}")
        rates.append(f"ray-data {extract_rate(pages, data):5.1f}")
        print(f"  round {round_}: " + "  ".join(rates), flush=True)
    tasks.batch = 16


def square(x: int) -> int:
    return x * x


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
    parser.add_argument("--ray-data", action="store_true", help="also compare Ray tasks with Ray Data")
    parser.add_argument("--memory", action="store_true", help="driver memory instead of executor rates")
    parser.add_argument("--articles", type=int, default=100_000, help="synthetic articles for --memory: dedup")
    parser.add_argument("--cluster-articles", type=int, default=10_000,
                        help="synthetic articles for --memory: cluster (slower, so fewer by default)")
    args = parser.parse_args()
    if args.memory:
        memory(args.articles, min(args.articles, args.cluster_articles))
    else:
        executors(args.pages, args.ray_data)


if __name__ == "__main__":
    main()
