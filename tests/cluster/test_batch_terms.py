"""Batch mode's own terms (features.batch_vectors: stemmed plain tokens, the title read thrice) versus incremental
mode's (features.incremental_vectors), and what they do on the two dev sets."""
import numpy as np
import pytest

from newsfuse.cluster import cluster_articles, score_clusters
from newsfuse.cluster.features import BATCH_TITLE_REPEATS, batch_text, batch_tokens, batch_vectors, incremental_vectors
from newsfuse.records import Article

from .test_cluster import allsides, wikiref


def test_batch_terms_are_stemmed_and_keep_numbers():
    assert batch_tokens("Democrats vote") == batch_tokens("Democrat votes")
    assert "125" in batch_tokens("a cap of 125,000 refugees")


def test_batch_text_reads_the_title_more_than_once():
    article = Article(id="a", title="Ferry returns", text="Commuters queued from dawn.")
    assert batch_text(article).count("Ferry returns") == BATCH_TITLE_REPEATS > 1


def test_a_shared_title_weighs_more_than_a_shared_body_phrase():
    base = Article(id="a", title="Harbour ferry returns", text="Engineers fitted new pontoons at the terminal.")
    same_title = Article(id="b", title="Harbour ferry returns", text="Council approves another budget for buses.")
    same_body = Article(id="c", title="Council budget approved",
                        text="Engineers fitted new pontoons at the terminal.")
    filler = [Article(id=f"f{i}", title=f"Unrelated {w}", text=f"Other news about {w}.")
              for i, w in enumerate(("weather", "football", "markets"))]
    for terms in (batch_vectors, incremental_vectors):
        rows = terms([base, same_title, same_body, *filler])
        cosines = (rows[0] @ rows[1:3].T).toarray().ravel()
        if terms is batch_vectors:
            assert cosines[0] > cosines[1]  # the title counts thrice
        assert np.all(cosines > 0)


def test_wikiref_noise_documents_stay_singletons():
    articles, gold = wikiref()
    placed = cluster_articles(articles)
    sizes = {story: list(placed.values()).count(story) for story in set(placed.values())}
    lone = [i for i in gold if list(gold.values()).count(gold[i]) == 1]
    assert len(lone) == 5 and all(sizes[placed[i]] == 1 for i in lone)


@pytest.mark.gate
@pytest.mark.parametrize("name, lift", [("allsides", 0.01), ("wikiref", 0.01)])
def test_batch_terms_beat_incremental_terms(name, lift):
    articles, gold = {"allsides": allsides, "wikiref": wikiref}[name]()
    ours = score_clusters(cluster_articles(articles), gold)
    theirs = score_clusters(cluster_articles(articles, vectors=incremental_vectors), gold)
    print(name, "batch terms", ours, "| incremental terms", theirs)
    assert ours.bcubed_f1 >= theirs.bcubed_f1 + lift
