"""Upgrades: stores written at schema versions 1 and 2 open, migrate and keep every row; a populated v1 store
round-trips through the pipeline to the same stories, lineage and briefs as a store that was never old."""
# SQLite only: no PostgreSQL store had versions 1-4 (it starts at 5); a newer one refused: tests/store/test_postgres.py
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsfuse import api
from newsfuse.config import Config
from newsfuse.pipeline import Runner
from newsfuse.store import SqliteStore
from newsfuse.store.schema import MIGRATIONS, SCHEMA_VERSION

from ..conftest import DATA, shared_or_fail

V1_TABLES = ("articles", "duplicates", "dedup_state", "stories", "story_articles", "story_aliases", "briefs", "runs",
             "failures")


def old_store(path: Path, version: int) -> sqlite3.Connection:
    con = sqlite3.connect(path)
    con.executescript("".join(MIGRATIONS[v] + ";" for v in range(1, version + 1)) + f"PRAGMA user_version={version};")
    return con


def test_a_version_2_store_migrates_without_loss(tmp_path):
    path = tmp_path / "v2.db"
    con = old_store(path, 2)
    con.execute("INSERT INTO articles (id, text, title, site, published, added) VALUES "
                "('a1', 'Kirby said so on Monday.', 'T', 'left', '2024-01-01T00:00:00+00:00', '2024-01-02')")
    con.execute("INSERT INTO duplicates VALUES ('a1', NULL, 'original', 1.0)")
    con.execute("INSERT INTO dedup_state VALUES ('a1', x'0102')")
    con.execute("INSERT INTO stories (id, headline, first_seen, last_seen) VALUES ('sa1', 'T', '2024-01-01', "
                "'2024-01-01')")
    con.execute("INSERT INTO story_articles VALUES ('a1', 'sa1')")
    con.execute("INSERT INTO story_aliases VALUES ('sold', 'sa1')")
    con.execute("INSERT INTO briefs VALUES ('sa1', ?, '2024-01-02')", (json.dumps({"story": "sa1", "headline": "T"}),))
    con.execute("INSERT INTO fetch_state VALUES ('http://x/feed', 'etag1', 'Mon', '2024-01-02')")
    con.execute("INSERT INTO feed_seen VALUES ('k1', '2024-01-02')")
    con.commit()
    before = {t: con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in V1_TABLES + ("fetch_state",
                                                                                             "feed_seen")}
    con.close()
    with SqliteStore(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        after = {t: store.db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in before}
        assert {t: [tuple(r)[:len(before[t][0]) if before[t] else 0] for r in rows] for t, rows in after.items()} \
            == before
        assert store.resolve_story("sold") == "sa1" and store.brief("sa1").headline == "T"
        assert store.stale_briefs() == ["sa1"]  # rebuilt by the next run
        assert store.search("Kirby")[0][0] == "a1"
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with SqliteStore(path, readonly=True) as store:  # and the web's read-only open accepts it now
        assert store.article("a1").text == "Kirby said so on Monday."


@pytest.mark.parametrize("version", [1, 2])
def test_a_store_from_a_newer_newsfuse_is_refused_not_damaged(tmp_path, version):
    from newsfuse.errors import StoreError

    path = tmp_path / "new.db"
    con = old_store(path, version)
    con.execute(f"PRAGMA user_version={SCHEMA_VERSION + 5}")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="newer than this newsfuse"):
        SqliteStore(path)


def _articles_jsonl(path: Path, stories: int = 12) -> Path:
    start = datetime(2023, 1, 1, tzinfo=timezone.utc)
    with path.open("w") as out:
        for n, line in enumerate(shared_or_fail(DATA / "stories" / "allsides-roundups.jsonl").open()):
            if n == stories:
                break
            for k, doc in enumerate(json.loads(line)["docs"]):
                out.write(json.dumps({"id": f"as-{doc['docno']}", "title": doc["title"], "text": doc["text"],
                                      "source": ["left", "centre", "right"][k % 3],
                                      "published": (start + timedelta(days=n, hours=k)).isoformat()}) + "\n")
    return path


def test_a_populated_version_1_store_round_trips_through_the_pipeline(tmp_path):
    source = _articles_jsonl(tmp_path / "in.jsonl")
    fresh = tmp_path / "fresh.db"
    with SqliteStore(fresh) as store:
        Runner(store, Config()).run([source])
    expected = api.export(fresh)
    assert len(expected) >= 5
    # The same data, as a newsfuse of schema version 1 would have left it.
    old = tmp_path / "v1.db"
    con = old_store(old, 1)
    con.execute("ATTACH DATABASE ? AS src", (str(fresh),))
    for table in V1_TABLES:
        columns = [r[1] for r in con.execute(f"PRAGMA main.table_info({table})")]
        names = ", ".join(columns)
        con.execute(f"INSERT INTO main.{table} ({names}) SELECT {names} FROM src.{table}")
    con.commit()
    con.execute("DETACH DATABASE src")
    con.close()
    assert api.export(old) == expected  # opening migrates, and nothing is lost
    with SqliteStore(old) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert len(store.stale_briefs()) == len(expected)  # the old briefs are rebuilt on the next run
        report = Runner(store, Config()).run([source])
        assert report.articles == 0 and report.unchanged > 0 and store.stale_briefs() == []
        assert store.search("Senate")
    assert api.export(old) == expected


@pytest.mark.parametrize("version", [1, 5])
def test_undated_articles_of_an_old_store_show_when_they_were_stored(tmp_path, version):
    """Every schema version records when an article was first stored (``articles.added``, UTC), so a store written
    before story times fell back to it shows them too, marked "stored", without a migration of its own."""
    path = tmp_path / "old.db"
    con = old_store(path, version)
    for aid, added in (("a1", "2024-01-02T10:00:00+00:00"), ("a2", "2024-01-03T11:30:00+00:00")):
        con.execute("INSERT INTO articles (id, text, title, path, added) VALUES (?, 'Kirby said so.', 'T', ?, ?)",
                    (aid, f"/srv/in/{aid}.txt", added))
        con.execute("INSERT INTO duplicates VALUES (?, NULL, 'original', 1.0)", (aid,))
        con.execute("INSERT INTO story_articles VALUES (?, 'sa1')", (aid,))
    con.execute("INSERT INTO stories (id, headline, first_seen, last_seen) VALUES ('sa1', 'T', NULL, NULL)")
    con.commit()
    con.close()
    (row,) = api.stories(path)
    assert (row["first_seen"], row["last_seen"]) == ("2024-01-02T10:00:00+00:00", "2024-01-03T11:30:00+00:00")
    assert row["first_seen_source"] == row["last_seen_source"] == "stored"
    (story,) = api.export(path)
    assert {a["id"]: (a["published"], a["stored"], a["outlet"]) for a in story["articles"]} == {
        "a1": (None, "2024-01-02T10:00:00+00:00", "a1.txt"), "a2": (None, "2024-01-03T11:30:00+00:00", "a2.txt")}
