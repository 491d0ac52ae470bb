"""Summaries in Spanish, French and Italian (issue #24): daily summaries of crisis.jsonl against the entries of its
reference timelines (crisis-timelines.jsonl), per language.

    .venv/bin/python bench/summary_languages.py [--lags 3] [--save FILE] [--compare FILE]

For each reference entry (language, storyline, date) and each of the ``--lags`` days from its date on (the day's
reports, then the next days' follow-ups), the storyline's articles in that language published that day (at most
60) are summarised (``newsfuse.brief.summary.summarize``) to the entry's length in words (at least 30), and ROUGE-1
and ROUGE-2 recall against the entry are counted as the per-language timeline gate counts them
(tests/brief/tls_eval.py: the language's spaCy stop list, Snowball stems). Prints the mean per language; ``--save``
writes the per-entry scores, ``--compare`` reads another checkout's saved scores and prints the paired difference
with a 95% bootstrap interval and the wins and losses.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newsfuse.brief.summary import summarize  # noqa: E402
from tests.brief.tls_eval import grams, overlap  # noqa: E402
from tests.crisis import crisis_articles, crisis_timelines  # noqa: E402


def scores(lags: int) -> dict[str, list[list[float]]]:
    """Per language, [ROUGE-1 recalls, ROUGE-2 recalls], one per (entry, day) with articles."""
    articles, gold = crisis_articles()
    by = defaultdict(list)
    for article in articles:
        by[gold[article.id], article.language, article.published.date()].append(article)
    out: dict[str, list[list[float]]] = defaultdict(lambda: [[], []])
    for ref in crisis_timelines():
        for day, sentences in ref.entries.items():
            for lag in range(lags):
                members = by.get((ref.storyline, ref.language, day + timedelta(days=lag)))
                if not members:
                    continue
                words = max(30, sum(len(s.split()) for s in sentences))
                summary = [c.text for c in summarize(members[:60], words)]
                for n in (1, 2):
                    reference = grams(sentences, n, ref.language)
                    if total := sum(reference.values()):
                        out[ref.language][n - 1].append(overlap(grams(summary, n, ref.language), reference) / total)
    return dict(out)


def compare(now: dict, before: dict) -> None:
    rng = np.random.default_rng(0)
    for language in sorted(now):
        for n in (0, 1):
            diff = np.array(now[language][n]) - np.array(before[language][n])
            means = [rng.choice(diff, len(diff)).mean() for _ in range(2000)]
            print(f"{language} ROUGE-{n + 1}: {diff.mean():+.4f} (95% {np.percentile(means, 2.5):+.4f} to "
                  f"{np.percentile(means, 97.5):+.4f}), better on {int((diff > 0).sum())}, worse on "
                  f"{int((diff < 0).sum())} of {len(diff)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lags", type=int, default=3)
    parser.add_argument("--save", type=Path)
    parser.add_argument("--compare", type=Path)
    args = parser.parse_args()
    found = scores(args.lags)
    for language, (r1, r2) in sorted(found.items()):
        print(f"{language}: {len(r1)} entry days, ROUGE-1 recall {np.mean(r1):.4f}, ROUGE-2 recall {np.mean(r2):.4f}")
    if args.save:
        args.save.write_text(json.dumps(found), encoding="utf-8")
    if args.compare:
        compare(found, json.loads(args.compare.read_text(encoding="utf-8")))


if __name__ == "__main__":
    main()
