"""Gate (issue #24): per-language timelines on crisis.jsonl against the 16 CL-TLS reference timelines (en, es, fr,
it x egypt, libya, syria, yemen), beside the English ones.

Protocol: the Timeline17 gate's (tests/brief/test_gate_timeline.py), per language: each reference is read by
brief/timeline.py from its storyline's articles in its language (the language newsfuse identifies), published
within the reference's dates; its dates are first clipped to the days those articles span (the CL-TLS references
run years past some collections: the English Egypt one to 2013 over Timeline17's articles of January-February
2011), and a reference with no date left (English Yemen: one article) is left out. As many dates as the reference,
its mean sentences per entry. Scores as tilse defines them (tls_eval), ROUGE with each language's stop list and
Snowball stems. Means per language; floors in tests/floors.toml [multilingual]. About 30 s.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

import numpy as np
import pytest

from newsfuse.brief.timeline import build_timeline

from ..crisis import CrisisTimeline, crisis_articles, crisis_timelines
from .test_gate_timeline import as_timeline
from .tls_eval import score_timeline


def clipped(ref: CrisisTimeline, members) -> CrisisTimeline | None:
    """``ref`` with only the dates within the days ``members`` were published; None when none is left."""
    days = [a.published.date() for a in members]
    entries = {d: s for d, s in ref.entries.items() if days and min(days) <= d <= max(days)}
    return replace(ref, entries=entries) if entries else None


def crisis_scores(articles, gold) -> dict[str, list[tuple[str, dict[str, float]]]]:
    """Per language, (storyline, scores) of each reference timeline kept."""
    by: dict[tuple[str, str], list] = defaultdict(list)
    for a in articles:
        by[gold[a.id], a.language].append(a)
    out: dict[str, list] = defaultdict(list)
    for ref in crisis_timelines():
        ref = clipped(ref, by[ref.storyline, ref.language])
        if ref is None:
            continue
        members = [a for a in by[ref.storyline, ref.language] if ref.start <= a.published.date() <= ref.end]
        events = build_timeline(members, len(ref.entries), ref.lines_per_date, start=ref.start, end=ref.end,
                                days_only=True, cite=False)
        out[ref.language].append((ref.storyline, score_timeline(as_timeline(events), ref.entries, ref.language)))
    return out


@pytest.mark.gate
def test_gate_crisis_timelines(floors):
    articles, gold = crisis_articles()
    scores = crisis_scores(articles, gold)
    floor = floors["multilingual"]
    for language, rows in sorted(scores.items()):
        for storyline, row in rows:
            print(f"crisis {language} {storyline:6s}: " + " ".join(f"{k} {v:.3f}" for k, v in row.items()))
        mean = {k: float(np.mean([r[k] for _, r in rows])) for k in rows[0][1]}
        print(f"crisis {language} mean of {len(rows)}: " + " ".join(f"{k} {v:.4f}" for k, v in mean.items()))
        assert mean["date_f1"] >= floor[f"crisis_{language}_date_f1_floor"], language
