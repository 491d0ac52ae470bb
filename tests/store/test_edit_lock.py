"""Analyst edits take the run lock (issue 22): a run places articles a part at a time with the story assigner it
loaded at its start, so an edit between two of its parts would be undone or contradicted (the run saves its stale
assigner state over the cleared one, and places articles into a story the edit merged away). An edit waits for the
run's phases to end, at most ``edits.EDIT_LOCK_WAIT`` seconds, then fails in one line naming the store."""
import json
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone

import pytest

from newsfuse.cluster import evaluate
from newsfuse.config import Config
from newsfuse.errors import NewsfuseError
from newsfuse.executors import SerialExecutor
from newsfuse.pipeline import Runner, publish_order
from newsfuse.records import Article
from newsfuse.store import edits, open_store

from ..conftest import DATA

WHEN = datetime(2024, 5, 1, 8, tzinfo=timezone.utc)
BUSY = "a run is placing articles"


def _two_events() -> tuple[list[Article], list[Article]]:
    """The articles of the two largest events of events-dated.jsonl, oldest first."""
    articles, gold = evaluate.events_dated(DATA)
    events = defaultdict(list)
    for article in articles:
        events[gold[article.id]].append(article)
    largest = sorted(events.values(), key=len, reverse=True)
    return sorted(largest[0], key=publish_order), sorted(largest[1], key=publish_order)


def _jsonl(path, articles):
    path.write_text("".join(json.dumps({"id": a.id, "title": a.title, "text": a.text,
                                        "published": a.published.isoformat()}) + "\n" for a in articles))
    return path


def _run(db, path) -> None:
    with open_store(db) as store:
        Runner(store, Config(), SerialExecutor()).run([path])


def _run_with_an_edit_between_parts(db, tmp_path, monkeypatch, edit):
    """Stories SX (an article of one event) and SY (three of another); then a run of six more articles of SY's
    event, two a part, calling ``edit(SX, SY)`` before the second part is placed. Gives SX, SY and the new ids."""
    x, y = _two_events()
    _run(db, _jsonl(tmp_path / "first.jsonl", x[:1] + y[:3]))
    with open_store(db) as store:
        sx, sy = store.story_of(x[0].id), store.story_of(y[0].id)
    assert sx != sy
    real, parts = Runner._merge_held, []

    def between_parts(self, merged):
        parts.append(merged)
        if len(parts) == 2:  # the first part is committed, the assigner holds its state; the second is assigned
            edit(sx, sy)
        return real(self, merged)

    monkeypatch.setattr(Runner, "PHASE_ARTICLES", 2)
    monkeypatch.setattr(Runner, "_merge_held", between_parts)
    _run(db, _jsonl(tmp_path / "second.jsonl", y[3:9]))
    assert len(parts) == 3
    return sx, sy, [a.id for a in y[3:9]]


def test_an_edit_during_a_run_waits_for_its_phases_and_then_applies(store_db, tmp_path, monkeypatch):
    """Merging SY into SX while the run places SY's articles: the merge waits for the run, then moves every
    article SY holds; SY is an alias only, and the assigner's state is cleared, not the run's stale one."""
    results, threads = [], []

    def merge_in_another_process(sx, sy):
        def merge():
            with open_store(store_db) as other:
                results.append(edits.merge_stories(other, sx, sy))

        threads.append(threading.Thread(target=merge))
        threads[0].start()
        threads[0].join(1.0)  # without the lock the merge is done by now

    sx, sy, new = _run_with_an_edit_between_parts(store_db, tmp_path, monkeypatch, merge_in_another_process)
    threads[0].join(60)
    with open_store(store_db) as store:
        assert store.resolve_story(sy) == sx and sy not in store.story_ids()
        assert not store.story_members(sy)
        assert store.cluster_state() is None
        assert results == [{"story": sx, "merged": sy, "moved": len(store.story_members(sx)) - 1}]
        assert sum(store.story_of(i) == sx for i in new) >= 2  # the articles the run placed in SY moved too


def test_an_edit_during_a_run_fails_in_one_line_after_its_wait(store_db, tmp_path, monkeypatch):
    """With a wait shorter than the run, the merge fails naming the store, and changes nothing: the run's stories
    and the assigner state it saved agree."""
    monkeypatch.setattr(edits, "EDIT_LOCK_WAIT", 0.2, raising=False)
    failed = []

    def merge(sx, sy):
        with open_store(store_db) as other:
            try:
                edits.merge_stories(other, sx, sy)
            except NewsfuseError as exc:
                failed.append(exc)

    sx, sy, new = _run_with_an_edit_between_parts(store_db, tmp_path, monkeypatch, merge)
    assert len(failed) == 1 and BUSY in str(failed[0]) and "\n" not in str(failed[0])
    with open_store(store_db) as store:
        assert store.path in str(failed[0])
        assert {sx, sy} <= set(store.story_ids()) and store.resolve_story(sy) == sy
        assert sum(store.story_of(i) == sy for i in new) >= 2
        assert store.cluster_state() is not None


def _fill(store) -> None:
    with store.transaction():
        for i, story in enumerate(["s1", "s1", "s2"]):
            store.add_article(Article(id=f"a{i}", text=f"senate vote {i}", published=WHEN + timedelta(hours=i)))
            store.set_story(f"a{i}", story, WHEN + timedelta(hours=i))
        store.set_cluster_state(b"\x01state")


EDITS = {
    "merge": lambda store: edits.merge_stories(store, "s1", "s2", wait=0.3),
    "split": lambda store: edits.split_articles(store, "s1", ["a1"], wait=0.3),
    "exclude": lambda store: edits.exclude_article(store, "s1", "a0", wait=0.3),
}


@pytest.mark.parametrize("action", sorted(EDITS))
def test_an_edit_while_another_holds_the_run_lock_fails_after_its_wait(store_db, action):
    with open_store(store_db) as store, open_store(store_db) as run:
        _fill(store)
        with run.exclusive():
            started = time.monotonic()
            with pytest.raises(NewsfuseError) as caught:
                EDITS[action](store)
            assert 0.3 <= time.monotonic() - started < 5
        assert type(caught.value).__name__ == "StoreBusyError"
        assert str(caught.value) == (f"{store.path}: a run is placing articles in this store (waited 0.3 s for it); "
                                     "retry the edit when it ends")
        assert {store.story_of(f"a{i}") for i in range(3)} == {"s1", "s2"} and store.cluster_state() == b"\x01state"
        EDITS[action](store)  # the run has let go
        assert store.cluster_state() is None


def test_an_edit_waits_for_a_run_that_ends_within_its_wait(store_db):
    with open_store(store_db) as store, open_store(store_db) as run:
        _fill(store)
        taken, done = threading.Event(), []

        def short_run():
            with run.exclusive():
                taken.set()
                time.sleep(0.5)
                done.append(time.monotonic())

        thread = threading.Thread(target=short_run)
        thread.start()
        assert taken.wait(10)
        result = edits.merge_stories(store, "s1", "s2", wait=30)
        applied = time.monotonic()
        thread.join(10)
        assert result == {"story": "s1", "merged": "s2", "moved": 1} and done and applied >= done[0]
