"""Articles as the bundled examples give them (text files: no site, no URL, no publication time) in the web UI and
the JSON API: each source is named by its outlet (here the file's name), and a story's times are when newsfuse first
and last stored its articles, marked as such, instead of nothing."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from newsfuse.records import Article, Brief, Cited, Duplicate
from newsfuse.store import SqliteStore

TEXT = "The White House said Putin and Kim Jong Un swapped letters. Kirby said so on Wednesday."


@pytest.fixture(scope="module")
def undated(tmp_path_factory):
    from fastapi.testclient import TestClient

    from newsfuse.web import create_app

    db = tmp_path_factory.mktemp("undated") / "news.db"
    articles = [Article(id="a1", text=TEXT, title="Letters swapped", path="/srv/feeds/examples/000_seed.txt"),
                Article(id="a2", text=TEXT + " More.", title="Putin and Kim", url="https://www.wxii12.com/a/1")]
    before = datetime.now(timezone.utc).replace(microsecond=0)
    with SqliteStore(db) as store, store.transaction():
        for article in articles:
            store.add_article(article)
            store.add_duplicate(Duplicate(article.id, None, "original"))
            store.set_story(article.id, "s-a1", None)
        store.set_brief(Brief("s-a1", "Letters", summary=(Cited(TEXT.split(". ")[0] + ".", ("a1", "a2")),)))
    with TestClient(create_app(str(db))) as client:
        yield client, before


def test_api_story_times_are_the_stored_times_marked_as_such(undated):
    client, before = undated
    (row,) = client.get("/api/stories").json()["stories"]
    assert row["first_seen"] and row["last_seen"], row
    assert datetime.fromisoformat(row["first_seen"]) >= before
    assert datetime.fromisoformat(row["first_seen"]).utcoffset().total_seconds() == 0  # aware UTC
    assert row["first_seen_source"] == row["last_seen_source"] == "stored"
    assert row["sites"] == [] and row["outlets"] == ["000_seed.txt", "wxii12.com"]
    story = client.get("/api/stories/s-a1").json()
    assert story["first_seen_source"] == "stored" and story["first_seen"] == row["first_seen"]
    assert {m["id"]: m["stored"] is not None for m in story["articles"]} == {"a1": True, "a2": True}
    assert {m["id"]: m["outlet"] for m in story["articles"]} == {"a1": "000_seed.txt", "a2": "wxii12.com"}
    assert all("path" not in m for m in story["articles"])  # the file's name, not the server's folders
    article = client.get("/api/articles/a1").json()
    assert article["outlet"] == "000_seed.txt" and article["stored"] == row["first_seen"]


def test_pages_name_the_outlet_and_say_first_stored(undated):
    client, _ = undated
    story = client.get("/stories/s-a1").text
    assert "first stored" in story and "no publication time" in story
    assert "000_seed.txt" in story and "wxii12.com" in story and "unknown source" not in story
    assert "/srv/feeds" not in story
    download = client.get("/stories/s-a1/brief.html").text
    assert "000_seed.txt: Letters swapped" in download and "first stored" in download
    md = client.get("/stories/s-a1/brief.md").text
    assert "000\\_seed.txt" in md and "wxii12.com" in md
    article = client.get("/articles/a1").text
    assert "First stored" in article and "000_seed.txt" in article
    index = client.get("/").text
    assert "last stored" in index
    assert re.search(r">000_seed.txt</a>,\s*<a [^>]*>wxii12.com</a>", index)  # each links to its outlet's page
    assert "000_seed.txt" in client.get("/search", params={"q": "Kirby"}).text


def test_feed_gives_no_publication_time_for_a_stored_time(undated):
    client, _ = undated
    feed = client.get("/feed.xml").text
    assert "<updated>" in feed and "<published>" not in feed.split("<entry>")[1]


def test_date_filters_and_order_use_the_stored_times_too(undated):
    client, before = undated
    day = before.date().isoformat()
    assert client.get("/api/stories", params={"since": day}).json()["total"] == 1
    assert client.get("/api/stories", params={"until": day}).json()["total"] == 1
    assert client.get("/api/stories", params={"until": "2000-01-01"}).json()["total"] == 0
    assert "s-a1" in client.get("/", params={"since": day}).text
