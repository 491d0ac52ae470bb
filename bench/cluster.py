"""Story grouping speed and memory: one large input through ``newsfuse cluster``, and the live path.

Run: .venv/bin/python -u bench/cluster.py batch [N]     N distinct ~500-word articles (100,000) in one JSON Lines
                                                        file through `newsfuse cluster` in a child process:
                                                        articles/s and the child's peak RSS; the yardstick, in the
                                                        same run: scikit-learn's TfidfVectorizer fitted on the same
                                                        texts (what any TF-IDF grouping has to pay at least)
     .venv/bin/python -u bench/cluster.py live [N]      a store of N articles (100,000) held by the assigner: its
                                                        state, then a run of 1,000 new articles and 300 one at a
                                                        time (p50/p95 per article)
     .venv/bin/python -u bench/cluster.py run [N]       N articles through `newsfuse run` (JSON Lines input, so no
                                                        HTML extraction; briefs included): articles/s, peak RSS

Articles are recombined from real sentences of ../shared/data (Timeline17, events-dated, AllSides): each takes
~25 sentences drawn at random, so no two are of one story. Prints figures; asserts nothing.
"""
from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from newsfuse.cluster import StoryAssigner
from newsfuse.records import Article

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
BIN = Path(sys.executable).parent


def sentences() -> list[str]:
    pool: list[str] = []
    for path in (DATA / "stories" / "timeline17" / "articles.jsonl", DATA / "stories" / "events-dated.jsonl"):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                text = json.loads(line)["text"].replace("\n", " ")
                pool.extend(s.strip() + "." for s in text.split(". ") if 8 <= len(s.split()) <= 60)
    return pool


def distinct(n: int, seed: int = 1, days: float = 365.0) -> list[dict]:
    """n article objects of ~500 words, each of random sentences, dated over ``days``."""
    rng, pool = random.Random(seed), sentences()
    t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    out = []
    for i in range(n):
        text, words = [], 0
        while words < 500:
            sentence = rng.choice(pool)
            text.append(sentence)
            words += len(sentence.split())
        when = t0 + timedelta(days=rng.uniform(0, days))
        out.append({"id": f"d{seed}-{i}", "title": text[0][:90], "text": " ".join(text[1:]),
                    "published": when.isoformat(), "source": f"outlet{rng.randrange(50)}"})
    return out


def child_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def batch(n: int) -> None:
    rows = distinct(n)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "articles.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        words = sum(len(r["text"].split()) for r in rows) / n
        print(f"input: {n:,} distinct articles, {words:.0f} words on average, {path.stat().st_size / 1e6:.0f} MB")
        start, cpu = time.perf_counter(), child_cpu()
        done = subprocess.run([str(BIN / "newsfuse"), "cluster", str(path)], stdout=subprocess.PIPE, check=True)
        took, cpu = time.perf_counter() - start, child_cpu() - cpu
        stories = {json.loads(line)["story"] for line in done.stdout.splitlines()}
        print(f"newsfuse cluster: {n / took:,.0f} articles/s wall ({took:.0f} s), {n / cpu:,.0f} per CPU-second, "
              f"peak RSS {child_peak_mb():,.0f} MB, {len(stories):,} stories (the input articles are distinct: ideally one each)")
    from sklearn.feature_extraction.text import TfidfVectorizer

    start, cpu = time.perf_counter(), time.process_time()
    TfidfVectorizer(sublinear_tf=True).fit_transform(r["title"] + "\n" + r["text"] for r in rows)
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"yardstick, TfidfVectorizer.fit_transform of the same texts: {n / took:,.0f} articles/s wall, "
          f"{n / cpu:,.0f} per CPU-second")


def live(n: int) -> None:
    rows = distinct(n + 1_300)
    articles = sorted((Article(id=r["id"], title=r["title"], text=r["text"],
                               published=datetime.fromisoformat(r["published"])) for r in rows),
                      key=lambda a: a.published)
    stored, fresh = articles[:n], articles[n:]
    assigner, start = StoryAssigner(), time.perf_counter()
    for i in range(0, n, 1_000):
        assigner.assign_many(stored[i:i + 1_000])
    print(f"filled: {n:,} articles in runs of 1,000 at {n / (time.perf_counter() - start):,.0f} articles/s; "
          f"{len(assigner):,} stories")
    blob = assigner.export_state()
    restored, start = StoryAssigner(), time.perf_counter()
    restored.load_state(blob)
    print(f"state: {len(blob) / 1e6:.1f} MB, load_state {time.perf_counter() - start:.2f} s")
    run, singles = fresh[:1_000], fresh[1_000:]
    start = time.perf_counter()
    restored.assign_many(run)
    took = time.perf_counter() - start
    print(f"assign_many: a run of {len(run):,} new articles at {len(run) / took:,.0f} articles/s")
    timings = []
    for article in singles:
        t = time.perf_counter()
        restored.assign(article)
        timings.append(time.perf_counter() - t)
    ms = np.array(timings) * 1000
    print(f"assign(): p50 {np.percentile(ms, 50):.1f} ms, p95 {np.percentile(ms, 95):.1f} ms per article, "
          f"{len(restored):,} stories held; peak RSS of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


def run(n: int) -> None:
    rows = distinct(n)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "articles.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        start = time.perf_counter()
        subprocess.run([str(BIN / "newsfuse"), "run", str(path), "--db", str(Path(tmp) / "n.db")],
                       stdout=subprocess.DEVNULL, check=True, env={**os.environ})
        took = time.perf_counter() - start
        print(f"newsfuse run (JSON Lines, briefs included): {n / took:,.0f} articles/s ({took:.0f} s), "
              f"peak RSS of the largest process {child_peak_mb():,.0f} MB")


def main(argv: list[str]) -> None:
    mode = argv[0] if argv else "batch"
    n = int(argv[1]) if len(argv) > 1 else 100_000
    {"batch": batch, "live": live, "run": run}[mode](n)


if __name__ == "__main__":
    main(sys.argv[1:])
