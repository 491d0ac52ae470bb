"""Story lifecycle: a story goes cold after ``window_days``; a later development of its storyline founds a new
story linked to the earlier one (``related`` in the assigner, the export and the web API), not swallowed by it."""
import json
from datetime import timedelta

from newsfuse import api
from newsfuse.cluster import StoryAssigner
from newsfuse.config import ClusterConfig, Config
from newsfuse.records import Article
from newsfuse.executors import SerialExecutor
from newsfuse.pipeline import Runner
from newsfuse.store import SqliteStore

from .test_cluster import T0, wikiref
from .test_held import BRIDGE, BUDGET, FERRY

LATER = Article(id="x4", title="Quayside ferry pontoons fail again weeks after repairs",
                published=T0 + timedelta(days=40),
                text="The harbour ferry was withdrawn from service on Monday when the new steel pontoons at the Quayside "
                     "terminal failed an inspection, weeks after engineers fitted them. The city council, which voted "
                     "to fund the service for another year, said commuters would take buses while the harbour ferry "
                     "is repaired.")  # the same storyline, weeks later (not a copy: dedup would join it)


def test_a_later_development_is_a_new_story_linked_to_the_cold_one():
    assigner = StoryAssigner(ClusterConfig(window_days=14))
    first = assigner.assign_many(wikiref()[0][:30] + [FERRY, BRIDGE])
    later = assigner.assign_many([LATER])
    assert first[FERRY.id] == first[BRIDGE.id] != later[LATER.id]
    links = assigner.related([first[FERRY.id], later[LATER.id], "snot-held"])
    assert [s for s, _ in links[later[LATER.id]]] == [first[FERRY.id]]
    assert [s for s, _ in links[first[FERRY.id]]][:1] == [later[LATER.id]]
    assert links["snot-held"] == []
    assert all(0 < score <= 1 for found in links.values() for _, score in found)


def test_unrelated_stories_are_not_linked():
    assigner = StoryAssigner(ClusterConfig(window_days=14))
    placed = assigner.assign_many(wikiref()[0][:30] + [FERRY])
    assert assigner.related([placed[FERRY.id]])[placed[FERRY.id]] == []


def _ferry_store(tmp_path):
    """A store of the ferry stories and the later development, one run (window 14 days); its path."""
    rows = [{"id": a.id, "title": a.title, "text": a.text, "published": a.published.isoformat()}
            for a in (FERRY, BUDGET, BRIDGE, LATER)]
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    db = tmp_path / "n.db"
    with SqliteStore(db) as store:
        Runner(store, Config(cluster=ClusterConfig(window_days=14)), SerialExecutor()).run([path])
    return db


def test_export_and_api_carry_related_stories(tmp_path):
    db = _ferry_store(tmp_path)
    with SqliteStore(db) as store:
        later, early = store.story_of(LATER.id), store.story_of(FERRY.id)
    assert later != early
    stories = {s["id"]: s for s in api.export(db)}
    assert [r["id"] for r in stories[later]["related"]] == [early]
    assert stories[later]["related"][0]["headline"] == stories[early]["headline"]
    with SqliteStore(db) as store:  # an analyst's edit drops the saved state: related is rebuilt from the texts
        store.set_cluster_state(None)
    assert {s["id"]: s["related"] for s in api.export(db)} == {i: s["related"] for i, s in stories.items()}

    from fastapi.testclient import TestClient

    from newsfuse.web import create_app

    client = TestClient(create_app(db))
    body = client.get(f"/api/stories/{later}").json()
    assert [r["id"] for r in body["related"]] == [early]
    page = client.get(f"/stories/{later}").text
    assert 'id="related"' in page and f'href="/stories/{early}"' in page


def test_runs_store_related_links_so_readers_never_load_the_assigner(tmp_path):
    db = _ferry_store(tmp_path)
    with SqliteStore(db) as store:
        later, early = store.story_of(LATER.id), store.story_of(FERRY.id)
        assert store.related_stale() == []
        assert [s for s, _ in store.related(later)] == [early]
        assert [s for s, _ in store.related(early)][:1] == [later]  # kept in both directions
        expected = {s["id"]: s["related"] for s in api.export(db)}
        # A state no assigner could read: the export and the story page answer from the stored links alone.
        store.set_cluster_state(b"not a saved state")
    assert {s["id"]: s["related"] for s in api.export(db)} == expected
    from fastapi.testclient import TestClient

    from newsfuse.web import create_app

    body = TestClient(create_app(db)).get(f"/api/stories/{later}").json()
    assert [r["id"] for r in body["related"]] == [early]


def test_an_edited_story_has_its_links_computed_again(tmp_path):
    from newsfuse.store.edits import split_articles

    db = _ferry_store(tmp_path)
    with SqliteStore(db) as store:
        early, later = store.story_of(FERRY.id), store.story_of(LATER.id)
        split = split_articles(store, early, [BRIDGE.id])
        assert store.related(early) is None and store.related(split["new_story"]) is None
        assert {early, split["new_story"]} <= set(store.related_stale())
    stories = {s["id"]: s for s in api.export(db)}  # computed from the rebuilt assigner, as the next run would
    assert later in [r["id"] for r in stories[early]["related"]]
