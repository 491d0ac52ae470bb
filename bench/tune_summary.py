"""Choose the summary's sentence weights (brief.summary.Weights) by leave-one-set-out on two input shapes.

Run: .venv/bin/python bench/tune_summary.py [--every N]

The sets: the 307 AllSides roundups (three ~58-word leads a story, 66-word summaries against the neutral roundup)
and Timeline17 daily summaries (a storyline's long articles of a day and the next, summarised to the mean length of
that date's reference entries; every N-th date, 5 by default: the gate's sample). Both are scored by ROUGE-2
recall as their gates score them (tests/brief/test_gate_allsides.py, test_gate_daily.py). Each weight moves alone
from the defaults over a few values; then, for each set, the cell best on the other set and its score on this one,
beside the defaults' score. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newsfuse.brief.sentences import story_sentences  # noqa: E402
from newsfuse.brief.summary import Weights, summarize  # noqa: E402
from tests.brief.test_gate_allsides import WORDS, load_stories, rouge_recall  # noqa: E402
from tests.brief.test_gate_daily import budget, daily_cases  # noqa: E402
from tests.conftest import DATA  # noqa: E402

GRID = {"lead": [0.0, 1.0, 2.0], "length": [0.25, 0.75, 1.0], "support": [0.0, 1.0, 2.0],
        "centrality": [0.5, 2.0], "dangling": [0.2, 1.0], "duplicate": [0.6, 0.9], "title": [0.5, 2.0]}


def cases(every: int) -> dict[str, list]:
    """Per set: (sentences, articles, references, words) with the sentences split once."""
    daily = [(arts, refs, budget(refs)) for arts, refs in daily_cases(every)]
    allsides = [(arts, [ref], WORDS) for arts, ref in load_stories(DATA / "stories" / "allsides-roundups.jsonl")]
    return {name: [(story_sentences(arts, {}), arts, refs, words) for arts, refs, words in rows]
            for name, rows in (("allsides", allsides), ("daily", daily))}


def rouge2(rows: list, weights: Weights) -> float:
    scores = []
    for sentences, articles, refs, words in rows:
        text = " ".join(c.text for c in summarize(articles, words, weights=weights, sentences=sentences))
        scores.append(np.mean([rouge_recall(text, ref, 2) for ref in refs]))
    return float(np.mean(scores))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--every", type=int, default=5)
    sets = cases(parser.parse_args().every)
    cells = [("defaults", Weights())] + [(f"{k}={v}", replace(Weights(), **{k: v})) for k, vs in GRID.items()
                                         for v in vs]
    table = {}
    for label, weights in cells:
        table[label] = {name: rouge2(rows, weights) for name, rows in sets.items()}
        print(f"{label:16} " + "  ".join(f"{n} R2 {s:.4f}" for n, s in table[label].items()), flush=True)
    print("\nleave-one-set-out (cell chosen on the other set -> its score here; the defaults here):")
    for name in sets:
        other = next(n for n in sets if n != name)
        chosen = max(table, key=lambda c: table[c][other])
        print(f"  {name}: chosen on {other}: {chosen} -> {table[chosen][name]:.4f}; defaults {table['defaults'][name]:.4f}; "
              f"own best {max(t[name] for t in table.values()):.4f}")


if __name__ == "__main__":
    main()
