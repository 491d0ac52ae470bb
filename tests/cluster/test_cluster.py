"""Story assignment: behaviour on real text, persistence, and the quality gates on ../shared/data."""
import json
import random
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsfuse.cluster import StoryAssigner, cluster_articles, score_clusters, story_id_for
from newsfuse.cluster import Corrections
from newsfuse.cluster.features import entity_tokens
from newsfuse.config import ClusterConfig
from newsfuse.errors import ConfigError
from newsfuse.records import Article

SHARED = Path(__file__).resolve().parents[2].parent / "shared"  # as tests/conftest.py
DATA, SEEDS = SHARED / "data", SHARED / "samples" / "seeds"
T0 = datetime(2023, 9, 1, tzinfo=timezone.utc)


def shared(path: Path) -> Path:
    assert path.exists(), f"missing shared data {path}: tests expect ../shared beside the project"
    return path


NO_MERGING = ClusterConfig(merge_held=False)  # incremental mode that never merges held stories


def allsides() -> tuple[list[Article], dict[str, str]]:
    """All 921 outlet docs (title + text, undated), shuffled with a fixed seed; gold = the roundup."""
    articles, gold = [], {}
    for story in map(json.loads, shared(DATA / "stories" / "allsides-roundups.jsonl").read_text().splitlines()):
        for doc in story["docs"]:
            articles.append(Article(id=doc["docno"], title=doc["title"], text=doc["text"]))
            gold[doc["docno"]] = story["id"]
    random.Random(7).shuffle(articles)
    return articles, gold


def wikiref() -> tuple[list[Article], dict[str, str]]:
    """220 undated articles, gold = topic (the 1-doc and 5-doc noise topics should stay small)."""
    rows = [json.loads(line) for line in shared(DATA / "stories" / "wikiref220.jsonl").read_text().splitlines()]
    articles = [Article(id=r["id"], title=r["title"], text=r["text"]) for r in rows]
    random.Random(7).shuffle(articles)
    return articles, {r["id"]: r["topic"] for r in rows}


def seed_articles() -> list[Article]:
    return [Article(id=p.stem, text=p.read_text(encoding="utf-8"), path=str(p))
            for p in sorted(shared(SEEDS).glob("*.txt"))]


def test_seed_pages_end_up_in_one_story():
    stories = cluster_articles(seed_articles())
    assert len(stories) == 2 and len(set(stories.values())) == 1


def test_story_ids_are_stable_and_derived_from_the_founder():
    articles, _ = wikiref()
    first, second = cluster_articles(articles[:60]), cluster_articles(list(reversed(articles[:60])))
    assert first == second
    founders = {story for story in first.values()}
    assert all(story.startswith("s") and story[1:] in first for story in founders)
    assert story_id_for("abc") == "sabc"


def test_copy_joins_its_originals_story_even_when_unrelated():
    assigner = StoryAssigner()
    articles, _ = wikiref()
    story = assigner.assign(articles[0])
    assert assigner.assign(articles[1], copy_of_story=story) == story
    assert assigner.assign(articles[2], copy_of_story="sunknown") == "sunknown"
    assert assigner.assign(articles[1]) == story  # idempotent


def test_story_goes_cold_after_the_window():
    seeds = seed_articles()
    assigner = StoryAssigner(ClusterConfig(window_days=2))
    story = assigner.assign(Article(id="a", text=seeds[0].text, published=T0))
    late = Article(id="b", text=seeds[1].text, published=T0 + timedelta(days=3))
    assert assigner.assign(late) != story
    undated = Article(id="c", text=seeds[1].text + " More.")
    assert assigner.assign(undated) in {story, "sb"}


def test_load_rebuilds_stories_so_new_articles_join_them():
    seeds = seed_articles()
    assigner = StoryAssigner()
    assigner.load([("sold", [seeds[0]]), ("sother", wikiref()[0][:20])])
    assert len(assigner) == 2
    assert assigner.assign(seeds[1]) == "sold"


def test_entity_proxy_keeps_names_not_sentence_starts():
    tokens = entity_tokens("The White House said Kim Jong Un wrote. But Putin replied in Moscow.")
    assert "white_house" in tokens and "kim_jong_un" in tokens and "putin" in tokens and "moscow" in tokens
    assert "the" not in tokens and "but" not in tokens


def test_scorer_on_a_hand_example():
    s = score_clusters({"a": "1", "b": "1", "c": "2"}, {"a": "x", "b": "y", "c": "y"})
    assert s.bcubed_precision == pytest.approx(2 / 3) and s.bcubed_recall == pytest.approx(2 / 3)
    assert (s.pair_precision, s.pair_recall, s.predicted_clusters, s.gold_clusters) == (0.0, 0.0, 2, 2)


# --- batch mode constraints and analyst corrections -------------------------------------------------------------

def test_batch_respects_the_time_window():
    a, b = seed_articles()
    dated = [replace(a, published=T0), replace(b, published=T0 + timedelta(days=3))]
    assert len(set(cluster_articles(dated, ClusterConfig(window_days=2)).values())) == 2
    assert len(set(cluster_articles(dated, ClusterConfig(window_days=7)).values())) == 1


