"""The dense term of story similarity: wiring with a stand-in embedder (always runs), the real model of the
``embeddings`` extra (skipped only when the extra is not installed, unless NEWSFUSE_REQUIRE_EMBEDDINGS=1), and the
gates with embeddings on."""
import os
import sys
import warnings
import zlib
from dataclasses import dataclass

import numpy as np
import pytest

from newsfuse.cluster import StoryAssigner, cluster_articles, score_clusters
from newsfuse.cluster import embed
from newsfuse.cluster.features import plain_tokens
from newsfuse.config import ClusterConfig
from newsfuse.errors import ConfigError, MissingDependencyError

from .test_cluster import NO_MERGING, allsides, seed_articles, wikiref

DIM = 64


def fake_embed(articles):
    """A deterministic stand-in: hashed bag of the title + lead words, signed, L2-normalised (64 dims)."""
    rows = np.zeros((len(articles), DIM), dtype=np.float32)
    for i, article in enumerate(articles):
        for word in plain_tokens(embed.lead_text(article)):
            h = zlib.crc32(word.encode())
            rows[i, h % DIM] += 1.0 if (h >> 8) % 2 else -1.0
        norm = np.linalg.norm(rows[i])
        rows[i] = rows[i] / norm if norm else rows[i]
    return rows


WithEmbeddings = ClusterConfig  # its ``embeddings`` field: off, on, auto, or "" (the environment decides)


def test_mode_from_config_or_environment(monkeypatch):
    monkeypatch.delenv(embed.ENV, raising=False)
    assert embed.embeddings_mode(ClusterConfig()) == "off"
    assert embed.embeddings_mode(WithEmbeddings(embeddings="AUTO")) == "auto"
    monkeypatch.setenv(embed.ENV, "on")
    assert embed.embeddings_mode(ClusterConfig()) == "on"
    assert embed.embeddings_mode(WithEmbeddings(embeddings="off")) == "off"  # the config wins over the environment
    with pytest.raises(ConfigError, match="embeddings"):
        embed.embeddings_mode(WithEmbeddings(embeddings="yes"))
    assert embed.dense_features(WithEmbeddings(embeddings="off")) is None


def test_on_without_the_extra_names_the_pip_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import fails as if not installed
    with pytest.raises(MissingDependencyError, match=r"pip install 'newsfuse\[embeddings\]'"):
        embed.dense_features(WithEmbeddings(embeddings="on"))
    assert embed.dense_features(WithEmbeddings(embeddings="auto")) is None
    with pytest.raises(MissingDependencyError):
        StoryAssigner(WithEmbeddings(embeddings="on"))


def test_dense_term_combines_sums_linearly():
    term = embed.DenseTerm(weight=0.25, baseline=0.2, scale=0.8)
    one = term.combine(np.array([0.5]), np.array([0.6]))
    assert one[0] == pytest.approx(0.8 * (0.75 * 0.5 + 0.25 * (0.6 - 0.2) / 0.8))
    three = term.combine(np.array([1.5]), np.array([1.8]), 3.0)  # a sum over 3 pairs is 3 x the average
    assert three[0] == pytest.approx(3 * one[0])


def test_batch_and_incremental_agree_with_a_dense_term():
    articles, _ = wikiref()
    batch = cluster_articles(articles[:60], dense=fake_embed)
    assert StoryAssigner(NO_MERGING, dense=fake_embed).assign_many(articles[:60]) == batch
    seeds = seed_articles()
    assert len(set(cluster_articles(seeds, dense=fake_embed).values())) == 1


def test_dense_state_round_trips_and_places_like_the_original():
    articles, _ = wikiref()
    first, rest = articles[:150], articles[150:]
    original = StoryAssigner(ClusterConfig(centroid_terms=0), dense=fake_embed)
    original.assign_many(first)
    blob = original.export_state()
    restored = StoryAssigner(ClusterConfig(centroid_terms=0), dense=fake_embed)
    assert restored.load_state(blob) == len(original)
    assert np.allclose(restored.stories.inner, original.stories.inner)
    assert restored.assign_many(rest) == original.assign_many(rest)


def rebuilt_inner(assigner: StoryAssigner, articles, dense) -> dict[str, float]:
    """Inner sums of ``assigner``'s stories as ``load`` computes them from the members' texts."""
    members: dict[str, list] = {}
    for article in articles:
        members.setdefault(assigner.story_of[article.id], []).append(article)
    rebuilt = StoryAssigner(dense=dense)
    rebuilt.load(members.items())
    return {story: float(rebuilt.stories.inner[rebuilt.stories.slot[story]]) for story in members}


def test_inner_sums_match_a_rebuild_after_load_and_merge():
    articles, _ = allsides()
    assigner = StoryAssigner(dense=fake_embed)
    placed = assigner.assign_many(articles[:90])
    a, b = sorted(set(placed.values()))[:2]
    assigner.merge(a, b)
    for story, inner in rebuilt_inner(assigner, articles[:90], fake_embed).items():
        assert assigner.stories.inner[assigner.stories.slot[story]] == pytest.approx(inner, abs=1e-3)


def test_mixed_states_degrade_to_tfidf_with_a_warning():
    articles, _ = wikiref()
    dense = StoryAssigner(dense=fake_embed)
    dense.assign_many(articles[:80])
    plain = StoryAssigner()  # a dense state read without the dense term: its inner sums are TF-IDF only again
    plain.load_state(dense.export_state())
    assert plain.dense is None
    for story, inner in rebuilt_inner(dense, articles[:80], None).items():
        assert plain.stories.inner[plain.stories.slot[story]] == pytest.approx(inner, abs=1e-3)
    sparse = StoryAssigner()
    sparse.assign_many(articles[:80])
    upgraded = StoryAssigner(dense=fake_embed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        upgraded.load_state(sparse.export_state())
    assert upgraded.dense is None and any("dense term is off" in str(w.message) for w in caught)
    reloaded = StoryAssigner()  # the same state (centroids cut to centroid_terms) without the dense term asked for
    reloaded.load_state(sparse.export_state())
    assert upgraded.assign_many(articles[80:120]) == reloaded.assign_many(articles[80:120])


# --- the real model (the `embeddings` extra) ---------------------------------------------------------------------

needs_extra = pytest.mark.skipif(not embed.available() and os.environ.get("NEWSFUSE_REQUIRE_EMBEDDINGS") != "1",
                                 reason="the embeddings extra is not installed: pip install 'newsfuse[embeddings]'")


@needs_extra
def test_the_bundled_model_embeds_offline():
    seeds = seed_articles()
    other = wikiref()[0][0]
    rows = embed.embed_articles(seeds + [other])
    assert rows.shape == (3, embed.DIMENSIONS) and np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-4)
    assert rows[0] @ rows[1] > rows[0] @ rows[2] + 0.2
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    assigner = StoryAssigner(WithEmbeddings(embeddings="on"))
    assert assigner.dense is embed.embed_articles
    assert len(set(assigner.assign_many(seeds).values())) == 1


@pytest.mark.gate
@needs_extra
@pytest.mark.parametrize("name", ["allsides", "wikiref"])
def test_gate_with_embeddings(floors, name):
    articles, gold = {"allsides": allsides, "wikiref": wikiref}[name]()
    score = score_clusters(cluster_articles(articles, dense=embed.embed_articles), gold)
    print(name, "embeddings", score)
    assert score.bcubed_f1 >= floors["cluster"][f"{name}_embeddings_bcubed_f1_floor"], str(score)
