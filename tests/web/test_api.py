"""The JSON API under /api, over a store written record by record."""
from __future__ import annotations


def test_stories_biggest_first_with_counts(client, ids):
    body = client.get("/api/stories").json()
    assert body["total"] == 27 and body["limit"] == 20 and body["offset"] == 0
    first = body["stories"][0]
    assert first["id"] == ids["story"]
    assert first["articles"] == 3 and first["sources"] == 2  # the exact copy is not an independent source
    assert first["headline"].startswith("White House: Putin and Kim")
    assert first["teaser"].startswith("The White House said")
    assert set(first["sites"]) == {"wionews.com", "wxii12.com", "copies.example.net"}


def test_stories_pagination(client):
    page1 = client.get("/api/stories", params={"limit": 10}).json()["stories"]
    page2 = client.get("/api/stories", params={"limit": 10, "offset": 10}).json()["stories"]
    page3 = client.get("/api/stories", params={"limit": 10, "offset": 20}).json()["stories"]
    ids = [s["id"] for s in page1 + page2 + page3]
    assert len(page1) == len(page2) == 10 and len(page3) == 7
    assert len(set(ids)) == 27


def test_stories_filters(client, ids):
    by_source = client.get("/api/stories", params={"source": "wxii12.com"}).json()
    assert [s["id"] for s in by_source["stories"]] == [ids["story"]] and by_source["total"] == 1
    september = client.get("/api/stories", params={"since": "2023-09-01", "until": "2023-09-30"}).json()
    assert ids["story"] in {s["id"] for s in september["stories"]}
    assert all(s["last_seen"] >= "2023-09-01" for s in september["stories"])
    one_day = client.get("/api/stories", params={"since": "2023-08-05", "until": "2023-08-05"}).json()
    assert [s["id"] for s in one_day["stories"]] == ["s-filler-04"]


def test_stories_bad_parameters_are_422(client):
    assert client.get("/api/stories", params={"since": "yesterday"}).status_code == 422
    assert client.get("/api/stories", params={"limit": 0}).status_code == 422
    assert client.get("/api/stories", params={"limit": 1000}).status_code == 422


def test_story_with_brief_and_lineage(client, ids):
    body = client.get(f"/api/stories/{ids['story']}").json()
    assert body["id"] == ids["story"] and body["sources"] == 2
    lineage = {a["id"]: (a["relation"], a["duplicate_of"]) for a in body["articles"]}
    assert lineage[ids["c"]] == ("exact", ids["a"]) and lineage[ids["a"]] == ("original", None)
    brief = body["brief"]
    assert set(brief) >= {"summary", "quotes", "entities", "timeline", "unique", "disagreements"}
    assert brief["summary"][1]["sources"] == [ids["a"], ids["b"], ids["c"]]


def test_story_by_unique_prefix(client, ids):
    assert client.get(f"/api/stories/{ids['story'][:8]}").json()["id"] == ids["story"]


def test_article_with_lineage(client, ids):
    original = client.get(f"/api/articles/{ids['a']}").json()
    assert original["source"] == "wionews.com" and "Sergei Shoigu" in original["text"]
    assert original["relation"] == "original" and original["copies"] is None
    assert [c["id"] for c in original["copied_by"]] == [ids["c"]]
    assert original["story"]["id"] == ids["story"]
    copy = client.get(f"/api/articles/{ids['c']}").json()
    assert copy["copies"]["id"] == ids["a"] and copy["relation"] == "exact"


def test_search(client, ids):
    body = client.get("/api/search", params={"q": "Shoigu"}).json()
    found = {r["id"] for r in body["results"]}
    assert {ids["a"], ids["b"], ids["c"]} <= found
    assert any("[Shoigu]" in r["snippet"] for r in body["results"])


def test_search_bad_syntax_falls_back_to_words(client, ids):
    body = client.get("/api/search", params={"q": 'Shoigu "AND'}).json()
    assert ids["b"] in {r["id"] for r in body["results"]}
    assert client.get("/api/search", params={"q": '"'}).json()["results"] == []


def test_not_found_is_json(client):
    for path in ("/api/stories/nope", "/api/articles/nope", "/api/nothing"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/json")
        assert "error" in response.json()


def test_openapi_and_docs(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/stories", "/api/stories/{story_id}", "/api/articles/{article_id}", "/api/search"} <= set(spec["paths"])
    assert "/" not in spec["paths"]  # pages are not part of the API
    assert client.get("/docs").status_code == 200


def test_edits_are_forbidden_by_default(client, ids):
    response = client.post(f"/api/stories/{ids['story']}/merge", params={"other": "s-filler-01"})
    assert response.status_code == 403 and "allow-edits" in response.json()["error"]
    assert client.post(f"/api/stories/{ids['story']}/exclude", params={"article": ids["c"]}).status_code == 403
