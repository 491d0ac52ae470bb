"""The seeds through `newsfuse run` and `export`, as a user runs them (into SQLite and into PostgreSQL); bad input
beside them."""
import copy
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from ..conftest import SEEDS, comparable_export

FURNITURE = ["advertisement", "skip to content", "leave a reply", "your email address will not be published",
             "watch on demand", "nowcast", "news at 10pm", "0 136"]
WORD = re.compile(r"\w+")


def newsfuse(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("newsfuse")
    proc = subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "200"})
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def grams(text: str, n: int) -> set:
    w = WORD.findall(text.lower())
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


def supports(sentence: str, doc: str) -> bool:
    s3, s1 = grams(sentence, 3), grams(sentence, 1)
    c3 = len(s3 & grams(doc, 3)) / len(s3) if s3 else 0
    c1 = len(s1 & grams(doc, 1)) / len(s1) if s1 else 0
    return c3 >= 0.5 or c1 >= 0.85


@pytest.fixture(scope="module")
def seeds_export(tmp_path_factory) -> dict:
    db = tmp_path_factory.mktemp("seeds") / "news.db"
    run = newsfuse("run", str(SEEDS), "--db", str(db))
    assert "2 documents read, 2 articles stored" in run.stderr
    return json.loads(newsfuse("export", "--db", str(db), "--format", "json").stdout)


def test_seeds_make_one_story_with_both_articles(seeds_export):
    (story,) = seeds_export["stories"]
    assert len(story["articles"]) == 2
    assert story["headline"]
    assert set(story["brief"]) == {"summary", "quotes", "entities", "timeline", "unique", "disagreements",
                                   "languages"}


def test_seed_texts_are_clean(seeds_export):
    for article in seeds_export["stories"][0]["articles"]:
        text = article["text"]
        assert "***" not in text
        lines = [line.strip().lower() for line in text.splitlines() if line.strip()]
        assert not [line for line in lines if any(line.startswith(f) for f in FURNITURE)]
        assert article["title"] and article["title"].lower() not in lines
        sentences = [" ".join(WORD.findall(s.lower())) for s in re.split(r"(?<=[.!?])\s+", text)]
        repeated = [s for s, k in Counter(x for x in sentences if len(x.split()) >= 6).items() if k > 1]
        assert not repeated


def test_every_summary_sentence_cites_exactly_the_articles_that_state_it(seeds_export):
    story = seeds_export["stories"][0]
    texts = {a["id"]: a["text"] for a in story["articles"]}
    summary = story["brief"]["summary"]
    assert summary
    for sentence in summary:
        expected = {i for i, t in texts.items() if supports(sentence["text"], t)}
        assert set(sentence["sources"]) == expected, sentence
    assert any(len(s["sources"]) == 2 for s in summary), "no sentence cites both pages, yet they share many"


def test_rerun_changes_nothing(tmp_path):
    db = tmp_path / "news.db"
    newsfuse("run", str(SEEDS), "--db", str(db))
    first = newsfuse("export", "--db", str(db)).stdout
    again = newsfuse("run", str(SEEDS), "--db", str(db))
    assert "0 articles stored (2 already stored)" in again.stderr
    assert newsfuse("export", "--db", str(db)).stdout == first


def test_postgresql_store_gives_what_the_sqlite_store_gives(seeds_export, postgres_url):
    """`run` then `export` into a PostgreSQL database: the export the SQLite store gives (seeds_export), save for
    when each store stored its articles; a rerun stores nothing and changes nothing."""
    run = newsfuse("run", str(SEEDS), "--db", postgres_url)
    assert "2 documents read, 2 articles stored" in run.stderr
    exported = newsfuse("export", "--db", postgres_url, "--format", "json").stdout
    assert comparable_export(json.loads(exported)["stories"]) == \
        comparable_export(copy.deepcopy(seeds_export)["stories"])
    again = newsfuse("run", str(SEEDS), "--db", postgres_url)
    assert "0 articles stored (2 already stored)" in again.stderr
    assert newsfuse("export", "--db", postgres_url, "--format", "json").stdout == exported


def test_an_unreachable_postgresql_server_is_one_line_naming_the_host(tmp_path):
    proc = newsfuse("export", "--db", "postgresql://ann:s3cret@127.0.0.1:1/news", check=False)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith("error: cannot connect to the PostgreSQL store postgresql://ann@127.0.0.1:1/news")
    assert "s3cret" not in proc.stderr and "after 6 attempts" in proc.stderr


def test_bad_input_is_reported_and_the_rest_lands(tmp_path, store_db):
    folder = tmp_path / "in"
    shutil.copytree(SEEDS, folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "random.html").write_bytes(os.urandom(4096))
    (folder / "notgzip.html.gz").write_bytes(b"<html>plain, not gzip</html>")
    good = {"id": "good1", "title": "Kim and Putin", "source": "Wire",
            "text": "North Korean leader Kim Jong Un sent a letter to Russian President Vladimir Putin, the White "
                    "House said, as Russia looks to Pyongyang for artillery shells for its war in Ukraine."}
    (folder / "mixed.jsonl").write_text(json.dumps(good) + "\n{this line is broken\n")
    latin = "Ukraine: the minister's plan\n\nThe café owner in Kyiv, Zoë, said the night's air-raid sirens " \
            "woke the whole street again, and that business had halved since the spring.\n"
    (folder / "latin1.txt").write_bytes(latin.encode("latin-1"))
    db = store_db
    proc = newsfuse("run", str(folder), "--db", str(db))
    err = proc.stderr
    assert "Traceback" not in err
    for name, reason in [("empty.txt", "empty"), ("random.html", "binary"), ("notgzip.html.gz", "bad_gzip"),
                         ("mixed.jsonl:2", "bad_json")]:
        assert re.search(rf"skipped \S*{re.escape(name)}: {reason}", err), (name, err)
    assert "4 failures" in err
    exported = json.loads(newsfuse("export", "--db", str(db)).stdout)
    ids = {a["id"] for s in exported["stories"] for a in s["articles"]}
    titles = {a["title"] for s in exported["stories"] for a in s["articles"]}
    assert "good1" in ids and len(ids) == 4
    assert any(t and "minister" in t for t in titles)
    texts = [a["text"] for s in exported["stories"] for a in s["articles"]]
    assert any("café owner in Kyiv, Zoë" in t for t in texts)


