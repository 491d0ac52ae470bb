"""Dedup benchmark: signatures + LSH insert/query on 500-word articles, rensa vs datasketch, state size.

Run: .venv/bin/python bench/dedup.py [n_articles]. Prints figures; asserts nothing. Articles are 500-word
windows (stride 97 words, so many overlap: a copy-heavy stream) of the wikiref220 texts; both libraries get the same
shingles and the same banding (num_perm / 2 bands of 2 rows).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from newsfuse.config import DedupConfig
from newsfuse.dedup import Deduplicator
from newsfuse.dedup.shingles import shingle_hashes
from newsfuse.records import Article

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "stories" / "wikiref220.jsonl"


def corpus(n: int) -> list[str]:
    words = [w for line in DATA.read_text().splitlines() for w in json.loads(line)["text"].split()]
    return [" ".join(words[(i * 97) % (len(words) - 500):][:500]) for i in range(n)]


def bench_rensa(texts: list[str], config: DedupConfig) -> tuple[float, int]:
    dedup = Deduplicator(config)
    start = time.perf_counter()
    for i, text in enumerate(texts):
        dedup.add(Article(id=str(i), text=text))
    elapsed = time.perf_counter() - start
    return len(texts) / elapsed, sum(len(dedup.export_state(str(i))) for i in range(len(texts)))


def bench_rensa_raw(texts: list[str], config: DedupConfig) -> float:
    import rensa

    from newsfuse.dedup.index import SEED, _tokens

    lsh = rensa.RMinHashLSH(config.similarity, config.num_perm, config.num_perm // 2)
    start = time.perf_counter()
    for i, text in enumerate(texts):
        minhash = rensa.RMinHash(config.num_perm, SEED)
        minhash.update(_tokens(shingle_hashes(text, config.shingle_words)))
        lsh.query(minhash)
        lsh.insert(i, minhash)
    return len(texts) / (time.perf_counter() - start)


def bench_datasketch(texts: list[str], config: DedupConfig) -> float:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(num_perm=config.num_perm, params=(config.num_perm // 2, 2))
    start = time.perf_counter()
    for i, text in enumerate(texts):
        shingles = shingle_hashes(text, config.shingle_words)
        minhash = MinHash(num_perm=config.num_perm, seed=1729)
        minhash.update_batch([s.tobytes() for s in shingles])
        lsh.query(minhash)
        lsh.insert(str(i), minhash)
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    texts, config = corpus(n), DedupConfig()
    rensa_rate, state = bench_rensa(texts, config)
    raw_rate = bench_rensa_raw(texts, config)
    ds_rate = bench_datasketch(texts, config)
    print(f"{n} articles of 500 words, num_perm={config.num_perm}, bands={config.num_perm // 2}x2")
    print(f"rensa (Deduplicator.add: shingles + signature + LSH query + verify + insert): {rensa_rate:,.0f} articles/s")
    print(f"datasketch (shingles + signature + LSH query + insert, no verify):             {ds_rate:,.0f} articles/s")
    print(f"rensa (same steps as datasketch, no verify):                                  {raw_rate:,.0f} articles/s")
    print(f"ratio rensa/datasketch (same steps): {raw_rate / ds_rate:.1f}x")
    print(f"state: {state / n:,.0f} bytes per article (export_state)")


if __name__ == "__main__":
    main()
