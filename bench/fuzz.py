"""Fuzzing campaign: hostile documents through every reader and stage, each in a worker with a time limit.

    python bench/fuzz.py --write-corpus tests/data/fuzz     # (re)write the small committed corpus
    python bench/fuzz.py --corpus tests/data/fuzz            # run the corpus once
    python bench/fuzz.py --rounds 500 --seed 1               # corpus + 500 random byte-level mutations of it
    python bench/fuzz.py --http 2000 --seed 1                # 2,000 mutated raw HTTP answers at the fetcher

Prints counts (inputs tried, ok, crashes, hangs, drops by reason) and every crash or hang with its input; asserts
nothing. Mutated inputs that crash are kept in --keep (default /tmp/newsfuse-fuzz) to add to the corpus.
Run from the project root (it imports tests.reliability.fuzzing).
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.reliability.fuzzing import DOC_TIMEOUT, IsolatedRunner, mutation_corpus, random_mutation  # noqa: E402

STORIES = ROOT.parent / "shared" / "data" / "stories" / "allsides-roundups.jsonl"


def write_corpus(target: Path, seed: int) -> None:
    extra = ROOT / "tests" / "data" / "extract" / "news_page.html"
    corpus = mutation_corpus(STORIES, [("news_page", extra.read_bytes())], seed=seed)
    for rel, data in corpus.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    total = sum(len(d) for d in corpus.values())
    print(f"wrote {len(corpus)} files, {total / 1e6:.2f} MB, to {target}")


class _Capture:
    """A stand-in socket that keeps what a hostile_server route writes."""

    def __init__(self) -> None:
        self.data = b""

    def sendall(self, data: bytes) -> None:
        self.data += data


def http_campaign(rounds: int, rng: random.Random, keep: Path, timeout_s: float = 0.3) -> None:
    """Byte-level mutations of the hostile server's raw answers, each fetched by a Fetcher and, when it comes back
    as a body, read as a page, a feed and an article. Prints outcomes; keeps the answers that crash or hang."""
    from newsfuse.extract import extract_page
    from newsfuse.ingest.feeds import page_from_result, parse_feed
    from newsfuse.ingest.http import FetchConfig, Fetcher
    from newsfuse.records import Drop
    from tests.reliability.hostile_server import ROUTES, SLOW, HostileServer, send

    answers = []
    for name, (route, _) in ROUTES.items():
        if name not in SLOW and name != "reset":
            capture = _Capture()
            route(capture, "http://127.0.0.1:1")  # type: ignore[arg-type]
            answers.append(capture.data)
    config = FetchConfig(timeout_s=timeout_s, retries=1, backoff_s=0, per_host_interval_s=0, allow_private=True,
                         max_bytes=1_000_000, max_retry_after_s=0.1, respect_robots=False)
    outcomes: Counter[str] = Counter()
    findings: list[str] = []
    started = time.process_time()
    with HostileServer() as server, Fetcher(config) as fetcher:
        for n in range(rounds):
            data = rng.choice(answers)
            for _ in range(rng.randint(1, 3)):
                data = random_mutation(data, rng)
            server.routes[f"/m/{n}"] = send(data)
            clock = time.monotonic()
            try:
                result = fetcher.fetch(server.url(f"/m/{n}"))
                if isinstance(result, Drop):
                    outcomes[f"drop {result.reason}"] += 1
                else:
                    parse_feed(result.content, result.content_type, result.final_url)
                    page = page_from_result(result)
                    out = page if isinstance(page, Drop) else extract_page(page)
                    outcomes[f"page {out.reason}" if isinstance(out, Drop) else "article"] += 1
            except Exception as exc:  # noqa: BLE001 - a finding
                outcomes["crash"] += 1
                findings.append(f"crash: {keep / f'http_{n}.bin'}: {type(exc).__name__}: {exc}")
                (keep / f"http_{n}.bin").write_bytes(data)
            if time.monotonic() - clock > 2 * timeout_s * (config.retries + 1) + 2:
                outcomes["hang"] += 1
                findings.append(f"hang: {keep / f'http_{n}.bin'}: {time.monotonic() - clock:.1f} s")
                (keep / f"http_{n}.bin").write_bytes(data)
    print(f"http answers tried: {rounds} ({len(answers)} seeds) in {time.process_time() - started:.1f} s CPU")
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in outcomes.most_common()))
    for line in findings:
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write-corpus", type=Path)
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "data" / "fuzz")
    parser.add_argument("--rounds", type=int, default=0, help="random mutations on top of the corpus")
    parser.add_argument("--http", type=int, default=0, help="only: this many mutated raw HTTP answers")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=DOC_TIMEOUT)
    parser.add_argument("--keep", type=Path, default=Path(tempfile.gettempdir()) / "newsfuse-fuzz")
    args = parser.parse_args()
    if args.write_corpus:
        write_corpus(args.write_corpus, args.seed)
        return
    rng = random.Random(args.seed)
    if args.http:
        args.keep.mkdir(parents=True, exist_ok=True)
        http_campaign(args.http, rng, args.keep)
        return
    files = sorted(p for p in args.corpus.rglob("*") if p.is_file())
    statuses: Counter[str] = Counter()
    drops: Counter[str] = Counter()
    findings: list[str] = []
    started = time.monotonic()
    args.keep.mkdir(parents=True, exist_ok=True)
    with IsolatedRunner(args.timeout) as runner, tempfile.TemporaryDirectory() as tmp:
        jobs = [(p, None) for p in files]
        bases = [p for p in files if p.relative_to(args.corpus).parts[0] != "bugs"]  # known bugs mask new ones
        for n in range(args.rounds):
            base = rng.choice(bases)
            jobs.append((base, n))
        for path, n in jobs:
            target = path
            if n is not None:
                data = random_mutation(path.read_bytes(), rng)
                target = Path(tmp) / f"m{n}_{path.name}"
                target.write_bytes(data)
            outcome = runner.run(target)
            statuses[outcome.status] += 1
            if outcome.status == "ok":
                drops.update(outcome.detail["drops"])
                continue
            kept = target
            if n is not None:
                kept = args.keep / target.name
                kept.write_bytes(target.read_bytes())
            first = str(outcome.detail).splitlines()[0] if outcome.detail else ""
            findings.append(f"{outcome.status}: {kept} (from {path.relative_to(args.corpus)}): {first}")
    elapsed = time.monotonic() - started
    print(f"inputs tried: {len(jobs)} ({len(files)} corpus files, {args.rounds} mutations) in {elapsed:.0f} s")
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in statuses.most_common()))
    print("drops by reason: " + ", ".join(f"{k} {v}" for k, v in drops.most_common()))
    for line in findings:
        print(line)


if __name__ == "__main__":
    main()
