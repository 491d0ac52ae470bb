"""Choose the summary's sentence weights (brief.summary.Weights) by leave-one-set-out on two input shapes.

Run: .venv/bin/python bench/tune_summary.py [--every N] [--offset O] [--ilp [--min-cut C]] [--jobs J]

The sets: the 307 AllSides roundups (three ~58-word leads a story, 66-word summaries against the neutral roundup)
and Timeline17 daily summaries (a storyline's long articles of a day and the next, summarised to the mean length of
that date's reference entries; every N-th date from the O-th, 5 and 0 by default: the gate's sample). Both are
scored by ROUGE-2 recall as their gates score them (tests/brief/test_gate_allsides.py, test_gate_daily.py). Each
weight moves alone from the defaults over a few values; then, for each set, the cell best on the other set and its
score on this one, beside the defaults' score. Prints figures; asserts nothing.

With ``--ilp``: the concept-coverage program of bench/concept_ilp.py (Gillick & Favre 2009) over a grid of its
settings instead, each cell with its CPU milliseconds a story and how many stories got the greedy summary (too
few sources for the cut to reach C, 2 by default; 1 runs the program on every story); the greedy summary (the
defaults) is the first row. J processes score the cells (the 24 cells take about 25 minutes on 2 cores).
"""
from __future__ import annotations

import argparse
import itertools
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import concept_ilp  # noqa: E402  (bench/concept_ilp.py)
from concept_ilp import ConceptIlpConfig  # noqa: E402
from newsfuse.brief.sentences import story_sentences  # noqa: E402
from newsfuse.brief.summary import Weights, summarize  # noqa: E402
from tests.brief.test_gate_allsides import WORDS, load_stories, rouge_recall  # noqa: E402
from tests.brief.test_gate_daily import budget, daily_cases  # noqa: E402
from tests.conftest import DATA  # noqa: E402

GRID = {"lead": [0.0, 1.0, 2.0], "length": [0.25, 0.75, 1.0], "support": [0.0, 1.0, 2.0],
        "centrality": [0.5, 2.0], "dangling": [0.2, 1.0], "duplicate": [0.6, 0.9], "title": [0.5, 2.0]}


def cases(every: int, offset: int = 0) -> dict[str, list]:
    """Per set: (sentences, articles, references, words) with the sentences split once."""
    daily = [(arts, refs, budget(refs)) for arts, refs in daily_cases(1)[offset::every]]
    allsides = [(arts, [ref], WORDS) for arts, ref in load_stories(DATA / "stories" / "allsides-roundups.jsonl")]
    return {name: [(story_sentences(arts, {}), arts, refs, words) for arts, refs, words in rows]
            for name, rows in (("allsides", allsides), ("daily", daily))}


def rouge2(rows: list, weights: Weights) -> float:
    scores = []
    for sentences, articles, refs, words in rows:
        text = " ".join(c.text for c in summarize(articles, words, weights=weights, sentences=sentences))
        scores.append(np.mean([rouge_recall(text, ref, 2) for ref in refs]))
    return float(np.mean(scores))


ILP_GRID = {"min_share": [0.2, 0.3, 0.5], "min_words": [6, 10], "per_article": [10, 20], "lead": [0.0, 1.0]}


def ilp_rouge2(rows: list, config: ConceptIlpConfig | None) -> tuple[float, float, int]:
    """(mean ROUGE-2 recall, CPU ms a story, stories that fell back to the greedy) of one setting; None: greedy."""
    scores, fallbacks = [], 0
    start = time.process_time()
    for sentences, articles, refs, words in rows:
        chosen = None
        if config is not None:  # the program's choice, or the greedy summary where it is not for the story
            chosen = concept_ilp.select_concepts(sentences, words, articles, {}, config)
            fallbacks += chosen is None
        if chosen is None:
            text = " ".join(c.text for c in summarize(articles, words, sentences=sentences))
        else:
            text = " ".join(sentences[i].text for i in sorted(chosen, key=lambda i: (sentences[i].position,
                                                                                      sentences[i].order)))
        scores.append(np.mean([rouge_recall(text, ref, 2) for ref in refs]))
    return float(np.mean(scores)), 1000 * (time.process_time() - start) / len(rows), fallbacks


_SETS: dict[str, list] = {}


def _score_cell(config: ConceptIlpConfig | None) -> dict[str, tuple[float, float, int]]:
    return {name: ilp_rouge2(rows, config) for name, rows in _SETS.items()}


def _load(every: int, offset: int) -> None:
    _SETS.update(cases(every, offset))


def leave_one_set_out(table: dict[str, dict[str, float]], baseline: str) -> None:
    print("\nleave-one-set-out (cell chosen on the other set -> its score here; the baseline here):")
    names = list(next(iter(table.values())))
    for name in names:
        other = next(n for n in names if n != name)
        chosen = max(table, key=lambda c: table[c][other])
        print(f"  {name}: chosen on {other}: {chosen} -> {table[chosen][name]:.4f}; {baseline} "
              f"{table[baseline][name]:.4f}; own best {max(t[name] for t in table.values()):.4f}")
    both = max((c for c in table if c != baseline),
               key=lambda c: min(table[c][n] / table[baseline][n] for n in names))
    print(f"  best worst-set ratio to {baseline}: {both} -> " + ", ".join(f"{n} {table[both][n]:.4f}" for n in names))


def tune_ilp(every: int, offset: int, jobs: int, min_cut: int) -> None:
    keys = list(ILP_GRID)
    cells = [("greedy", None)] + [(" ".join(f"{k}={v}" for k, v in zip(keys, values)),
                                   ConceptIlpConfig(**dict(zip(keys, values)), min_cut=min_cut))
                                  for values in itertools.product(*ILP_GRID.values())]
    table = {}
    with ProcessPoolExecutor(jobs, initializer=_load, initargs=(every, offset)) as pool:
        for (label, _), result in zip(cells, pool.map(_score_cell, [c for _, c in cells])):
            table[label] = {name: r[0] for name, r in result.items()}
            print(f"{label:50} " + "  ".join(f"{n} R2 {r[0]:.4f} {r[1]:6.1f} ms/story fallback {r[2]}"
                                             for n, r in result.items()), flush=True)
    leave_one_set_out(table, "greedy")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--every", type=int, default=5)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--ilp", action="store_true")
    parser.add_argument("--min-cut", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    if args.ilp:
        tune_ilp(args.every, args.offset, args.jobs, args.min_cut)
        return
    sets = cases(args.every, args.offset)
    cells = [("defaults", Weights())] + [(f"{k}={v}", replace(Weights(), **{k: v})) for k, vs in GRID.items()
                                         for v in vs]
    table = {}
    for label, weights in cells:
        table[label] = {name: rouge2(rows, weights) for name, rows in sets.items()}
        print(f"{label:16} " + "  ".join(f"{n} R2 {s:.4f}" for n, s in table[label].items()), flush=True)
    leave_one_set_out(table, "defaults")


if __name__ == "__main__":
    main()
