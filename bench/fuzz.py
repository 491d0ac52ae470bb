"""Fuzzing campaign: hostile documents through every reader and stage, each in a worker with a time limit.

    python bench/fuzz.py --write-corpus tests/data/fuzz     # (re)write the small committed corpus
    python bench/fuzz.py --corpus tests/data/fuzz            # run the corpus once
    python bench/fuzz.py --rounds 500 --seed 1               # corpus + 500 random byte-level mutations of it

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write-corpus", type=Path)
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "data" / "fuzz")
    parser.add_argument("--rounds", type=int, default=0, help="random mutations on top of the corpus")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=DOC_TIMEOUT)
    parser.add_argument("--keep", type=Path, default=Path(tempfile.gettempdir()) / "newsfuse-fuzz")
    args = parser.parse_args()
    if args.write_corpus:
        write_corpus(args.write_corpus, args.seed)
        return
    rng = random.Random(args.seed)
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
