"""The response cache (web/cache.py): the same bytes as without it, a write or an edit seen on the next request, 304
on a matching ETag, errors never kept, its bounds held."""
from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest
from fastapi.testclient import TestClient

from newsfuse.records import Article, Duplicate, make_id
from newsfuse.store import open_store
from newsfuse.web import create_app
from newsfuse.web.cache import CachedResponse, ResponseCache, etag_matches

from .conftest import build_store

PATHS = ("/", "/?sort=latest&page=2", "/?source=wxii12.com", "/api/stories", "/api/stories?sort=now&limit=5",
         "/stories/{story}", "/stories/{story}/brief.md", "/stories/{story}/brief.json", "/articles/{b}",
         "/api/stories/{story}", "/api/articles/{c}", "/entities/Kim%20Jong%20Un", "/api/entities/Pyongyang",
         "/sources/wxii12.com", "/api/sources/wionews.com", "/search?q=Putin", "/api/search?q=letters",
         "/feed.xml", "/feed.xml?source=wionews.com", "/api/alerts", "/openapi.json")
HARBOUR = Article(make_id(url="https://harbour.example.com/bridge"), "The harbour bridge reopened on Tuesday after "
                  "two years of repairs, the city's transport office said in a statement.", "Harbour bridge reopens",
                  "https://harbour.example.com/bridge", "harbour.example.com", None,
                  datetime(2023, 9, 14, 8, 0, tzinfo=timezone.utc), "en")


def add_story(db: str, article: Article = HARBOUR, story: str = "s-harbour") -> None:
    """A write as a run makes it: one more article, in a story of its own."""
    with open_store(db) as store, store.transaction():
        store.add_article(article)
        store.add_duplicate(Duplicate(article.id, None, "original"))
        store.set_story(article.id, story, article.published)


@pytest.fixture(scope="module")
def clients(web_store):
    """The same store served with the cache and without it."""
    with TestClient(create_app(str(web_store[0]))) as cached, \
            TestClient(create_app(str(web_store[0]), cache_mb=0)) as plain:
        yield cached, plain


def test_cached_answers_are_the_bytes_of_uncached_ones(clients, ids):
    cached, plain = clients
    for path in (p.format(**ids) for p in PATHS):
        expected = plain.get(path)
        assert expected.status_code == 200, path
        answers = [cached.get(path) for _ in range(3)]  # the first may build the snapshot, the third is kept
        for answer in answers:
            assert answer.status_code == 200 and answer.content == expected.content, path
            assert answer.headers["content-type"] == expected.headers["content-type"], path
        assert answers[-1].headers["x-cache"] == "hit", path
        assert answers[-1].headers["etag"] == answers[0].headers["etag"], path
        assert answers[-1].headers["cache-control"] == "no-cache"  # revalidate with the ETag before each use
        assert answers[-1].headers["content-security-policy"] == expected.headers["content-security-policy"]
    assert "etag" not in plain.get("/api/stories").headers  # --cache-mb 0 is the server as it was


def test_matching_etag_gets_304_without_a_body(clients, ids):
    cached, _ = clients
    path = f"/api/stories/{ids['story']}"
    first = cached.get(path)
    tag = first.headers["etag"]
    for header in (tag, f'W/{tag}', f'"other", {tag}', "*"):
        again = cached.get(path, headers={"If-None-Match": header})
        assert again.status_code == 304 and again.content == b"", header
        assert again.headers["etag"] == tag and again.headers["cache-control"] == "no-cache"
        assert "x-frame-options" in again.headers
    assert cached.get(path, headers={"If-None-Match": '"other"'}).content == first.content
    assert cached.get("/api/stories", headers={"If-None-Match": tag}).status_code == 200


def test_errors_are_never_kept(clients):
    cached, _ = clients
    for path in ("/api/stories/s-nothing", "/stories/s-nothing", "/api/stories?limit=0", "/nowhere"):
        answers = [cached.get(path) for _ in range(3)]
        assert all(a.status_code >= 400 and a.headers["x-cache"] == "miss" for a in answers), path
        assert "etag" not in answers[-1].headers


