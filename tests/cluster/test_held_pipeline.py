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
