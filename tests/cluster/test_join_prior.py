"""ClusterConfig.join_cap_pairs: the join cap holds for a pair, a story of three or more is held to the cohesion
it has shown (issue #5: single stray articles of a topic joining a complete story)."""
from collections import Counter, defaultdict

import numpy as np
import pytest
import scipy.sparse as sp

from newsfuse.cluster import cluster_articles
from newsfuse.cluster.agglomerate import agglomerate
from newsfuse.config import ClusterConfig
from newsfuse.errors import ConfigError

from .test_cluster import allsides

HARD_CAP = ClusterConfig(join_cap_pairs=1e9)  # the cap as a ceiling at every size: the rule before


def story_plus_one(size: int, inner: float, stray: float) -> sp.csr_matrix:
    """Unit rows: ``size`` reports of one story (pairwise cosine ``inner``: a shared axis plus a private one each)
    and a last row whose cosine with each of them is ``stray``."""
    rows = np.zeros((size + 1, size + 2))
    rows[:size, 0] = np.sqrt(inner)
    rows[np.arange(size), np.arange(1, size + 1)] = np.sqrt(1 - inner)
    rows[size, 0] = stray / np.sqrt(inner)
    rows[size, size + 1] = np.sqrt(1 - rows[size, 0] ** 2)
    return sp.csr_matrix(rows)


def groups(vectors: sp.csr_matrix, config: ClusterConfig) -> int:
    n = vectors.shape[0]
    return len(set(agglomerate(vectors, np.full(n, np.nan), [f"s{i}" for i in range(n)], config)))


def test_a_stray_does_not_join_a_tight_story_of_three_on_the_cap_alone():
    vectors = story_plus_one(3, inner=0.7, stray=0.19)  # 0.19 >= 0.55 x cap 0.3, but far below 0.55 x 0.7
    assert groups(vectors, HARD_CAP) == 1
    assert groups(vectors, ClusterConfig()) == 2


def test_a_third_report_still_joins_a_tight_pair():
    vectors = story_plus_one(2, inner=0.5, stray=0.19)  # a pair's one cosine is no measure of its spread
    assert groups(vectors, HARD_CAP) == groups(vectors, ClusterConfig()) == 1


def test_the_prior_weighs_the_cap_against_the_pairs_beyond_the_first():
    vectors = story_plus_one(3, inner=0.7, stray=0.19)
    # three pairs, two beyond the first: the reference is 0.3 + 0.4 x 2 / (2 + w); 0.19 passes 0.55 x it from w ~ 16
    assert groups(vectors, ClusterConfig(join_cap_pairs=10.0)) == 2
    assert groups(vectors, ClusterConfig(join_cap_pairs=20.0)) == 1


def test_fewer_complete_stories_take_a_stray_in_the_full_batch():
    articles, gold = allsides()
    sizes = Counter(gold.values())

    def complete_plus_one(config: ClusterConfig) -> int:
        members = defaultdict(list)
        for article_id, story in cluster_articles(articles, config).items():
            members[story].append(gold[article_id])
        return sum(len(c) == 2 and min(c.values()) == 1 and any(n == sizes[s] for s, n in c.items())
                   for c in map(Counter, members.values()))

    assert complete_plus_one(ClusterConfig()) < complete_plus_one(HARD_CAP) * 0.8


@pytest.mark.parametrize("value", [-1.0, float("inf"), float("nan")])
def test_config_rejects_a_bad_prior(value):
    with pytest.raises(ConfigError, match="join_cap_pairs"):
        ClusterConfig(join_cap_pairs=value)
