"""merge_held through `newsfuse run`: the pipeline applies the assigner's merges to the store (alias, moved
articles, rebuilt brief), and later runs and the saved state agree with it."""
import json

from newsfuse.config import Config
from newsfuse.executors import SerialExecutor
from newsfuse.pipeline import Runner
from newsfuse.store import SqliteStore

from .test_cluster import wikiref
from .test_held import BRIDGE, BUDGET, FERRY, LOOSE


def _jsonl(path, articles):
    rows = [{"id": a.id, "title": a.title, "text": a.text,
             **({"published": a.published.isoformat()} if a.published else {})} for a in articles]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def _run(db, path, config):
    with SqliteStore(db) as store:
        Runner(store, config, SerialExecutor()).run([path])


def test_run_merges_held_stories_in_the_store(tmp_path):
    config, db = Config(cluster=LOOSE), tmp_path / "n.db"
    _run(db, _jsonl(tmp_path / "a.jsonl", wikiref()[0][:40] + [FERRY]), config)
    _run(db, _jsonl(tmp_path / "b.jsonl", [BUDGET]), config)
    with SqliteStore(db) as store:
        ferry, budget = store.story_of(FERRY.id), store.story_of(BUDGET.id)
    assert ferry != budget
    _run(db, _jsonl(tmp_path / "c.jsonl", [BRIDGE]), config)
    with SqliteStore(db) as store:
        assert store.story_of(FERRY.id) == store.story_of(BUDGET.id) == store.story_of(BRIDGE.id) == ferry
        assert store.resolve_story(budget) == ferry and budget not in store.story_ids()
        assert set(store.story_members(ferry)) >= {FERRY.id, BUDGET.id, BRIDGE.id}
        assert store.cluster_state() is not None  # saved after the merge, not dropped as an analyst edit drops it
    _run(db, _jsonl(tmp_path / "c.jsonl", [BRIDGE]), config)  # a rerun changes nothing
    with SqliteStore(db) as store:
        assert store.story_of(BUDGET.id) == ferry and budget not in store.story_ids()


def test_run_reads_pending_articles_a_part_at_a_time(tmp_path, monkeypatch):
    """One large input through `run` is deduplicated and placed PHASE_ARTICLES at a time, oldest first (memory
    follows the part): the store is never asked for more articles at once, and the stories and copies are those of
    one run per part."""
    from dataclasses import replace
    from datetime import timedelta

    from newsfuse.cluster import evaluate
    from newsfuse.pipeline import publish_order

    from ..conftest import DATA

    articles = evaluate.events_dated(DATA)[0][:60]
    copies = [replace(a, id=a.id + "-copy", published=a.published + timedelta(hours=5)) for a in articles[::15]]
    every = articles + copies

    def stored(db):
        with SqliteStore(db) as store:
            return ({a.id: store.story_of(a.id) for a in every},
                    {i: d.duplicate_of for i, d in store.duplicates().items()})

    ordered = sorted(every, key=publish_order)
    for n in range(0, len(ordered), 7):  # one run per part of 7, oldest first
        _run(tmp_path / "runs.db", _jsonl(tmp_path / f"part{n}.jsonl", ordered[n:n + 7]), Config())
    asked: list[int] = []
    real = SqliteStore.articles

    def articles_of(self, ids=None):
        found = real(self, ids)
        asked.append(len(found))
        return found

    monkeypatch.setattr(Runner, "PHASE_ARTICLES", 7)
    monkeypatch.setattr(SqliteStore, "articles", articles_of)
    _run(tmp_path / "parts.db", _jsonl(tmp_path / "in.jsonl", every[::-1]), Config())
    assert asked and max(asked) <= 7 and sum(asked) >= 2 * len(every)
    runs, parts = stored(tmp_path / "runs.db"), stored(tmp_path / "parts.db")
    assert sum(d is not None for d in parts[1].values()) == len(copies)
    assert parts == runs
