"""Gate: daily summaries on Timeline17. For each date of the reference timelines (the entries of one storyline's
timelines on that date together), the storyline's articles published that day and the next (every outlet) are
summarised to the entries' mean length in words, and scored by ROUGE-1/2 recall against each entry (lowercased
``\\w+`` tokens, clipped counts, no stemming, as the AllSides gate scores; the mean over the entries of the date,
then over the dates). Dates without articles on either day are left out (the summarisers get nothing to read).

newsfuse's summariser (``newsfuse.brief.summarize``, what ``newsfuse summarize --words N`` runs) must beat two
yardsticks measured here on the same inputs and budgets: a TF-IDF centroid summariser (sentences ranked by cosine to
the mean sentence vector) and LexRank (Erkan & Radev 2004: TF-IDF cosine graph with edges above 0.1, degree-
normalised, PageRank with damping 0.85 by power iteration), both greedy to the budget.

Sample: every 5th date in (storyline, date) order, 92 of the 459 dates with articles, for the suite's time budget;
``bench/timeline.py --daily`` scores all 459 (bench/README.md has both: the sample ranks the three summarisers as
the whole set does, with every figure a little lower). Floors in tests/floors.toml [timeline].
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Sequence

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from newsfuse.brief import summarize
from newsfuse.nlp import split_sentences, word_tokens
from newsfuse.records import Article

from .test_gate_allsides import centroid_baseline, greedy, rouge_recall
from .timeline17 import articles, references

SAMPLE_EVERY = 5


def lexrank(articles: Sequence[Article], words: int, threshold: float = 0.1, damping: float = 0.85) -> str:
    """LexRank with a cosine threshold, greedy to ``words``."""
    sentences = [s for a in articles for s in split_sentences(a.text)]
    try:
        vectors = normalize(TfidfVectorizer(stop_words="english").fit_transform(sentences))
    except ValueError:
        return greedy(sentences, words)
    graph = ((vectors @ vectors.T).toarray() > threshold).astype(float)
    np.fill_diagonal(graph, 1.0)  # a sentence of stop words only has a zero vector: its row keeps its self-loop
    graph /= graph.sum(axis=1, keepdims=True)
    n = len(sentences)
    rank = np.full(n, 1.0 / n)
    for _ in range(100):
        new = (1 - damping) / n + damping * (graph.T @ rank)
        if np.abs(new - rank).sum() < 1e-8:
            break
        rank = new
    return greedy([sentences[i] for i in np.argsort(-rank, kind="stable")], words)


def daily_cases(every: int = SAMPLE_EVERY) -> list[tuple[list[Article], list[str]]]:
    """(articles of the day and the next, the entries of that date) for every ``every``-th date with articles."""
    entries: dict[tuple[str, date], list[str]] = defaultdict(list)
    for ref in references():
        for day, sentences in ref.entries.items():
            entries[(ref.storyline, day)].append(" ".join(sentences))
    by_day: dict[tuple[str, date], list[Article]] = defaultdict(list)
    for storyline, members in articles().items():
        for a in members:
            by_day[(storyline, a.published.date())].append(a)
    cases = []
    for storyline, day in sorted(entries):
        read = by_day.get((storyline, day), []) + by_day.get((storyline, day + timedelta(days=1)), [])
        if read:
            cases.append((read, entries[(storyline, day)]))
    return cases[::every]


def budget(entries: Sequence[str]) -> int:
    return max(1, round(sum(len(word_tokens(e)) for e in entries) / len(entries)))


def evaluate(cases) -> dict[str, float]:
    systems = {
        "newsfuse": lambda arts, words: " ".join(c.text for c in summarize(arts, words)),
        "centroid": centroid_baseline,
        "lexrank": lexrank,
    }
    scores: dict[str, list[float]] = defaultdict(list)
    for read, refs in cases:
        words = budget(refs)
        for name, system in systems.items():
            text = system(read, words)
            for n in (1, 2):
                scores[f"{name}_rouge{n}"].append(float(np.mean([rouge_recall(text, ref, n) for ref in refs])))
    return {k: float(np.mean(v)) for k, v in scores.items()}


@pytest.mark.gate
def test_gate_daily_summaries(floors):
    cases = daily_cases()
    assert len(cases) == 92
    figures = evaluate(cases)
    for n in (1, 2):
        print(f"Timeline17 daily summaries ({len(cases)} dates), ROUGE-{n} recall: newsfuse "
              f"{figures[f'newsfuse_rouge{n}']:.4f}, TF-IDF centroid {figures[f'centroid_rouge{n}']:.4f}, "
              f"LexRank {figures[f'lexrank_rouge{n}']:.4f}")
    floor = floors["timeline"]
    for n in (1, 2):
        ours = figures[f"newsfuse_rouge{n}"]
        assert ours > figures[f"centroid_rouge{n}"], f"ROUGE-{n}: newsfuse does not beat the TF-IDF centroid"
        assert ours > figures[f"lexrank_rouge{n}"], f"ROUGE-{n}: newsfuse does not beat LexRank"
        assert ours >= floor[f"daily_rouge{n}_recall"], f"ROUGE-{n} recall {ours:.4f} below the floor"
