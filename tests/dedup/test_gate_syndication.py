"""Gate: dedup on generated syndication of real news text (see ``syndication.py``), scored on copy-group pairs.

Pair precision/recall/F1 of "same copy group" over the whole corpus, and the share of same-event pairs that are
not copies (three outlets on one AllSides story, with their copies) that stay apart. Floors in ``[dedup]`` of
tests/floors.toml. Run with ``-s`` to see the figures.
"""
from __future__ import annotations

from collections import Counter

import pytest

from newsfuse.config import DedupConfig
from newsfuse.dedup import find_duplicates

from ..conftest import DATA, shared_or_fail
from .syndication import SyndicationGenerator, load_sources, pair_scores, predicted_groups, same_event_precision

SEED = 7


@pytest.fixture(scope="module")
def corpus():
    allsides, wikiref = load_sources(shared_or_fail(DATA))
    return SyndicationGenerator(allsides, wikiref, seed=SEED).build()


@pytest.fixture(scope="module")
def scores(corpus):
    links = find_duplicates(corpus.articles, DedupConfig())
    predicted = predicted_groups(links)
    scores = pair_scores(corpus.group, predicted)
    scores["same_event"], scores["same_event_pairs"] = same_event_precision(corpus, predicted)
    print(f"\nsyndication seed {SEED}: {len(corpus.articles)} articles, {scores['gold_pairs']} copy pairs, "
          f"relations {dict(Counter(d.relation for d in links))}")
    print("pair P {precision:.4f} R {recall:.4f} F1 {f1:.4f}; same-event pairs kept apart {same_event:.4f} "
          "of {same_event_pairs}".format(**scores))
    return scores


@pytest.mark.gate
def test_copy_groups_pair_f1(scores, floors):
    assert scores["f1"] >= floors["dedup"]["pair_f1_floor"]
    assert scores["precision"] >= floors["dedup"]["pair_precision_floor"]
    assert scores["recall"] >= floors["dedup"]["pair_recall_floor"]


@pytest.mark.gate
def test_same_event_articles_are_not_linked(scores, floors):
    assert scores["same_event"] >= floors["dedup"]["same_event_precision_floor"]


def test_generator_is_deterministic_and_covers_every_case(corpus):
    allsides, wikiref = load_sources(shared_or_fail(DATA))
    again = SyndicationGenerator(allsides, wikiref, seed=SEED).build()
    assert [a.text for a in again.articles] == [a.text for a in corpus.articles]
    steps = Counter(step for kind in corpus.kind.values() for step in kind.split("+"))
    assert all(steps[s] >= 40 for s in ("furniture", "truncate", "edit", "retitle", "embed")), steps
