"""Dedup benchmark: signatures + LSH on 500-word articles (rensa vs datasketch), full add() rate, state and memory.

Run: .venv/bin/python bench/dedup.py [n_articles]     rates, ratio, state bytes, index memory per article
     .venv/bin/python bench/dedup.py --million [n]    n (default 1,000,000) synthetic articles through add()
     .venv/bin/python bench/dedup.py --tune           pair scores of a threshold grid on the gate's generator
Prints figures; asserts nothing. Rates are per CPU second of this process (``time.process_time``: other jobs on
a shared machine do not count against it) with the wall-clock rate beside. Articles are 500-word windows
(stride 97 words, so many overlap: a copy-heavy stream) of the wikiref220 texts; both libraries get the same
shingles and the same banding (num_perm / 2 bands of 2 rows).
"""
from __future__ import annotations

import json
import resource
import sys
import time
from itertools import product
from pathlib import Path
from typing import Iterator

import numpy as np

from newsfuse.config import DedupConfig
from newsfuse.dedup import Deduplicator, find_duplicates
from newsfuse.dedup.bands import BandIndex, band_keys, signatures
from newsfuse.dedup.shingles import shingle_hashes
from newsfuse.dedup.state import cut_hashes
from newsfuse.records import Article

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
WIKIREF = DATA / "stories" / "wikiref220.jsonl"


def corpus(n: int) -> list[str]:
    words = [w for line in WIKIREF.read_text().splitlines() for w in json.loads(line)["text"].split()]
    return [" ".join(words[(i * 97) % (len(words) - 500):][:500]) for i in range(n)]


