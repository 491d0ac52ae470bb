"""Merging held stories (ClusterConfig.merge_held): a later run that shows two held stories are one event folds
the newer into the older under an alias; analyst-made stories are never merged; ids stay stable and reruns agree."""
from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest

from newsfuse.cluster import Corrections, StoryAssigner
from newsfuse.config import ClusterConfig
from newsfuse.errors import ConfigError
from newsfuse.records import Article

from .test_cluster import NO_MERGING, T0, allsides, chunks, incremental, wikiref
from .test_dense import fake_embed

# A loose rule, so that one bridging article is enough evidence: these tests are about the mechanism, the gates
# about the tuned defaults.
LOOSE = ClusterConfig(merge_held=True, similarity=0.15)
FERRY = Article(id="x1", title="Harbour ferry returns after pontoon repairs", published=T0,
                text="The harbour ferry returned to service on Wednesday after engineers fitted new steel pontoons at "
                     "the Quayside terminal. Commuters queued from dawn.")
BUDGET = Article(id="x2", title="Council approves Quayside budget", published=T0 + timedelta(hours=2),
                 text="The city council voted to fund the service for another year, the mayor said, after a long "
                      "debate on fares and subsidies.")
BRIDGE = Article(id="x3", title="Quayside ferry returns as council approves budget", published=T0 + timedelta(hours=5),
                 text="The harbour ferry returned to service on Wednesday after engineers fitted new steel pontoons, "
                      "and the city council voted to fund the service for another year, the mayor said, after a long "
                      "debate on fares and subsidies.")


def three_runs(config: ClusterConfig, corrections: Corrections | None = None) -> StoryAssigner:
    """Background articles, then FERRY, BUDGET (too unlike to join it) and BRIDGE in runs of their own."""
    background = wikiref()[0][:40]
    assigner = StoryAssigner(config, corrections)
    assigner.prime(background + [FERRY, BUDGET, BRIDGE])
    assigner.assign_many(background)
    assert assigner.assign_many([FERRY]) == {"x1": "sx1"}
    assert assigner.assign_many([BUDGET]) == {"x2": "sx2"}
    assert assigner.merged == {}
    assigner.assign_many([BRIDGE])
    return assigner


def test_a_bridging_run_merges_held_stories_under_the_older_id():
    assigner = three_runs(LOOSE)
    assert assigner.merged == {"sx2": "sx1"}  # x1 is older: its story keeps its id
    assert assigner.story_of == {**assigner.story_of, "x1": "sx1", "x2": "sx1", "x3": "sx1"}
    assert assigner.corrections.resolve("sx2") == "sx1" and assigner.counts["merged"] == 1
    assert assigner.assign(BUDGET) == "sx1"  # an id assigned before returns its (merged) story
    blob = assigner.export_state()
    restored = StoryAssigner(LOOSE)
    restored.load_state(blob)
    assert "sx2" not in restored.stories.slot and restored.stories.size[restored.stories.slot["sx1"]] == 3


def test_without_merge_held_the_stories_stay_apart():
    assigner = three_runs(replace(LOOSE, merge_held=False))
    assert assigner.merged == {} and assigner.story_of["x1"] != assigner.story_of["x2"]


@pytest.mark.parametrize("corrections", [Corrections(splits=frozenset({"x2"})),
                                         Corrections(exclusions=frozenset({("sx1", "x9")}))])
def test_stories_an_analyst_made_or_touched_are_never_merged(corrections):
    assigner = three_runs(LOOSE, corrections)
    assert assigner.merged == {} and assigner.story_of["x1"] != assigner.story_of["x2"]


def test_stories_not_named_by_the_assigner_are_never_merged():
    background = wikiref()[0][:40]
    assigner = StoryAssigner(LOOSE)
    assigner.load([("xsplit", [FERRY]), ("sx2", [BUDGET]), ("sbg", background)])
    assigner.assign_many([BRIDGE])
    assert assigner.merged == {} and assigner.story_of["x1"] == "xsplit"


def test_held_stories_never_split_and_change_id_only_through_a_reported_alias():
    articles, _ = allsides()
    assigner, seen, merges = StoryAssigner(ClusterConfig(merge_held=True)), {}, 0
    for run in chunks(articles[:400], 6):
        placed = assigner.assign_many(run)
        merges += len(assigner.merged)
        expected = {i: assigner.merged.get(s, s) for i, s in seen.items()}
        assert {i: assigner.story_of[i] for i in seen} == expected
        assert all(kept not in assigner.merged for kept in assigner.merged.values())
        seen = {**expected, **placed}
    assert merges > 0


def test_merging_reruns_give_the_same_stories_and_state_restores_them():
    articles, _ = wikiref()
    config = replace(LOOSE, similarity=0.1)  # loose enough that these runs do merge held stories
    first = incremental(articles[:120], config=config)
    assert first == incremental(articles[:120], config=config)
    apart = incremental(articles[:120], config=replace(config, merge_held=False))
    assert len(set(first.values())) < len(set(apart.values()))
    original = StoryAssigner(replace(config, centroid_terms=0))
    for run in chunks(articles[:150], 3):
        original.assign_many(run)
    restored = StoryAssigner(replace(config, centroid_terms=0))
    restored.load_state(original.export_state())
    rest = articles[150:]
    assert restored.assign_many(rest) == original.assign_many(rest)


def test_merging_with_the_dense_term_keeps_embedding_sums_consistent():
    articles, _ = wikiref()
    assigner = StoryAssigner(ClusterConfig(merge_held=True), dense=fake_embed)
    for run in chunks(articles[:120], 4):
        assigner.assign_many(run)
    sums, table = assigner._dense.matrix(), assigner.stories
    members: dict[str, list[int]] = {}
    by_id = {a.id: a for a in articles}
    for article_id, story in assigner.story_of.items():
        members.setdefault(story, []).append(article_id)
    for story, ids in members.items():
        slot = table.slot[story]
        assert table.size[slot] == len(ids)
        np.testing.assert_allclose(sums[slot], fake_embed([by_id[i] for i in ids]).sum(axis=0), atol=1e-4)
    assert all(table.size[table.slot[alias]] == len(members[kept]) for alias, kept in
               assigner.corrections.merges.items())


def test_config_checks_the_merge_field():
    with pytest.raises(ConfigError, match="merge_held"):
        ClusterConfig(merge_held="yes")


def test_centroid_rows_without_compacting_equal_the_compacted_rows():
    articles, _ = wikiref()
    assigner = StoryAssigner()
    assigner.assign_many(articles[:100])
    assigner._index.compact()
    assigner.assign_many(articles[100:130])  # these sit in the delta until the next compaction
    slots = np.array([5, 0, len(assigner.stories.ids) - 1, 17], dtype=np.int64)
    picked = assigner._index.rows(slots).toarray()
    assert assigner._index._rows  # the rows were read with a delta pending
    np.testing.assert_allclose(picked, assigner._index.matrix()[slots].toarray(), atol=1e-6)
