"""Analyst edits with allow_edits=True, on a store of their own; and the small Markdown renderer."""
from __future__ import annotations

import logging

from fastapi.testclient import TestClient

from newsfuse.store import SqliteStore
from newsfuse.web import create_app

from .conftest import XSS, build_store


def test_merge_and_exclude(tmp_path):
    path = tmp_path / "edit.db"
    ids = build_store(path, fillers=3)
    client = TestClient(create_app(str(path), allow_edits=True))
    merged = client.post(f"/api/stories/{ids['story']}/merge", params={"other": "s-filler-01"})
    assert merged.status_code == 200 and merged.json()["moved"] == 1
    assert client.get("/api/stories/s-filler-01").json()["id"] == ids["story"]  # the old id is an alias
    assert client.post(f"/api/stories/{ids['story']}/merge", params={"other": ids["story"]}).status_code == 400
    excluded = client.post(f"/api/stories/{ids['story']}/exclude", params={"article": ids["c"]})
    assert excluded.status_code == 200 and excluded.json()["articles"] == 3
    with SqliteStore(path, readonly=True) as store:
        assert store.story_of(ids["c"]) == "x" + ids["c"]  # out of the story, as a story of its own
    assert client.post(f"/api/stories/{ids['story']}/exclude", params={"article": ids["c"]}).status_code == 404


def test_an_edit_the_store_cannot_make_answers_503_not_400(tmp_path, monkeypatch, caplog):
    """A store error (a PostgreSQL connection lost more often than an edit is retried) is the server's, not the
    request's: 503 with the reason logged, as for a read."""
    from newsfuse.errors import StoreError
    from newsfuse.store import edits

    def lost(store, story_id, other):
        raise StoreError("postgresql://news@db.example/news: lost the connection inside a transaction")

    path = tmp_path / "edit.db"
    ids = build_store(path, fillers=3)
    client = TestClient(create_app(str(path), allow_edits=True))
    monkeypatch.setattr(edits, "merge_stories", lost)
    answer = client.post(f"/api/stories/{ids['story']}/merge", params={"other": "s-filler-01"})
    assert answer.status_code == 503 and "lost the connection" in caplog.text


def test_an_edit_while_a_run_holds_the_store_answers_503_with_retry_after(tmp_path, monkeypatch, caplog):
    """A run holding the store's run lock past the edit's wait: 503 with Retry-After and a message saying why,
    without the store's path; the edit changed nothing and goes through once the run ends."""
    from newsfuse.store import edits

    monkeypatch.setattr(edits, "EDIT_LOCK_WAIT", 0.2, raising=False)
    caplog.set_level(logging.WARNING, logger="newsfuse.web")  # whatever level an earlier test left it at
    path = tmp_path / "edit.db"
    ids = build_store(path, fillers=3)
    client = TestClient(create_app(str(path), allow_edits=True))
    merge = f"/api/stories/{ids['story']}/merge"
    with SqliteStore(path) as run, run.exclusive():
        answer = client.post(merge, params={"other": "s-filler-01"})
        excluded = client.post(f"/api/stories/{ids['story']}/exclude", params={"article": ids["c"]})
    assert answer.status_code == excluded.status_code == 503 and answer.headers["Retry-After"] == "30"
    assert answer.json()["error"] == "a run is placing articles in the store; retry the edit when it ends"
    assert str(path) not in answer.text
    assert "a run is placing articles" in caplog.text
    assert client.get("/api/stories/s-filler-01").json()["id"] == "s-filler-01"
    assert client.post(merge, params={"other": "s-filler-01"}).status_code == 200


def test_markdown_download_is_inert(tmp_path):
    from newsfuse.web.render import markdown

    path = tmp_path / "md.db"
    ids = build_store(path, fillers=0)
    with SqliteStore(path, readonly=True) as store:
        text = markdown(store.brief(ids["evil"]), store.articles([ids["x"]]))
    assert XSS not in text and "<script" not in text and "javascript:" not in text
    assert "&lt;script&gt;" in text