def rss() -> int:
    """Resident set size of this process, bytes."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize()


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class Timer:
    def __enter__(self) -> "Timer":
        self.cpu, self.wall = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.cpu, self.wall = time.process_time() - self.cpu, time.perf_counter() - self.wall

    def rates(self, n: int) -> str:
        return f"{n / self.cpu:7,.0f} articles/CPU-s ({n / self.wall:,.0f}/s wall)"


def bench_add(texts: list[str], config: DedupConfig) -> tuple[Timer, int, int]:
    """Deduplicator.add on every text: timer, state bytes, RSS growth of the index."""
    before = rss()
    dedup = Deduplicator(config)
    with Timer() as timer:
        for i, text in enumerate(texts):
            dedup.add(Article(id=f"{i:016x}", text=text))
    grown = rss() - before
    return timer, sum(len(dedup.export_state(f"{i:016x}")) for i in range(len(texts))), grown


def bench_rensa(texts: list[str], config: DedupConfig) -> Timer:
    """Shingles + signature + LSH query + insert, all in rensa (its RMinHashLSH), no verify."""
    import rensa

    from newsfuse.dedup.bands import SEED

    lsh = rensa.RMinHashLSH(config.similarity, config.num_perm, config.num_perm // 2)
    with Timer() as timer:
        for i, text in enumerate(texts):
            minhash = rensa.RMinHash(config.num_perm, SEED)
            minhash.update(cut_hashes(shingle_hashes(text, config.shingle_words)).astype("<u4").view("S4").tolist())
            lsh.query(minhash)
            lsh.insert(i, minhash)
    return timer


def bench_bands(texts: list[str], config: DedupConfig) -> Timer:
    """Shingles + rensa signature + BandIndex query + insert (one call), as Deduplicator does them (no verify)."""
    index = BandIndex()
    with Timer() as timer:
        for i, text in enumerate(texts):
            keys = band_keys(signatures([cut_hashes(shingle_hashes(text, config.shingle_words))], config.num_perm))[0]
            index.query(keys, then_insert=i)
    return timer


def bench_datasketch(texts: list[str], config: DedupConfig) -> Timer:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(num_perm=config.num_perm, params=(config.num_perm // 2, 2))
    with Timer() as timer:
        for i, text in enumerate(texts):
            shingles = cut_hashes(shingle_hashes(text, config.shingle_words))
            minhash = MinHash(num_perm=config.num_perm, seed=1729)
            minhash.update_batch([s.tobytes() for s in shingles])
            lsh.query(minhash)
            lsh.insert(str(i), minhash)
    return timer


def main(n: int) -> None:
    texts, config = corpus(n), DedupConfig()
    add, state, grown = bench_add(texts, config)
    raw = bench_rensa(texts, config)
    bands = bench_bands(texts, config)
    ds = bench_datasketch(texts, config)
    print(f"{n} articles of 500 words, num_perm={config.num_perm}, bands={config.num_perm // 2}x2")
    print(f"rensa      signatures + LSH (shingles, signature, query, insert): {raw.rates(n)}")
    print(f"rensa signatures + BandIndex (same steps, newsfuse's LSH):        {bands.rates(n)}")
    print(f"datasketch signatures + LSH (same steps):                        {ds.rates(n)}")
    print(f"ratio rensa/datasketch: {ds.cpu / raw.cpu:.1f}x per CPU second ({ds.wall / raw.wall:.1f}x wall); "
          f"rensa+BandIndex/datasketch {ds.cpu / bands.cpu:.1f}x")
    print(f"Deduplicator.add (+ exact keys, verify, lineage):                 {add.rates(n)}")
    print(f"state: {state / n:,.0f} bytes per article (export_state); index in RAM: {grown / n:,.0f} bytes per "
          f"article (RSS growth, noisy below ~50,000 articles)")


def synthetic(n: int, seed: int = 1) -> Iterator[Article]:
    """n 500-word articles drawn from the wikiref vocabulary by word frequency; 5% are edited copies."""
    counts: dict[str, int] = {}
    for line in WIKIREF.read_text().splitlines():
        for word in json.loads(line)["text"].split():
            counts[word] = counts.get(word, 0) + 1
    vocab = np.array(list(counts), dtype=object)
    cdf = np.cumsum(np.array(list(counts.values()), dtype=float))
    cdf /= cdf[-1]
    rng = np.random.default_rng(seed)
    recent: list[list[str]] = []
    for i in range(n):
        if recent and rng.random() < 0.05:
            words = list(recent[rng.integers(len(recent))])
            for at in rng.integers(0, len(words), 8):
                words[at] = "edited"
        else:
            words = vocab[np.searchsorted(cdf, rng.random(500))].tolist()
            if i % 10 == 0:
                recent = (recent + [words])[-1000:]
        yield Article(id=f"{i:016x}", text=" ".join(words))


def million(n: int) -> None:
    """n synthetic articles through add(): rate, wall and CPU time, peak RSS, index bytes per article."""
    config, dedup = DedupConfig(), Deduplicator(DedupConfig())
    start_rss, copies = rss(), 0
    with Timer() as timer:
        for i, article in enumerate(synthetic(n), start=1):
            copies += dedup.add(article).duplicate_of is not None
            if i % 100_000 == 0:
                print(f"  {i:>9,}  {i / (time.process_time() - timer.cpu):,.0f} articles/CPU-s  "
                      f"{time.perf_counter() - timer.wall:,.0f} s wall  RSS {rss() / 2**30:.2f} GiB  "
                      f"index {dedup.nbytes() / i:,.0f} B/article", file=sys.stderr, flush=True)
    state = sum(len(dedup.export_state(f"{i:016x}")) for i in range(0, n, 1000)) / len(range(0, n, 1000))
    print(f"{n:,} synthetic 500-word articles (5% edited copies), num_perm={config.num_perm}: "
          f"{timer.rates(n)}; {timer.wall / 60:.1f} min wall, {timer.cpu / 60:.1f} min CPU")
    print(f"copies found: {copies:,}; relations {dict(dedup.counts)}")
    print(f"peak RSS {peak_rss() / 2**30:.2f} GiB; index {(rss() - start_rss) / n:,.0f} bytes per article in RAM "
          f"(RSS growth; arrays alone {dedup.nbytes() / n:,.0f}); state {state:,.0f} bytes per article")


def tune() -> None:
    sys.path.insert(0, str(ROOT))
    from tests.dedup.syndication import (SyndicationGenerator, load_sources, pair_scores, predicted_groups,
                                         same_event_precision)

    allsides, wikiref = load_sources(DATA)
    for seed in (7, 11, 23):
        built = SyndicationGenerator(allsides, wikiref, seed=seed).build()
        for similarity, containment, min_words in product((0.6, 0.8), (0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9), (20, 40)):
            config = DedupConfig(similarity=similarity, containment=containment, containment_min_words=min_words)
            predicted = predicted_groups(find_duplicates(built.articles, config))
            s = pair_scores(built.group, predicted)
            apart, _ = same_event_precision(built, predicted)
            print(f"seed {seed:2} similarity {similarity} containment {containment:4} min_words {min_words}: "
                  f"P {s['precision']:.4f} R {s['recall']:.4f} F1 {s['f1']:.4f} same-event {apart:.4f}", flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--million"]:
        million(int(args[1]) if len(args) > 1 else 1_000_000)
    elif args[:1] == ["--tune"]:
        tune()
    else:
        main(int(args[0]) if args else 5000)
