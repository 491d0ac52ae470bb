"""Timelines and daily summaries on Timeline17, every figure of the gates and what the suite leaves out. Prints;
asserts nothing.

    .venv/bin/python bench/timeline.py            # the timeline gate's table
    .venv/bin/python bench/timeline.py --daily    # the daily-summary gate on every date, not every 3rd
    .venv/bin/python bench/timeline.py --dev      # date F1 on the CL-TLS reference timelines (dates only)
    .venv/bin/python bench/timeline.py --crisis   # per-language timelines on crisis.jsonl, with and without
                                                  # the Spanish/French/Italian date words

The scoring and the protocol are the gates' (tests/brief/test_gate_timeline.py, test_gate_daily.py). ``--dev``
scores date selection against the CL-TLS timelines of Egypt, Libya and Syria (en, es, fr, it: dates are the same in
any language) with Timeline17's English articles, leaving out the two that copy a Timeline17 reference (Syria en,
Libya fr): the set the date rule was chosen on before it was run on the gate.
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsfuse.brief import timeline as timeline_module  # noqa: E402
from newsfuse.brief.timeline import rank_dates  # noqa: E402
from tests.brief.test_gate_crisis_timeline import crisis_scores  # noqa: E402
from tests.crisis import crisis_articles  # noqa: E402
from tests.brief import test_gate_daily as daily  # noqa: E402
from tests.brief import test_gate_timeline as gate  # noqa: E402
from tests.brief.timeline17 import references, sentences  # noqa: E402
from tests.brief.tls_eval import date_f1, score_timeline  # noqa: E402

CRISIS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "multilingual" / "crisis-timelines.jsonl"


def timelines() -> None:
    systems = {"newsfuse": gate.newsfuse_timeline, "pubcount": gate.pubcount_timeline}
    scores: dict[str, list] = defaultdict(list)
    for ref in references():
        for name, system in systems.items():
            scores[name].append(score_timeline(system(ref), ref.entries))
    print("| system | date F1 | AR-1 F | AR-2 F | concat R-1 F | concat R-2 F |\n|---|---:|---:|---:|---:|---:|")
    for name, rows in scores.items():
        print(f"| {name} | " + " | ".join(f"{np.mean([r[k] for r in rows]):.4f}" for k in rows[0]) + " |")


def daily_all() -> None:
    cases = daily.daily_cases(1)
    figures = daily.evaluate(cases)
    print(f"{len(cases)} dates: " + ", ".join(f"{k} {v:.4f}" for k, v in figures.items()))


def dev() -> None:
    names = {"egypt": "EgyptianProtest", "libya": "LibyaWar", "syria": "SyrianCrisis"}
    scores = []
    for line in CRISIS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["storyline"] not in names or (row["storyline"], row["language"]) in {("syria", "en"), ("libya", "fr")}:
            continue
        dated = sentences()[names[row["storyline"]]]
        first, last = min(s.published for s in dated), max(s.published for s in dated)
        ref = {d for d in (date.fromisoformat(e["date"]) for e in row["entries"]) if first <= d <= last}
        start, end = min(ref), max(ref)
        inside = [s for s in dated if start <= s.published <= end]
        top = [date.fromisoformat(d) for d, _ in rank_dates(inside, start, end, days_only=True)[:len(ref)]]
        scores.append(date_f1(dict.fromkeys(top, [""]), dict.fromkeys(ref, [""])))
        print(f"{row['storyline']} {row['language']}: {len(ref)} dates, date F1 {scores[-1]:.3f}")
    print(f"mean date F1 over {len(scores)} timelines: {np.mean(scores):.4f}")


def crisis() -> None:
    """The multilingual timeline gate's table, then the same with the English date patterns for every language."""
    articles, gold = crisis_articles()
    english_only = timeline_module.find_dates
    for label in ("per-language date words", "English date patterns only"):
        print(f"| {label} | timelines | date F1 | AR-1 F | AR-2 F | concat R-1 F | concat R-2 F |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for language, rows in sorted(crisis_scores(articles, gold).items()):
            print(f"| {language} | {len(rows)} | " + " | ".join(f"{np.mean([r[k] for _, r in rows]):.4f}"
                                                         for k in rows[0][1]) + " |")
        timeline_module.find_dates = lambda text, published, paragraphs, language=None: english_only(
            text, published, paragraphs)


if __name__ == "__main__":
    {"--daily": daily_all, "--dev": dev, "--crisis": crisis}.get(sys.argv[1] if len(sys.argv) > 1 else "", timelines)()