def test_batch_split_and_exclusion_keep_an_article_out():
    a, b = seed_articles()  # undated: a (smaller id) founds the story
    split = cluster_articles([a, b], corrections=Corrections(splits=frozenset({b.id})))
    assert split == {a.id: story_id_for(a.id), b.id: story_id_for(b.id)}
    excluded = cluster_articles([a, b], corrections=Corrections(exclusions=frozenset({(story_id_for(a.id), b.id)})))
    assert excluded[a.id] != excluded[b.id]


def test_batch_merge_resolves_the_alias_to_the_kept_story():
    articles, _ = wikiref()
    before = cluster_articles(articles[:40])
    x, y = sorted(set(before.values()))[:2]
    after = cluster_articles(articles[:40], corrections=Corrections(merges={y: x}))
    assert after == {i: (x if s in (x, y) else s) for i, s in before.items()}


def test_corrections_merge_is_deterministic_and_rejects_cycles():
    merged, aliases = Corrections().merge("sb", "sa")
    assert aliases == {"sb": "sa"} and merged.resolve("sb") == "sa"
    assert merged.merge("sa", "sb") == (merged, {})
    _, kept_older = Corrections().merge("sa", "sb", keep="sb")
    assert kept_older == {"sa": "sb"}
    with pytest.raises(ConfigError):
        Corrections(merges={"sa": "sb", "sb": "sa"})
    assert Corrections.from_dict(merged.to_dict()) == merged


# --- online mode corrections ------------------------------------------------------------------------------------

def test_assigner_split_and_exclusion():
    a, b = seed_articles()
    split = StoryAssigner(corrections=Corrections(splits=frozenset({b.id})))
    assert split.assign(a) != split.assign(b) == story_id_for(b.id)
    excluded = StoryAssigner(corrections=Corrections(exclusions=frozenset({(story_id_for(a.id), b.id)})))
    assert excluded.assign(a) != excluded.assign(b)


def test_assigner_merge_keeps_the_older_id_and_returns_the_alias_map():
    articles, _ = wikiref()
    seeds = seed_articles()
    assigner = StoryAssigner(ClusterConfig(similarity=0.1))  # the merged story holds an unrelated article
    old, new = assigner.assign(seeds[0]), assigner.assign(articles[0])
    assert old != new
    assert assigner.merge(new, old) == {new: old}
    assert assigner.merge(old, new) == {}
    assert assigner.story_of[articles[0].id] == old
    assert assigner.assign(articles[1], copy_of_story=new) == old
    assert assigner.assign(seeds[1]) == old  # the merged centroid still attracts the seed's twin
    reloaded = StoryAssigner(corrections=assigner.corrections)
    reloaded.load([(old, [seeds[0]]), (new, [articles[0]])])
    assert len(reloaded) == 1 and reloaded.assign(articles[0]) == old


# --- incremental mode: assign_many against held stories, state, stable ids --------------------------------------

def chunks(articles: list[Article], n: int = 10) -> list[list[Article]]:
    """``n`` runs in a fixed shuffled order (seed 11)."""
    order = list(articles)
    random.Random(11).shuffle(order)
    return [order[i::n] for i in range(n)]


def incremental(articles: list[Article], restore: str = "load", config: ClusterConfig | None = None) -> dict[str, str]:
    """Each chunk is one run: a fresh assigner restores the previous runs' stories (``load`` from their articles,
    or ``load_state`` of the last run's ``export_state``), then ``assign_many`` places the chunk; held stories it
    merged (``merged``, alias -> kept) are renamed, as the store does."""
    stories: dict[str, str] = {}
    by_id, blob = {a.id: a for a in articles}, b""
    for chunk in chunks(articles):
        assigner = StoryAssigner(config)
        if restore == "load":
            held: dict[str, list[Article]] = {}
            for article_id, story in stories.items():
                held.setdefault(story, []).append(by_id[article_id])
            assigner.load(held.items())
        elif blob:
            assigner.load_state(blob)
        run = assigner.assign_many(chunk)
        assert all(stories.get(i, s) == s for i, s in run.items())
        stories = {i: assigner.merged.get(s, s) for i, s in stories.items()}  # held stories merged as aliases
        stories.update(run)
        blob = assigner.export_state()
    return stories


def test_assign_many_on_an_empty_assigner_is_batch_mode():
    articles, _ = wikiref()
    # one rule and one set of features in both modes: an empty assigner's first run is batch mode
    assert StoryAssigner(NO_MERGING).assign_many(articles[:60]) == cluster_articles(articles[:60])
    assert StoryAssigner().assign_many(articles[:60]) == cluster_articles(articles[:60])


