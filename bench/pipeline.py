"""End-to-end benchmark: articles/s of the whole pipeline from html and from text, each stage's share, and plain
``trafilatura.extract`` on the same pages in the same run as the yardstick.

Run: .venv/bin/python bench/pipeline.py [--pages N] [--rounds R] [--only-html] [--article-ner-words W]
     .venv/bin/python bench/pipeline.py --language [--per-language N]
N WCXB dev article pages (default 300; 0 = all 791); R runs of the default executor (default 3), each compared
with trafilatura timed right before and right after it, since the machine's speed drifts between minutes.
On a machine whose environment forces an older OpenBLAS kernel (OPENBLAS_CORETYPE, see bench/README.md), run it
as ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/pipeline.py``; it prints the kernel.

Inputs, written to a temporary folder so reading counts: the WCXB dev article pages (../shared/data/extraction/
wcxb-dev, ground truth ``_internal.page_type.primary == "article"``) as .html files; the same pages rendered to
text (``extract.evaluate.render_text``: what a scraper saves) as .txt files; and the 921 allsides docs as one
JSONL of article objects (clean text, so no extraction: the global stages on short news). Each input goes
through ``Runner`` with the ``SerialExecutor`` into a fresh SQLite store, so every stage runs in this process and
its CPU time is measurable: read (the reader's iterator), extract (the executor's iterator, minus read), store,
dedup, cluster, brief, and other (the pending queries between phases). Rates are per CPU second of this process
(``time.process_time``: other jobs on a shared machine do not count), with wall-clock beside. trafilatura runs on
the same decoded html first, and again around each parallel run. Prints figures; asserts nothing.

``--language``: the cost of an article by language (issue #24: a non-English article at most 1.5x an English one).
N articles of each language of ../shared/data/multilingual/crisis.jsonl (English: Timeline17's; Spanish, French,
Italian: ML-Crisis's raw texts; every k-th of the language in file order, copies filed twice skipped), each language
as one JSON Lines file through the same serial run into a fresh store, twice, in alternating order: CPU ms per
article and per 1,000 words (the languages' articles differ in length), each language's ratio to English.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import json
import logging
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import trafilatura

from newsfuse.config import Config
from newsfuse.config import BriefConfig
from newsfuse.executors import LocalExecutor, SerialExecutor
from newsfuse.extract.evaluate import render_text
from newsfuse.pipeline import Runner
from newsfuse.store import SqliteStore

from scale import ALLSIDES, article_pages  # bench/ is on sys.path when run as a script

STAGES = ("read", "extract", "store", "dedup", "cluster", "brief", "other")


class Clock:
    """CPU and wall seconds spent inside ``with clock("stage"):`` blocks (which may nest), by stage."""

    def __init__(self) -> None:
        self.cpu: Counter[str] = Counter()
        self.wall: Counter[str] = Counter()
        self._open: list[tuple[str, float, float]] = []
        self.driver = 0.0  # CPU seconds of this process over a whole run (the rest is worker processes')

    def __call__(self, stage: str) -> "Clock":
        self._stage = stage
        return self

    def __enter__(self) -> None:
        self._open.append((self._stage, time.process_time(), time.perf_counter()))

    def __exit__(self, *exc: object) -> None:
        stage, cpu, wall = self._open.pop()
        self.cpu[stage] += time.process_time() - cpu
        self.wall[stage] += time.perf_counter() - wall


class TimedRunner(Runner):
    """The Runner with each phase timed (wraps its phase methods: a bench may lean on private names)."""

    def __init__(self, store: Any, clock: Clock, config: Config = Config(), executor: Any = None) -> None:
        super().__init__(store, config, executor or SerialExecutor())
        self.clock = clock

    def _timed_items(self, items: Iterable[Any]) -> Iterator[Any]:
        iterator = iter(items)
        while True:
            with self.clock("read"):
                item = next(iterator, None)
            if item is None:
                return
            yield item

    def _extracted(self, items):
        return super()._extracted(self._timed_items(items))

    def _ingest(self, articles, run_id, report):
        with self.clock("ingest"):
            super()._ingest(articles, run_id, report)

    def _store_batch(self, batch, run_id, report):
        with self.clock("store"):
            super()._store_batch(batch, run_id, report)

    def _dedup(self, new, report):
        with self.clock("dedup"):
            return super()._dedup(new, report)

    def _cluster(self, new, links):
        with self.clock("cluster"):
            return super()._cluster(new, links)

    def _brief(self, touched, run_id, report):
        with self.clock("brief"):
            super()._brief(touched, run_id, report)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_timed(inputs: list[Path], config: Config = Config(), executor: Any = None
              ) -> tuple[Any, Clock, float, float]:
    """One run into a fresh store; CPU is this process's (and that of worker processes, which end with the run)."""
    from newsfuse.nlp.model import clear_cache

    clear_cache()  # the entity cache must not carry the warm-up's pages into a timed run
    clock = Clock()
    with tempfile.TemporaryDirectory() as tmp, SqliteStore(Path(tmp) / "bench.db") as store:
        cpu, wall, workers = time.process_time(), time.perf_counter(), children_cpu()
        report = TimedRunner(store, clock, config, executor).run(inputs)
        clock.driver = time.process_time() - cpu
        cpu, wall = clock.driver + children_cpu() - workers, time.perf_counter() - wall
    for table in (clock.cpu, clock.wall):  # read and store happen inside ingest; the rest is extraction
        table["extract"] = table.pop("ingest") - table["read"] - table["store"]
    clock.cpu["other"] = cpu - sum(clock.cpu.values())
    clock.wall["other"] = wall - sum(clock.wall.values())
    return report, clock, cpu, wall


