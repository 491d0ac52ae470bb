"""Entity pages (/entities/NAME) and outlet pages (/sources/NAME), as HTML and JSON."""
from __future__ import annotations

from urllib.parse import quote


def test_entity_api(client, ids):
    body = client.get("/api/entities/Kim Jong Un").json()
    assert {"name", "label", "stories", "quotes"} <= set(body)
    assert body["name"] == "Kim Jong Un" and body["label"] == "PERSON" and body["variants"] == ["Kim"]
    assert [s["id"] for s in body["stories"]] == [ids["story"]] and body["stories"][0]["mentions"] == 6
    assert body["co_occurring"] == [{"name": "Pyongyang", "label": "GPE", "stories": 1}]
    assert client.get("/api/entities/kim").json()["name"] == "Kim Jong Un"  # a variant, any case
    quoted = client.get("/api/entities/Mykhailo Podalyak")
    assert quoted.status_code == 404  # a speaker the brief does not list as an entity
    missing = client.get("/api/entities/Nobody At All")
    assert missing.status_code == 404 and "no person" in missing.json()["error"]


def test_entity_page(client, ids):
    page = client.get("/entities/Kim Jong Un")
    assert page.status_code == 200 and "<h1>Kim Jong Un</h1>" in page.text
    assert f'href="/stories/{ids["story"]}"' in page.text and 'href="/entities/Pyongyang"' in page.text
    assert "No quote of Kim Jong Un" in page.text
    evil = client.get("/entities/" + quote("name <script>alert(1)</script><img src=x onerror=alert(1)>", safe=""))
    assert evil.status_code == 200 and "<script>alert(1)" not in evil.text
    assert client.get("/entities/Nobody").status_code == 404


def test_entity_quotes(tmp_path):
    from fastapi.testclient import TestClient

    from newsfuse.records import Article, Brief, Duplicate, Entity, Quote
    from newsfuse.store import SqliteStore
    from newsfuse.web import create_app

    db = tmp_path / "q.db"
    with SqliteStore(db) as store, store.transaction():
        store.add_article(Article("a1", "Kirby spoke.", "Kirby", site="x.example"))
        store.add_duplicate(Duplicate("a1", None, "original"))
        store.set_story("a1", "s1", None)
        store.set_brief(Brief("s1", "Kirby speaks", quotes=(Quote("We are watching", "John Kirby", ("a1",)),),
                              entities=(Entity("John Kirby", "PERSON", 2, ("a1",), ("Kirby",)),)))
    with TestClient(create_app(str(db))) as client:
        body = client.get("/api/entities/Kirby").json()
        assert body["quotes"] == [{"story": "s1", "text": "We are watching", "sources": ["a1"],
                                   "headline": "Kirby speaks"}]
        assert "We are watching" in client.get("/entities/John Kirby").text


def test_outlet_api_measures_the_lineage(client, ids):
    body = client.get("/api/sources/wionews.com").json()
    assert {k: body[k] for k in ("name", "articles", "stories", "first_reports", "copies_of_others",
                                 "copied_by_others")} == {"name": "wionews.com", "articles": 1, "stories": 1,
                                                          "first_reports": 1, "copies_of_others": 0,
                                                          "copied_by_others": 1}
    assert body["copied_by"] == [{"outlet": "copies.example.net", "copies": 1}]
    copier = client.get("/api/sources/copies.example.net").json()
    assert copier["copies_of_others"] == 1 and copier["first_reports"] == 0
    assert copier["copied_from"] == [{"outlet": "wionews.com", "copies": 1}]
    assert client.get("/api/sources/wxii12.com").json()["first_reports"] == 0
    assert client.get("/api/sources/WIONEWS.COM").json()["name"] == "wionews.com"
    assert client.get("/api/sources/nowhere.example").status_code == 404


def test_outlet_page(client, ids):
    page = client.get("/sources/wionews.com")
    assert page.status_code == 200 and "<h1>wionews.com</h1>" in page.text
    assert "<dt>First to report</dt><dd>1 story (100% of its stories)</dd>" in page.text
    assert 'href="/sources/copies.example.net"' in page.text and "first to report</strong>" in page.text
    assert f'href="/stories/{ids["story"]}"' in page.text
    assert client.get("/sources/nowhere.example").status_code == 404
    story = client.get(f"/stories/{ids['story']}").text
    assert 'href="/sources/wxii12.com"' in story and 'href="/entities/Kim%20Jong%20Un"' in story


def test_hostile_outlet_and_entity_names_are_escaped(client, ids):
    from .conftest import XSS

    for path in (f"/sources/{quote('site' + XSS, safe='')}", f"/entities/{quote('name ' + XSS, safe='')}"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert XSS not in page.text and "&lt;script&gt;" in page.text, path
    assert client.get(f"/api/sources/{quote('site' + XSS, safe='')}").json()["name"] == "site" + XSS
