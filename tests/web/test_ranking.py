"""The front page's order on a synthetic stream: stories whose articles arrive at known times, ranked as of the
newest arrival. What matters now puts growth first, then steady coverage, then the newest single report; a wire
story copied twelve times counts one source; a big story three days old comes last."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from newsfuse.records import Article, Brief, Duplicate, Entity, make_id
from newsfuse.store import SqliteStore
from newsfuse.web.listing import ListQuery, select
from newsfuse.web.ranking import now_score, ordered
from newsfuse.web.snapshot import build_snapshot

T = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
HOURS = {  # story -> arrival of each original, in hours before T; "wire" also has 12 copies of its original
    "breaking": [20, 2, 1, 0],
    "steady": [23, 19, 15, 11, 7, 3],
    "old-big": [80, 79, 78, 77, 76, 75, 74, 73, 72, 72],
    "wire": [2],
    "single": [0.5],
}


def _stream(path) -> None:
    with SqliteStore(path) as store, store.transaction():
        for story, hours in HOURS.items():
            for n, h in enumerate(hours):
                article = _article(story, n, T - timedelta(hours=h), f"outlet{n}.example")
                store.add_article(article)
                store.add_duplicate(Duplicate(article.id, None, "original"))
                store.set_story(article.id, story, article.published)
                if story == "wire":
                    for k in range(12):
                        copy = _article(story, 100 + k, T - timedelta(hours=h), f"reprint{k}.example")
                        store.add_article(copy)
                        store.add_duplicate(Duplicate(copy.id, article.id, "exact"))
                        store.set_story(copy.id, story, copy.published)
            store.set_brief(Brief(story, f"The {story} story",
                                  entities=(Entity("Ada Lovelace" if story == "steady" else "Alan Turing",
                                                   "PERSON", 2, ()),)))


def _article(story: str, n: int, when: datetime, site: str) -> Article:
    url = f"https://{site}/{story}/{n}"
    return Article(make_id(url=url), f"Report {n} on the {story} story.", f"{story} {n}", url, site, None, when,
                   "de" if story == "single" else "en")


@pytest.fixture(scope="module")
def snap(tmp_path_factory):
    path = tmp_path_factory.mktemp("ranking") / "stream.db"
    _stream(path)
    with SqliteStore(path, readonly=True) as store:
        return build_snapshot(store)


def _order(snap, sort: str, **filters) -> list[str]:
    return [s.id for s in select(snap, ListQuery(sort=sort, **filters))]


def test_what_matters_now_on_a_synthetic_stream(snap):
    assert snap.now == T  # the newest arrival (not the clock: the stream is in the past)
    assert _order(snap, "now") == ["breaking", "steady", "single", "wire", "old-big"]
    assert snap.stories["breaking"].recent == 3 and snap.stories["steady"].recent == 1
    assert snap.stories["wire"].sources == 1 and snap.stories["wire"].articles == 13


def test_other_orders(snap):
    assert _order(snap, "sources") == ["old-big", "steady", "breaking", "single", "wire"]
    assert _order(snap, "size") == ["wire", "old-big", "steady", "breaking", "single"]
    assert _order(snap, "latest") == ["breaking", "single", "wire", "steady", "old-big"]


def test_filters(snap):
    assert _order(snap, "now", entity="ada lovelace") == ["steady"]
    assert _order(snap, "now", language="de") == ["single"]
    assert _order(snap, "now", source="reprint3.example") == ["wire"]
    day = (T - timedelta(days=3)).date()
    assert _order(snap, "latest", until=day) == ["old-big"]
    assert "old-big" not in _order(snap, "now", since=T.date())


def test_an_entity_s_stories_keep_the_list_s_order(snap):
    """Alan Turing is in four stories' briefs: filtered by him, each order is the full list's without "steady"."""
    for sort in ("now", "sources", "size", "latest"):
        expected = [s for s in _order(snap, sort) if s != "steady"]
        assert _order(snap, sort, entity="Alan Turing") == expected
        assert _order(snap, sort, entity="alan turing", source="reprint3.example") == ["wire"]
    assert _order(snap, "now", entity="Nobody Known") == []


def test_the_formula():
    assert now_score(0, 0, 0) == 0
    assert now_score(4, 3, 0) > now_score(4, 0, 0)      # growth counts
    assert now_score(4, 0, 1) > now_score(4, 0, 30)     # so does recency: a day halves the weight
    assert now_score(4, 0, 24) == pytest.approx(now_score(4, 0, 0) / 2)
    assert now_score(10, 0, 0) > now_score(2, 0, 0)     # and independent sources
    with pytest.raises(ValueError):
        ordered([], "best")


def test_front_page_and_api_take_the_order(client, ids):
    page = client.get("/", params={"sort": "latest"})
    assert page.status_code == 200 and '<option value="latest" selected>' in page.text
    first = client.get("/api/stories", params={"sort": "now"}).json()["stories"][0]
    assert first["id"] == ids["story"] and first["recent"] == 2 and first["score"] > 0
    by_entity = client.get("/api/stories", params={"entity": "Kim Jong Un"}).json()
    assert [s["id"] for s in by_entity["stories"]] == [ids["story"]] and by_entity["total"] == 1
    assert client.get("/api/stories", params={"sort": "best"}).status_code == 422
    paged = client.get("/", params={"sort": "sources", "page": 1}).text
    assert "sort=sources" in paged and "page=2" in paged  # the pager keeps the order


def test_feed_follows_a_filter(client, ids):
    from xml.etree import ElementTree

    ns = {"a": "http://www.w3.org/2005/Atom"}
    body = client.get("/feed.xml", params={"entity": "Kim Jong Un"})
    entries = ElementTree.fromstring(body.content).findall("a:entry", ns)
    assert [e.find("a:id", ns).text.rsplit("/", 1)[1] for e in entries] == [ids["story"]]
    assert len(ElementTree.fromstring(client.get("/feed.xml", params={"source": "local1.example.org"}).content)
               .findall("a:entry", ns)) == 8
    page = client.get("/", params={"entity": "Kim Jong Un"}).text
    assert 'href="/feed.xml?entity=Kim+Jong+Un"' in page


def test_a_write_reaches_the_lists(tmp_path, monkeypatch):
    """/api/stories is exact at once after a write (it reads the store while the snapshot is behind); the front
    page's order catches up when the snapshot is rebuilt in the background."""
    import time

    from fastapi.testclient import TestClient

    from newsfuse.web import create_app, snapshot

    monkeypatch.setattr(snapshot, "REFRESH_SECONDS", 0.0)
    db = tmp_path / "live.db"
    _stream(db)
    with TestClient(create_app(str(db))) as client:
        assert client.get("/api/stories").json()["total"] == 5
        with SqliteStore(db) as store, store.transaction():
            article = _article("late", 0, T, "late.example")
            store.add_article(article)
            store.add_duplicate(Duplicate(article.id, None, "original"))
            store.set_story(article.id, "late", article.published)
        assert client.get("/api/stories").json()["total"] == 6  # at once
        deadline = time.monotonic() + 20
        while "/stories/late" not in client.get("/", params={"sort": "latest"}).text:
            assert time.monotonic() < deadline, "the snapshot was not rebuilt"
            time.sleep(0.1)


def test_api_rows_have_one_shape_whichever_path_answers(tmp_path):
    """/api/stories without sort answers from the snapshot or, after a write, from the store's SQL: same rows."""
    from fastapi.testclient import TestClient

    from newsfuse.web import create_app

    db = tmp_path / "shape.db"
    _stream(db)
    with TestClient(create_app(str(db))) as client:
        from_snapshot = client.get("/api/stories").json()
        with SqliteStore(db) as store, store.transaction():
            store.db.execute("UPDATE stories SET updated=updated")  # a write: the snapshot is behind
        from_sql = client.get("/api/stories").json()
    assert from_snapshot == from_sql and "score" not in from_sql["stories"][0]
