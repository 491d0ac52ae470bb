"""Alerts: the CLI's add, list and remove with their validation, which stories match (over both stores), and
each alert's feed and the /api/alerts list."""
import json
from xml.etree import ElementTree as ET

import pytest

from newsfuse.alerts import check_alert, matching_stories
from newsfuse.errors import ConfigError, NotFoundError, StoreError
from newsfuse.store import alerts as stored
from newsfuse.store import open_store

from ..cli.test_end_to_end import newsfuse
from ..web.conftest import build_store

ATOM = "{http://www.w3.org/2005/Atom}"


def test_cli_adds_lists_and_removes_alerts(tmp_path):
    db = str(tmp_path / "news.db")
    added = json.loads(newsfuse("alert", "add", "letters", "--query", "Putin letters", "--entity", "Kim Jong Un",
                                "--db", db).stdout)
    assert added["feed"] == "/alerts/letters/feed.xml" and added["webhook"] is None
    newsfuse("alert", "add", "wx", "--source", "wxii12.com", "--webhook", "https://me:s3cret@hooks.example/h",
             "--db", db)
    listed = [json.loads(line) for line in newsfuse("alerts", "--db", db).stdout.splitlines()]
    assert [(a["name"], a["query"], a["entity"], a["source"]) for a in listed] == [
        ("letters", "Putin letters", "Kim Jong Un", None), ("wx", None, None, "wxii12.com")]
    assert listed[1]["webhook"] == "https://me:***@hooks.example/h"
    assert json.loads(newsfuse("alert", "remove", "letters", "--db", db).stdout) == {"removed": "letters"}
    assert [json.loads(line)["name"] for line in newsfuse("alerts", "--db", db).stdout.splitlines()] == ["wx"]


@pytest.mark.parametrize("args, says", [
    (["bad name", "--query", "x"], "alert name 'bad name'"),
    (["a/b", "--query", "x"], "letters, digits"),
    (["nothing"], "at least one of --query, --entity or --source"),
    (["hook", "--query", "x", "--webhook", "ftp://example.org/h"], "--webhook must be an http"),
    (["hook", "--query", "x", "--webhook", "https://"], "--webhook must be an http"),
])
def test_cli_refuses_a_bad_alert_in_one_line(tmp_path, args, says):
    proc = newsfuse("alert", "add", *args, "--db", str(tmp_path / "news.db"), check=False)
    assert proc.returncode == 2 and says in proc.stderr
    assert proc.stderr.startswith("error: ") and len(proc.stderr.strip().splitlines()) == 1


def test_cli_refuses_a_taken_name_and_an_unknown_one(tmp_path):
    db = str(tmp_path / "news.db")
    newsfuse("alert", "add", "a", "--query", "x", "--db", db)
    taken = newsfuse("alert", "add", "a", "--query", "y", "--db", db, check=False)
    missing = newsfuse("alert", "remove", "b", "--db", db, check=False)
    assert (taken.returncode, missing.returncode) == (2, 2)
    assert "exists" in taken.stderr and "no alert 'b'" in missing.stderr


def test_check_alert_keeps_what_was_given():
    assert check_alert("x_1-2", " Putin ", "", None, "http://127.0.0.1:9/h") == {
        "name": "x_1-2", "query": "Putin", "entity": None, "source": None, "webhook": "http://127.0.0.1:9/h"}
    with pytest.raises(ConfigError):
        check_alert("", "x")


@pytest.fixture()
def store(store_db):
    ids = build_store(store_db, fillers=6)
    with open_store(store_db) as opened:
        yield opened, ids


def test_matching_by_query_entity_and_outlet(store):
    db, ids = store
    story = ids["story"]
    fillers = {f"s-filler-{n:02d}" for n in range(6)}

    def match(**alert):
        return matching_stories(db, {"name": "t", **alert})

    assert match(query="Putin") == [story]
    assert set(match(query="budget")) == fillers
    assert match(query="budget", source="wxii12.com") == []
    assert match(entity="kim jong un") == [story] and match(entity="KIM") == [story]  # a variant, case aside
    assert match(query="Putin", entity="Nobody") == []
    assert match(source="WXII12.com") == [story] and match(source="copies.example.net") == [story]
    assert match(query="Putin", entity="Pyongyang", source="wionews.com") == [story]
    assert match(query='Putin "') == [story]  # an unbalanced quote is matched as plain words
    assert matching_stories(db, {"name": "t", "query": "budget"}, ["s-filler-01", story]) == ["s-filler-01"]
    assert matching_stories(db, {"name": "t", "query": "budget"}, []) == []
    newest = match(query="budget")  # newest activity first
    assert newest == sorted(fillers, reverse=True)


def test_alerts_and_hits_round_trip(store):
    db, ids = store
    stored.add_alert(db, {"name": "a", "query": "Putin", "webhook": "http://127.0.0.1:9/h"})
    with pytest.raises(StoreError):
        stored.add_alert(db, {"name": "a", "query": "x"})
    stored.record_hits(db, [("a", ids["story"], "new story", 2)])
    stored.record_hits(db, [("a", ids["story"], "new story", 5)])  # recorded once: the first stays
    assert stored.hits_of(db, "a", [ids["story"]]) == {ids["story"]: {"new story": 2}}
    [owed] = stored.owed_hits(db)
    stored.mark_hit(db, owed, "HTTP 500")
    assert stored.owed_hits(db)[0]["attempts"] == 1
    stored.mark_hit(db, owed, None)
    assert stored.owed_hits(db) == []
    stored.remove_alert(db, "a")
    assert stored.alerts(db) == [] and stored.hits_of(db, "a", [ids["story"]]) == {}
    with pytest.raises(NotFoundError):
        stored.remove_alert(db, "a")


def test_each_alert_has_a_feed_and_the_api_lists_alerts_without_secrets(tmp_path):
    from fastapi.testclient import TestClient

    from newsfuse.web import create_app

    db = str(tmp_path / "news.db")
    ids = build_store(db, fillers=4)
    with open_store(db) as opened:
        stored.add_alert(opened, {"name": "letters", "query": "letters", "entity": "Kim Jong Un",
                                  "webhook": "https://me:s3cret@hooks.example/T0/B1/token?key=abc"})
        stored.add_alert(opened, {"name": "budgets", "query": "budget"})
    with TestClient(create_app(db)) as client:
        feed = client.get("/alerts/letters/feed.xml")
        assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
        root = ET.fromstring(feed.content)
        assert root.find(f"{ATOM}title").text == "newsfuse alert: letters"
        assert [e.find(f"{ATOM}id").text.rsplit("/", 1)[1] for e in root.iter(f"{ATOM}entry")] == [ids["story"]]
        budgets = ET.fromstring(client.get("/alerts/budgets/feed.xml").content)
        assert [e.find(f"{ATOM}id").text.rsplit("/", 1)[1] for e in budgets.iter(f"{ATOM}entry")] == [
            f"s-filler-{n:02d}" for n in (3, 2, 1, 0)]
        assert client.get("/alerts/nope/feed.xml").status_code == 404
        listed = client.get("/api/alerts")
    assert listed.status_code == 200
    assert [a["name"] for a in listed.json()["alerts"]] == ["budgets", "letters"]
    letters = listed.json()["alerts"][1]
    assert letters["webhook_host"] == "hooks.example" and letters["feed"] == "/alerts/letters/feed.xml"
    assert "s3cret" not in listed.text and "token" not in listed.text and "webhook" not in letters