def show(label: str, inputs: list[Path], documents: int, config: Config = Config()) -> float:
    report, clock, cpu, wall = run_timed(inputs, config)
    shares = "  ".join(f"{s} {clock.cpu[s] / cpu:4.0%}" for s in STAGES)
    print(f"{label:<24} {documents / cpu:6.1f} articles/CPU-s ({documents / wall:6.1f}/s wall)   {shares}")
    print(f"{'':<24} {report.summary_line()}", flush=True)
    return documents / cpu


def show_parallel(label: str, inputs: list[Path], documents: int, config: Config = Config()) -> float:
    """The default executor (worker processes on every core): wall-clock rate, and CPU of all processes."""
    report, clock, cpu, wall = run_timed(inputs, config, LocalExecutor())
    shares = "  ".join(f"{s} {clock.wall[s] / wall:4.0%}" for s in ("extract", "dedup", "cluster", "brief"))
    print(f"{label:<24} {documents / wall:6.1f} articles/s wall on {os.cpu_count()} cores "
          f"({documents / cpu:6.1f}/CPU-s of all processes, {clock.driver / cpu:.0%} of it in this one)   "
          f"wall shares: {shares}")
    print(f"{'':<24} {report.summary_line()}", flush=True)
    return documents / wall


def yardstick(html: list[tuple[str, str]]) -> tuple[float, float]:
    """Plain ``trafilatura.extract`` over the decoded pages: (pages per CPU second, pages per wall second)."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _, page in html:
        trafilatura.extract(page)
    return len(html) / (time.process_time() - cpu), len(html) / (time.perf_counter() - wall)


def blas_line() -> str:
    """Which BLAS kernel numpy runs (the recogniser's matrix products run on it, see ``nlp.model``): some machines
    force an older one through OPENBLAS_CORETYPE, which bench/README.md says how to lift for a run."""
    import numpy  # noqa: F401  (loads its BLAS)
    from threadpoolctl import threadpool_info

    blas = [f"{p['internal_api']} {p.get('version')} kernel {p.get('architecture')}"
            for p in threadpool_info() if p["user_api"] == "blas"]
    forced = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
    return f"numpy BLAS: {', '.join(blas) or 'not found'}; forced by the environment: {forced or 'nothing'}"


CRISIS = ALLSIDES.parents[1] / "multilingual" / "crisis.jsonl"


def language_samples(per_language: int) -> dict[str, list[dict]]:
    """Every k-th crisis.jsonl article of each language (as its file labels it), ``per_language`` of each."""
    rows: dict[str, list[dict]] = {}
    for line in CRISIS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if not row.get("same_text_as"):
            rows.setdefault(row["language"], []).append(row)
    out = {}
    for language, found in sorted(rows.items()):
        if len(found) >= per_language:
            step = len(found) // per_language
            out[language] = [{"id": r["id"], "title": r.get("title"), "text": r["text"], "published": r["published"],
                              "source": r.get("source")} for r in found[::step][:per_language]]
    return out


def by_language(per_language: int, config: Config) -> None:
    samples = language_samples(per_language)
    cpu: dict[str, list[float]] = {language: [] for language in samples}
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for language, rows in samples.items():
            files[language] = Path(tmp) / f"{language}.jsonl"
            files[language].write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        run_timed([files["en"]], config)  # warm-up: imports, models
        for order in (list(samples), list(reversed(samples))):
            for language in order:
                cpu[language].append(run_timed([files[language]], config)[2])
    english = min(cpu["en"]) / sum(len(r["text"].split()) for r in samples["en"])
    print(f"{per_language} crisis.jsonl articles per language, serial runs from JSON Lines (two runs each, the lower)")
    for language, rows in samples.items():
        words = sum(len(r["text"].split()) for r in rows)
        best = min(cpu[language])
        print(f"{language}: {1000 * best / len(rows):6.1f} CPU-ms per article, {1000 * best / words * 1000:6.1f} per "
              f"1,000 words ({words / len(rows):.0f} words an article); per word {best / words / english:.2f}x "
              f"English, per article {best / min(cpu['en']):.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300, help="WCXB article pages (0 = all)")
    parser.add_argument("--article-ner-words", type=int, default=None,
                        help="brief.article_ner_words for the runs (default: the configured default)")
    parser.add_argument("--only-html", action="store_true", help="skip the text and JSONL inputs")
    parser.add_argument("--rounds", type=int, default=3, help="parallel runs, each between two yardstick runs")
    parser.add_argument("--language", action="store_true", help="cost per article by language (crisis.jsonl)")
    parser.add_argument("--per-language", type=int, default=150, help="articles of each language for --language")
    args = parser.parse_args()
    config = Config() if args.article_ner_words is None else Config(
        brief=BriefConfig(article_ner_words=args.article_ner_words))
    logging.getLogger("newsfuse").setLevel(logging.ERROR)  # skipped pages are counted in the summary line
    if args.language:
        by_language(args.per_language, config)
        return
    load = os.getloadavg()  # the machine may be shared: wall-clock figures mean little under load
    raw = article_pages(args.pages or 10**9)
    html = [(name, data.decode("utf-8", errors="replace")) for name, data in raw]
    with tempfile.TemporaryDirectory() as tmp:
        folders = {kind: Path(tmp) / kind for kind in ("html", "text", "warm-up")}
        for folder in folders.values():
            folder.mkdir()
        for (name, data), (_, page) in zip(raw, html):
            (folders["html"] / f"{name}.html").write_bytes(data)
            (folders["text"] / f"{name}.txt").write_text(render_text(page))
        for name, data in raw[:10]:
            (folders["warm-up"] / f"{name}.html").write_bytes(data)
        docs = [doc for line in ALLSIDES.read_text().splitlines() for doc in json.loads(line)["docs"]]
        jsonl = Path(tmp) / "allsides.jsonl"
        jsonl.write_text("".join(json.dumps({"id": d["docno"], "title": d["title"], "text": d["text"]}) + "\n"
                                 for d in docs))

        for _, page in html[:5]:  # warm-up: imports, compiled patterns
            trafilatura.extract(page)
        plain, plain_wall = yardstick(html)
        print(f"{len(html)} WCXB dev article pages; brief.article_ner_words={config.brief.article_ner_words}; "
              "serial runs: one process, shares of CPU time")
        print(blas_line())
        print(f"{'trafilatura.extract':<24} {plain:6.1f} pages/CPU-s ({plain_wall:6.1f}/s wall)")
        run_timed([folders["warm-up"]], config)  # imports of every stage, models, caches
        fused = show("pipeline from html", [folders["html"]], len(html), config)
        if not args.only_html:
            show("pipeline from text", [folders["text"]], len(html), config)
            show("pipeline from jsonl", [jsonl], len(docs), config)
        # The machine's speed drifts by ~10% over minutes (the yardstick alone moved 47.8-57.3 pages/s between
        # runs): each parallel run is compared with trafilatura timed right before and right after it.
        ratios = []
        _, plain_wall = yardstick(html)
        for _ in range(args.rounds):
            parallel = show_parallel("html, default executor", [folders["html"]], len(html), config)
            before, (_, plain_wall) = plain_wall, yardstick(html)
            ratios.append(parallel / ((before + plain_wall) / 2))
            print(f"{'':<24} trafilatura before / after: {before:.1f} / {plain_wall:.1f} pages/s wall; "
                  f"ratio {ratios[-1]:.2f}", flush=True)
    print(f"ratio pipeline-from-html / trafilatura alone, per CPU-s: {fused / plain:.2f}; "
          f"wall clock, default executor vs trafilatura in one process (mean of the runs before and after): "
          + " / ".join(f"{r:.2f}" for r in ratios) + f", median {statistics.median(ratios):.2f} (target >= 0.5)")
    print("load average at the start and at the end: " + " / ".join(f"{a:.1f} {b:.1f} {c:.1f}" for a, b, c in
                                                                    (load, os.getloadavg())))


if __name__ == "__main__":
    main()
