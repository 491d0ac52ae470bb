"""Page furniture in plain-text inputs (cluster/furniture.py): short lines many articles carry word for word are
left out of the story features, so unrelated pages of one site do not group by their menus and sidebars."""
import io

import numpy as np
import pytest

from newsfuse.cluster import StoryAssigner, evaluate, furniture
from newsfuse.cluster.batch import cluster_articles
from newsfuse.cluster.furniture import LineCounts
from newsfuse.records import Article

from ..crisis import crisis_articles

MENU = "Home\nWorld\nSport\nSubscribe to our newsletter\n"


def page(n: int, body: str) -> Article:
    return Article(id=f"p{n}", title=None, text=MENU + body)


def test_clean_drops_short_lines_carried_by_three_articles_only():
    bodies = ["The ferry returned to service on Wednesday after engineers fitted new pontoons.",
              "The council voted to fund the bus service for another year after a long debate.",
              "Flooding closed the coast road overnight and the river burst its banks at two points."]
    counts = LineCounts()
    counts.count([page(0, bodies[0]), page(1, bodies[1])])
    assert counts.clean(page(0, bodies[0])).text == MENU + bodies[0]  # two articles: not yet furniture
    counts.count([page(2, bodies[2])])
    assert counts.clean(page(0, bodies[0])).text == bodies[0]
    long_line = " ".join(["word"] * (furniture.MAX_LINE_WORDS + 1))
    counts.count([Article(id=f"l{n}", text=long_line + "\nend") for n in range(4)])
    assert long_line in counts.clean(Article(id="l0", text=long_line + "\nend")).text  # paragraphs are never furniture
    single = Article(id="s", text="Home")
    assert counts.clean(single) is single


def test_memory_is_bounded_by_forgetting_lines_seen_once(monkeypatch):
    monkeypatch.setattr(furniture, "MAX_LINES", 10)
    counts = LineCounts()
    counts.count([Article(id=f"a{n}", text=f"Home\nunique line {n}") for n in range(12)])
    assert len(counts) == 1  # "Home" (12 articles) stays, the twelve lines seen once are forgotten


def test_line_counts_persist_with_the_state_and_old_states_read_as_none_seen():
    assigner = StoryAssigner()
    assigner.assign_many([page(n, f"Report number {n} about the harbour ferry and its pontoons.")
                          for n in range(4)])
    restored = StoryAssigner()
    restored.load_state(assigner.export_state())
    assert restored.lines.counts == assigner.lines.counts and len(restored.lines) >= 4
    arrays = dict(np.load(io.BytesIO(assigner.export_state())))
    del arrays["line_keys"], arrays["line_counts"]
    older = io.BytesIO()
    np.savez(older, **arrays)
    restored.load_state(older.getvalue())
    assert len(restored.lines) == 0 and len(restored) == len(assigner)


def furnished_pages() -> tuple[list[Article], dict[str, str]]:
    """The 16 pages of crisis.jsonl (ML-Crisis, one French site) that open with the same sidebar ("Hollande à
    Macron ..."): 10 of the Libya storyline, 6 of Syria."""
    every, storylines = crisis_articles()
    articles = [a for a in every if a.text.startswith("Hollande à Macron")]
    return articles, {a.id: storylines[a.id] for a in articles}


@pytest.mark.parametrize("mode", ["batch", "live"])
def test_one_sites_sidebar_does_not_group_its_pages(mode, monkeypatch):
    articles, gold = furnished_pages()
    assert len(articles) == 16 and set(gold.values()) == {"libya", "syria"}

    def group() -> dict[str, str]:
        return cluster_articles(articles) if mode == "batch" else evaluate.live(articles)

    assert evaluate.purity(group(), gold) == 1.0
    monkeypatch.setattr(furniture, "FURNITURE_ARTICLES", 10**9)  # no line is furniture: the sidebar groups them
    assert evaluate.purity(group(), gold) < 0.5
