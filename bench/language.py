"""Language identification on crisis.jsonl (3,352 en/es/fr/it articles): accuracy and articles per CPU-second.

    .venv/bin/python bench/language.py [--snippets N]

Rows: newsfuse's ``identify_language`` (py3langid on the first 2,000 characters of the text's main script), plain
py3langid on the first 500 / 2,000 characters and on the whole text, and lingua (low-accuracy and full mode, all
its languages, first 500 / 2,000 characters) when ``lingua-language-detector`` is installed (it is not a newsfuse
dependency: ``pip install lingua-language-detector`` to compare). Then the accuracy on short snippets: N articles
(default 1,000, seed 24), k consecutive words from a random place in each.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import time
from collections import Counter
from pathlib import Path
from typing import Callable

from newsfuse.nlp.language import _identifier, identify_language

CRISIS = Path(__file__).resolve().parents[2] / "shared" / "data" / "multilingual" / "crisis.jsonl"
Identify = Callable[[str], "str | None"]


def _py3langid(cap: int | None) -> Identify:
    model = _identifier()
    return lambda text: model.classify(text[:cap] if cap else text)[0]


def _lingua(low: bool, cap: int) -> Identify | None:
    try:
        from lingua import LanguageDetectorBuilder
    except ImportError:
        return None
    builder = LanguageDetectorBuilder.from_all_languages()
    detector = (builder.with_low_accuracy_mode() if low else builder).build()

    def identify(text: str) -> str | None:
        found = detector.detect_language_of(text[:cap])
        return found.iso_code_639_1.name.lower() if found else None
    return identify


def _candidates() -> dict[str, Identify | None]:
    return {
        "newsfuse identify_language": lambda text: identify_language(text)[0],
        "py3langid, first 500 chars": _py3langid(500),
        "py3langid, first 2,000 chars": _py3langid(2000),
        "py3langid, whole text": _py3langid(None),
        "lingua low accuracy, 500 chars": _lingua(True, 500),
        "lingua low accuracy, 2,000 chars": _lingua(True, 2000),
        "lingua, 500 chars": _lingua(False, 500),
        "lingua, 2,000 chars": _lingua(False, 2000),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snippets", type=int, default=1000)
    args = parser.parse_args()
    rows = [json.loads(line) for line in CRISIS.open(encoding="utf-8")]
    candidates = _candidates()
    print(f"crisis.jsonl: {len(rows)} articles, {Counter(r['language'] for r in rows)}")
    for name, identify in candidates.items():
        if identify is None:
            print(f"{name:34} not installed")
            continue
        identify(rows[0]["text"])  # models load on first use
        start = time.process_time()
        found = [identify(row["text"]) for row in rows]
        seconds = time.process_time() - start
        wrong = Counter((row["language"], got) for row, got in zip(rows, found) if got != row["language"])
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{name:34} accuracy {1 - sum(wrong.values()) / len(rows):.4f}  {len(rows) / seconds:6.0f} articles/CPU-s"
              f"  peak RSS so far {peak:5.0f} MB  wrong {dict(wrong)}")
    rng = random.Random(24)
    sample = rng.sample(rows, min(args.snippets, len(rows)))
    print(f"\nshort snippets ({len(sample)} articles, k consecutive words from a random place): accuracy")
    for k in (3, 5, 8, 12, 20):
        snippets = []
        for row in sample:
            words = row["text"].split()
            at = rng.randrange(0, max(1, len(words) - k))
            snippets.append((" ".join(words[at:at + k]), row["language"]))
        scores = {name: sum(identify(text) == gold for text, gold in snippets) / len(snippets)
                  for name, identify in candidates.items() if identify is not None and "whole" not in name
                  and "500" not in name}
        print(f"{k:3} words: " + ", ".join(f"{name} {score:.3f}" for name, score in scores.items()))


if __name__ == "__main__":
    main()