def test_misuse_is_one_line_and_exit_2(tmp_path):
    proc = newsfuse("export", "--db", str(tmp_path / "missing.db"), check=False)
    assert proc.returncode == 2 and proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr


def test_extract_prints_the_stable_fields():
    lines = newsfuse("extract", str(SEEDS)).stdout.splitlines()
    objs = [json.loads(line) for line in lines]
    assert len(objs) == 2
    for obj in objs:
        assert {"path", "url", "title", "site", "author", "published", "language", "text"} <= set(obj)


def test_stages_alone_over_jsonl(tmp_path):
    articles = tmp_path / "a.jsonl"
    articles.write_text(newsfuse("extract", str(SEEDS)).stdout)
    dedup = [json.loads(x) for x in newsfuse("dedup", str(articles)).stdout.splitlines()]
    assert len(dedup) == 2 and all({"id", "duplicate_of", "relation"} <= set(d) for d in dedup)
    cluster = [json.loads(x) for x in newsfuse("cluster", str(articles)).stdout.splitlines()]
    assert len({c["story"] for c in cluster}) == 1
    summ = [json.loads(x) for x in newsfuse("summarize", str(articles), "--words", "60").stdout.splitlines()]
    assert len(summ) == 1 and summ[0]["summary"]
    assert sum(len(s["text"].split()) for s in summ[0]["summary"]) <= 60


def test_stories_and_brief_commands(tmp_path):
    db = tmp_path / "news.db"
    newsfuse("run", str(SEEDS), "--db", str(db))
    (row,) = [json.loads(x) for x in newsfuse("stories", "--db", str(db), "--json").stdout.splitlines()]
    assert row["articles"] == 2
    md = newsfuse("brief", row["id"][:8], "--db", str(db)).stdout
    assert md.startswith("#") and "[1]" in md
    js = json.loads(newsfuse("brief", row["id"], "--db", str(db), "--format", "json").stdout)
    assert js["story"] == row["id"]
    page = newsfuse("brief", row["id"], "--db", str(db), "--format", "html").stdout
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page and "Podalyak" in page


def test_story_corrections_persist_across_runs(store_db):
    db = store_db
    newsfuse("run", str(SEEDS), "--db", str(db))
    (row,) = [json.loads(x) for x in newsfuse("stories", "--db", str(db), "--json").stdout.splitlines()]
    article = json.loads(newsfuse("export", "--db", str(db)).stdout)["stories"][0]["articles"][1]["id"]
    out = json.loads(newsfuse("story", "exclude", row["id"], article, "--db", str(db)).stdout)
    assert out["articles"] == 1
    newsfuse("run", str(SEEDS), "--db", str(db))  # a rerun does not undo the analyst's correction
    stories = json.loads(newsfuse("export", "--db", str(db)).stdout)["stories"]
    assert sorted(len(s["articles"]) for s in stories) == [1, 1]
    assert all(s["brief"]["summary"] for s in stories)  # both briefs rebuilt
    other = next(s["id"] for s in stories if s["id"] != row["id"])
    merged = json.loads(newsfuse("story", "merge", row["id"], other, "--db", str(db)).stdout)
    assert merged["story"] == row["id"]
    (story,) = json.loads(newsfuse("export", "--db", str(db)).stdout)["stories"]
    assert len(story["articles"]) == 2 and any(len(s["sources"]) == 2 for s in story["brief"]["summary"])
    assert json.loads(newsfuse("brief", other, "--db", str(db), "--format", "json").stdout)["story"] == row["id"]


def test_a_story_correction_while_a_run_holds_the_store_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    """`newsfuse story merge` waits for a run holding the store (edits.EDIT_LOCK_WAIT, shortened here), then
    gives up in one line that names the store and says to retry, as for any store error; nothing changed."""
    from newsfuse.cli import main
    from newsfuse.records import Article
    from newsfuse.store import SqliteStore, edits

    db = tmp_path / "news.db"
    with SqliteStore(db) as store, store.transaction():
        for i, story in enumerate(["s1", "s2"]):
            store.add_article(Article(id=f"a{i}", text=f"senate vote {i}"))
            store.set_story(f"a{i}", story, None)
    monkeypatch.setattr(edits, "EDIT_LOCK_WAIT", 0.2)
    monkeypatch.setattr(sys, "argv", ["newsfuse", "story", "merge", "s1", "s2", "--db", str(db)])
    with SqliteStore(db) as run, run.exclusive(), pytest.raises(SystemExit) as stopped:
        main()
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and err.count("\n") == 1
    assert err == f"error: {db}: a run is placing articles in this store (waited 0.2 s for it); retry the edit " \
                  "when it ends\n"
    with SqliteStore(db) as store:
        assert store.story_of("a1") == "s2"
