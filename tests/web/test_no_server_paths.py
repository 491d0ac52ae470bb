"""Error pages and API errors never show the server's paths (the store's path, its folder), whatever went wrong."""
from __future__ import annotations

from pathlib import Path

import pytest


def _leaks(text: str, db: Path) -> list[str]:
    return [p for p in {str(db), str(db.resolve()), str(db.parent), str(db.resolve().parent), db.name} if p in text]


@pytest.mark.parametrize("path", ["/stories/nope", "/articles/nope", "/stories/nope/brief.md", "/nothing",
                                  "/api/stories/nope", "/api/articles/nope", "/api/nothing"])
def test_not_found_pages_and_errors_show_no_path(client, web_store, path):
    response = client.get(path)
    assert response.status_code == 404, path
    assert not _leaks(response.text, web_store[0]), (path, response.text[:500])
    assert "nope" in response.text or path == "/nothing" or path == "/api/nothing"  # still says what is missing


def test_a_story_prefix_that_matches_several_says_so_without_the_path(client, web_store):
    response = client.get("/api/stories/s-filler-")  # 25 filler stories share this prefix
    assert response.status_code == 404 and "several stories" in response.json()["error"]
    assert not _leaks(response.text, web_store[0])


@pytest.mark.parametrize("path", ["/", "/stories/x", "/api/stories", "/api/search?q=x"])
def test_a_missing_store_is_reported_without_its_path(tmp_path, path):
    from fastapi.testclient import TestClient

    from newsfuse.web import create_app

    db = tmp_path / "private-folder" / "news.db"
    with TestClient(create_app(str(db))) as client:
        response = client.get(path)
    assert response.status_code == 503
    assert "no store yet" in response.text and "private-folder" not in response.text
    assert not _leaks(response.text, db)


def test_an_unreadable_store_is_reported_without_its_path(tmp_path, caplog):
    from fastapi.testclient import TestClient

    from newsfuse.web import create_app

    db = tmp_path / "private-folder" / "news.db"
    db.parent.mkdir()
    db.write_bytes(b"this is not an SQLite file" * 100)
    with TestClient(create_app(str(db))) as client:
        page, api = client.get("/"), client.get("/api/stories")
    assert page.status_code == api.status_code == 503
    assert "cannot be read" in page.text and "cannot be read" in api.json()["error"]
    assert not _leaks(page.text + api.text, db)
    assert str(db) in caplog.text  # the operator still learns which file and why, from the server's log
