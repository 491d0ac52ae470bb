"""Entities found once per article at ingest and reused by every brief: the same brief, without the model."""
import json
from dataclasses import replace

import pytest

from newsfuse.brief import annotate_articles, build_brief, seed_annotations
from newsfuse.config import BriefConfig, Config
from newsfuse.nlp import model
from newsfuse.pipeline import Runner
from newsfuse.executors import SerialExecutor
from newsfuse.records import Annotations, Article
from newsfuse.store import SqliteStore

from ..conftest import SEEDS, shared_or_fail

TEXT = ("Vladimir Putin met Kim Jong Un in Vladivostok on Thursday, the Kremlin said.\n\n"
        "“We discussed everything,” Putin told reporters after the talks at Far Eastern Federal University.\n\n"
        "North Korea's leader arrived by armoured train on Wednesday, Russian state media reported.")


def _articles() -> list[Article]:
    return [Article(id="a", title="Putin and Kim meet in Vladivostok", text=TEXT, site="one"),
            Article(id="b", title="Kim Jong Un visits Russia", text=TEXT.split("\n\n", 1)[1] +
                    "\n\nSergei Shoigu and Sergei Lavrov attended, the TASS agency said.", site="two")]


def _no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(paragraphs, name=None):
        raise AssertionError(f"the model was asked to read {len(paragraphs)} paragraphs")

    monkeypatch.setattr(model, "_parse_paragraphs", refuse)


def test_brief_from_annotations_equals_brief_from_scratch(monkeypatch):
    model.clear_cache()
    scratch = build_brief("s", _articles()).to_json()
    annotated = annotate_articles(_articles())
    assert all(a.entities is not None and a.entities.text for a in annotated)
    model.clear_cache()
    _no_model(monkeypatch)  # every span must come from the annotations
    assert build_brief("s", annotated).to_json() == scratch
    assert "Vladimir Putin" in {e.name for e in build_brief("s", annotated).entities}


def test_annotations_of_another_model_are_not_trusted(monkeypatch):
    annotated = annotate_articles(_articles())
    stale = [replace(a, entities=replace(a.entities, model="other-model==0", text=())) for a in annotated]
    assert seed_annotations(stale) == 0
    model.clear_cache()
    _no_model(monkeypatch)
    with pytest.raises(AssertionError, match="the model was asked"):
        build_brief("s", stale)


def test_article_budget_is_the_same_at_ingest_and_in_the_brief(monkeypatch):
    filler = " ".join(["word"] * 40)
    text = "\n\n".join(["Angela Merkel spoke in Berlin.", f"{filler} Emmanuel Macron listened in Paris.",
                        f"“It is done,” said Olaf Scholz. {filler}"])
    config = BriefConfig(article_ner_words=52)
    (article,) = annotate_articles([Article(id="m", text=text)], config)
    assert article.entities.paragraphs == (0, 2)
    model.clear_cache()
    _no_model(monkeypatch)
    names = {e.name for e in build_brief("s", [article], config=config).entities}
    assert {"Angela Merkel", "Olaf Scholz"} <= names and "Emmanuel Macron" not in names


def test_annotations_round_trip_json():
    (article,) = annotate_articles(_articles()[:1])
    again = Annotations.from_json(json.loads(json.dumps(article.entities.to_json())))
    assert again == article.entities


def test_run_stores_entities_and_briefs_need_no_model_again(tmp_path, monkeypatch):
    seeds = shared_or_fail(SEEDS)
    with SqliteStore(tmp_path / "n.db") as store:
        Runner(store, Config(), SerialExecutor()).run([seeds])
        stored = store.articles()
        assert stored and all(a.entities is not None and a.entities.model == model.model_id() for a in stored)
        before = {s: store.brief(s).to_json() for s in store.story_ids()}
    model.clear_cache()
    _no_model(monkeypatch)
    with SqliteStore(tmp_path / "n.db") as store:
        for story in store.story_ids():
            ids = store.story_members(story)
            assert build_brief(story, store.articles(ids), {i: d.duplicate_of for i, d in store.duplicates().items()
                                                            if i in ids}).to_json() == before[story]


def test_without_annotate_nothing_is_stored(tmp_path):
    seeds = shared_or_fail(SEEDS)
    with SqliteStore(tmp_path / "n.db") as store:
        Runner(store, Config(brief=BriefConfig(annotate=False)), SerialExecutor()).run([seeds])
        assert all(a.entities is None for a in store.articles())
        assert store.story_ids()


def test_a_french_article_is_annotated_by_the_french_model(monkeypatch):
    text = "Le président Hosni Moubarak a quitté Le Caire pour Charm el-Cheikh, a annoncé Omar Souleiman."
    (article,) = annotate_articles([Article(id="f", title="Moubarak quitte Le Caire", text=text, language="fr")])
    assert article.entities.model == model.model_id("fr") != model.model_id()
    assert "Le Caire" in {text[s:e] for s, e, _ in article.entities.text}
    model.clear_cache()
    _no_model(monkeypatch)
    assert seed_annotations([article]) == 1
    assert model.entity_spans(text, language="fr") == article.entities.text  # seeded under the French model
    assert seed_annotations([replace(article, language="en")]) == 0  # not trusted as an English reading