def test_stories_keep_their_ids_and_members_as_they_grow():
    articles, _ = allsides()
    runs, assigner, seen = chunks(articles[:300], 5), StoryAssigner(NO_MERGING), {}  # merging: test_held.py
    for run in runs:
        placed = assigner.assign_many(run)
        members = {}
        for article_id, story in {**seen, **placed}.items():
            members.setdefault(story, set()).add(article_id)
        for article_id, story in seen.items():  # no held story is split, merged or renamed
            assert assigner.story_of[article_id] == story
            assert {i for i in members[story] if i in seen} == {i for i, s in seen.items() if s == story}
        seen.update(placed)
    assert any(story[1:] not in {a.id for a in runs[0]} and story in set(seen.values()) for story in seen.values())


def test_rerunning_the_same_input_gives_the_same_stories():
    articles, _ = wikiref()
    assert incremental(articles[:80]) == incremental(articles[:80])
    assert StoryAssigner().assign_many(articles[:50]) == StoryAssigner().assign_many(list(reversed(articles[:50])))


def test_state_round_trips_and_places_like_the_original():
    articles, _ = wikiref()
    first, rest = articles[:150], articles[150:]
    original = StoryAssigner(ClusterConfig(centroid_terms=0))
    original.assign_many(first)
    restored = StoryAssigner(ClusterConfig(centroid_terms=0))
    assert restored.load_state(original.export_state()) == len(original)
    assert restored.assign_many(rest) == original.assign_many(rest)


def test_assign_many_copies_follow_their_original_in_the_same_run():
    a, b = seed_articles()
    wiki = wikiref()[0][0]
    placed = StoryAssigner().assign_many([a, wiki, b], copy_of={wiki.id: a.id}, copy_of_story={b.id: "sheld"})
    assert placed[wiki.id] == placed[a.id] and placed[b.id] == "sheld"


def test_dated_runs_respect_the_window_against_held_stories():
    a, b = seed_articles()
    assigner = StoryAssigner(ClusterConfig(window_days=2))
    story = assigner.assign_many([replace(a, published=T0)])[a.id]
    assert assigner.assign_many([replace(b, published=T0 + timedelta(days=3))])[b.id] != story
    again = StoryAssigner(ClusterConfig(window_days=2))
    assert again.assign_many([replace(a, published=T0)])[a.id] == story
    assert again.assign_many([replace(b, published=T0 + timedelta(days=1))])[b.id] == story


def test_dots_among_some_stories_equal_the_full_products_there():
    """The link step reads only the stories in the time window (CentroidIndex.dots(among=...)): their products
    are the same, bit for bit, as the full product's, base and not-yet-compacted rows alike."""
    import numpy as np
    import scipy.sparse as sp

    from newsfuse.cluster.features import N_FEATURES
    from newsfuse.cluster.index import CentroidIndex

    rng = np.random.default_rng(0)

    def rows(n: int) -> sp.csr_matrix:
        cols = np.concatenate([rng.choice(5000, 40, replace=False) for _ in range(n)])
        return sp.csr_matrix((rng.random(40 * n), (np.repeat(np.arange(n), 40), cols)), shape=(n, N_FEATURES))

    index = CentroidIndex()
    index.add(rng.integers(0, 300, 3000), rows(3000))
    index.compact()
    index.add(rng.integers(0, 320, 100), rows(100))  # in the delta, some in slots the base does not have yet
    vectors, among = rows(50), rng.random(320) < 0.3
    full, part = index.dots(vectors).toarray(), index.dots(vectors, among=among).toarray()
    assert part.shape == full.shape and np.array_equal(part[:, among], full[:, among])
    assert np.count_nonzero(part[:, ~among]) < np.count_nonzero(full[:, ~among])  # the others were left out


def _two_rows(cosine: float):
    import numpy as np
    import scipy.sparse as sp

    return sp.csr_matrix(np.array([[1.0, 0.0], [cosine, (1 - cosine ** 2) ** 0.5]]))


@pytest.mark.parametrize("hours, joined", [(0, True), (20, True), (30, False), (24 * 5, False), (None, False)])
def test_reports_within_a_day_join_at_the_same_day_similarity(hours, joined):
    """Two reports at an average cosine of 0.15 (between same_day_similarity 0.12 and similarity 0.2) are one story
    when published within a day of each other, not when further apart or undated; at 0.25 they always are."""
    import math

    import numpy as np

    from newsfuse.cluster.agglomerate import agglomerate_with_seeds

    times = np.array([0.0, math.nan if hours is None else hours * 3600.0])
    config = ClusterConfig(similarity=0.2, same_day_similarity=0.12)
    placed = agglomerate_with_seeds([], [], _two_rows(0.15), times, ["sa", "sb"], config)
    assert (placed.founder_of[0] == placed.founder_of[1]) is joined
    assert len(set(agglomerate_with_seeds([], [], _two_rows(0.25), times, ["sa", "sb"], config).founder_of)) == 1
    off = replace(config, same_day_similarity=None)  # no lower bar on the day: apart
    assert len(set(agglomerate_with_seeds([], [], _two_rows(0.15), times, ["sa", "sb"], off).founder_of)) == 2


def test_same_day_similarity_is_checked():
    with pytest.raises(ConfigError, match="same_day_similarity"):
        ClusterConfig(same_day_similarity=12)
