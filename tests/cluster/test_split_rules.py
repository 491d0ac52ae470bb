"""Batch clustering's two rules for undated same-topic news (ClusterConfig.distinct_core, join_cohesion_cap), on
real AllSides stories: two events of one topic stay apart, a story's third, differently worded report joins."""
import json

import pytest

from newsfuse.cluster import StoryAssigner, cluster_articles, score_clusters
from newsfuse.cluster.agglomerate import _Cores
from newsfuse.cluster.features import batch_vectors, incremental_vectors
from newsfuse.config import ClusterConfig
from newsfuse.errors import ConfigError
from newsfuse.records import Article

from .test_cluster import DATA, allsides, shared, wikiref

OFF = ClusterConfig(distinct_core=1.0, join_cohesion_cap=1.0)  # both rules off: the rule before them


def stories(*ids: str) -> tuple[list[Article], dict[str, str]]:
    """The outlet docs of the given AllSides stories (title + text, undated) and their gold story."""
    wanted, articles, gold = set(ids), [], {}
    for story in map(json.loads, shared(DATA / "stories" / "allsides-roundups.jsonl").read_text().splitlines()):
        if story["id"] in wanted:
            for doc in story["docs"]:
                articles.append(Article(id=doc["docno"], title=doc["title"], text=doc["text"]))
                gold[doc["docno"]] = story["id"]
    assert {*gold.values()} == wanted
    return articles, gold


def partition(stories_of: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for article_id, story in stories_of.items():
        groups.setdefault(story, set()).add(article_id)
    return {frozenset(g) for g in groups.values()}


# The refugee cap kept vs raised (distinct on incremental mode's terms; stemmed, as batch mode reads them, only
# 0.28 of the smaller core is its own), and two rounds of Syria airstrikes (distinct on both).
@pytest.mark.parametrize("first, second, terms", [("neus-test-110", "neus-test-248", incremental_vectors),
                                                  ("neus-test-71", "neus-test-92", incremental_vectors),
                                                  ("neus-test-71", "neus-test-92", batch_vectors)])
def test_two_events_of_one_topic_have_distinct_cores(first, second, terms):
    articles, gold = stories(first, second)
    vectors = terms(articles)
    a, b = ([i for i, x in enumerate(articles) if gold[x.id] == story] for story in (first, second))
    assert _Cores(vectors, 0.3).distinct(a, b) and not _Cores(vectors, 1.0).distinct(a, b)
    assert not _Cores(vectors, 0.0001).distinct(a, a)  # a cluster's core is all in itself


def test_the_smaller_clusters_core_decides():
    # a loose cluster of three unrelated events has no term in half of its members, so its own core is empty (all
    # in the other, trivially); the refugee event's core (its numbers and names) is mostly not in the loose cluster
    ids = ("neus-test-71", "neus-test-13", "neus-test-188", "neus-test-248")
    articles, gold = stories(*ids)
    vectors = batch_vectors(articles)
    loose = [i for i, a in enumerate(articles) if gold[a.id] != "neus-test-248"]
    event = [i for i, a in enumerate(articles) if gold[a.id] == "neus-test-248"]
    cores = _Cores(vectors, 0.35)
    assert cores.exclusive(event, cores._terms(loose)[0]) > 0.35 >= cores.exclusive(loose, cores._terms(event)[0])
    assert cores.distinct(loose, event) and cores.distinct(event, loose)


def test_the_check_leaves_topic_clusters_of_long_articles_alone():
    articles, gold = wikiref()  # gold = topic: the clusters agglomeration proposes to merge there share their core
    checked, unchecked = (cluster_articles(articles, ClusterConfig(distinct_core=d)) for d in (0.3, 1.0))

    def without(stories_of: dict[str, str], article_id: str) -> set[frozenset[str]]:
        return partition({i: s for i, s in stories_of.items() if i != article_id})

    # batch terms: one article (a smartphone review) stays out of the Galaxy S5 cluster; incremental terms: none
    assert partition(checked) == partition(unchecked) or any(without(checked, i) == without(unchecked, i)
                                                             for i in checked)
    assert score_clusters(checked, gold).bcubed_f1 >= score_clusters(unchecked, gold).bcubed_f1 - 0.002
    plain = cluster_articles(articles, vectors=incremental_vectors)
    assert plain == cluster_articles(articles, ClusterConfig(distinct_core=1.0), vectors=incremental_vectors)


def test_fewer_whole_events_are_merged_in_the_full_batch():
    articles, gold = allsides()

    def merged_events(config: ClusterConfig) -> int:
        placed = cluster_articles(articles, config)
        return sum(len({gold[i] for i in group if sum(gold[j] == gold[i] for j in group) == 3}) >= 2
                   for group in partition(placed))

    assert merged_events(ClusterConfig(join_cohesion_cap=1.0)) < merged_events(OFF) / 2


def test_a_third_report_joins_a_tight_pair_under_the_cap():
    articles, gold = stories("neus-test-9")
    assert len(partition(cluster_articles(articles, OFF))) == 2  # the tight pair asks too much of the third
    assert partition(cluster_articles(articles, ClusterConfig(distinct_core=1.0))) == partition(gold)


def test_merge_held_leaves_batch_mode_alone_and_turns_the_cap_off_in_incremental_runs():
    articles, _ = stories("neus-test-9")
    batch = partition(cluster_articles(articles, ClusterConfig(merge_held=True)))
    assert batch == partition(cluster_articles(articles, ClusterConfig(merge_held=False)))
    assert len(batch) == 1  # the cap lets the third report join
    strict = partition(StoryAssigner(ClusterConfig(merge_held=True)).assign_many(articles))
    assert len(strict) == 2  # incremental mode with merge_held: no cap (a missed join is merged later)


def test_an_empty_assigner_applies_both_rules_as_batch_mode():
    articles, _ = stories("neus-test-110", "neus-test-248", "neus-test-9")
    batch = cluster_articles(articles, vectors=incremental_vectors)  # the rules over incremental mode's terms
    assert StoryAssigner(ClusterConfig(merge_held=False)).assign_many(articles) == batch


@pytest.mark.parametrize("field, value", [("distinct_core", 0.0), ("distinct_core", 1.5), ("dense_distinct_core", 0),
                                          ("join_cohesion_cap", 0.0), ("join_cohesion_cap", 2.0)])
def test_config_rejects_out_of_range_rules(field, value):
    with pytest.raises(ConfigError, match=field):
        ClusterConfig(**{field: value})