def test_a_write_is_seen_on_the_next_request(store_db):
    """A run writing the store from another process: the pages read from the store change at once, those read
    from the snapshot when it is rebuilt, and nothing answered between is kept."""
    build_store(store_db, fillers=3)
    with TestClient(create_app(store_db)) as client:
        paths = ("/api/stories/s-harbour", "/api/search?q=harbour", "/search?q=harbour", "/api/stories?limit=50")
        before = {path: [client.get(path) for _ in range(3)] for path in paths}
        assert before["/api/stories/s-harbour"][-1].status_code == 404
        assert before["/api/search?q=harbour"][-1].json()["results"] == []
        assert before["/api/stories?limit=50"][-1].headers["x-cache"] == "hit"
        add_story(store_db)  # within the second of the last read: the version must not rest on file times
        story = client.get("/api/stories/s-harbour")
        assert story.status_code == 200 and story.json()["articles"][0]["id"] == HARBOUR.id
        assert [r["id"] for r in client.get("/api/search?q=harbour").json()["results"]] == [HARBOUR.id]
        assert "Harbour bridge reopens" in client.get("/search?q=harbour").text
        listed = client.get("/api/stories?limit=50")
        assert listed.headers["x-cache"] == "miss" and "s-harbour" in {s["id"] for s in listed.json()["stories"]}
        front = [client.get("/?sort=latest") for _ in range(2)]
        assert [f.headers["x-cache"] for f in front] == ["miss", "miss"]  # the snapshot trails: nothing kept
        client.app.state.snapshots._refresh()  # the rebuild the server makes within seconds
        front = [client.get("/?sort=latest") for _ in range(2)]
        assert [f.headers["x-cache"] for f in front] == ["miss", "hit"]
        assert "/stories/s-harbour" in front[-1].text


def warmed(*clients: TestClient) -> None:
    """Wait for each server's snapshot, which a thread builds at start: a response kept before it lands is keyed by
    the snapshot it was made with, so the next request would be a miss (a race, not a stale answer)."""
    deadline = time.monotonic() + 60
    while any(c.app.state.snapshots.current is None for c in clients) and time.monotonic() < deadline:
        time.sleep(0.02)


def test_an_edit_is_seen_on_the_next_request(tmp_path):
    """An edit through this server, and one through another server process on the same store (another worker)."""
    db = str(tmp_path / "edit.db")
    ids = build_store(db, fillers=3)
    with TestClient(create_app(db, allow_edits=True)) as client, \
            TestClient(create_app(db, allow_edits=True)) as other:
        warmed(client, other)
        path = f"/api/stories/{ids['story']}"
        assert [client.get(path).headers["x-cache"] for _ in range(2)] == ["miss", "hit"]
        assert len(client.get(path).json()["articles"]) == 3
        assert client.post(f"{path}/exclude", params={"article": ids["c"]}).status_code == 200
        assert len(client.get(path).json()["articles"]) == 2
        assert client.get(path).headers["x-cache"] == "hit"
        assert other.post(f"{path}/exclude", params={"article": ids["b"]}).status_code == 200
        seen = client.get(path)
        assert seen.headers["x-cache"] == "miss" and [a["id"] for a in seen.json()["articles"]] == [ids["a"]]
        plain = TestClient(create_app(db, allow_edits=True, cache_mb=0))
        for page in (f"/stories/{ids['story']}", f"/api/articles/{ids['b']}", f"/articles/{ids['c']}"):
            assert client.get(page).content == plain.get(page).content, page


def test_the_cache_keeps_within_its_bounds():
    cache = ResponseCache(max_bytes=10_000, max_entries=5)

    def entry(size: int) -> CachedResponse:
        return CachedResponse(200, ((b"content-type", b"text/plain"),), b"x" * size, b'"t"')

    for n in range(5):
        cache.put(("small", n), entry(100))
    cache.get(("small", 0))  # used lately: stays
    cache.put(("small", 5), entry(100))
    assert len(cache) == 5 and ("small", 1) not in cache.entries and ("small", 0) in cache.entries
    for n in range(3):
        cache.put(("big", n), entry(1_000))
    assert cache.bytes <= 10_000 and len(cache) <= 5
    cache.put(("huge",), entry(5_000))  # more than an eighth of the budget: never kept
    assert ("huge",) not in cache.entries
    for n in range(40):
        cache.put(("big", n), entry(1_200))
        assert cache.bytes <= 10_000 and len(cache) <= 5
        assert cache.bytes == sum(e.size for e in cache.entries.values())
    cache.clear()
    assert len(cache) == 0 and cache.bytes == 0


def test_the_server_cache_keeps_within_its_budget(web_store):
    with TestClient(create_app(str(web_store[0]), cache_mb=0.1)) as client:
        cache = client.app.state.response_cache
        for n in range(60):
            assert client.get(f"/api/stories?limit=20&offset={n % 27}&x={n}").status_code == 200
            assert cache.bytes <= 100_000 and len(cache) <= cache.max_entries
        assert 0 < len(cache) < 60


def test_if_none_match_parsing():
    assert etag_matches('"a", W/"b"', b'"b"') and etag_matches("*", b'"z"')
    assert not etag_matches(None, b'"a"') and not etag_matches('"ab"', b'"a"') and not etag_matches("", b'"a"')
