"""Many writers on one PostgreSQL store: two `newsfuse run` processes at once, and a run killed with SIGKILL.

Both place every article exactly once: storing is ``ON CONFLICT DO NOTHING``, and a run's dedup, clustering and
brief phases take turns through an advisory lock (``PostgresStore.exclusive``); what a killed run committed stays,
what it did not is redone by the next run, which ends with the export an uninterrupted run gives.
"""
from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import newsfuse
from newsfuse.store import open_store

from ..conftest import comparable_export
from .test_crash import allsides_jsonl

EXE = str(Path(sys.executable).with_name("newsfuse"))
ARTICLES = 180


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[str]:
    """The first ARTICLES lines of test_crash's dated AllSides stream (originals, then later follow-ups)."""
    path = tmp_path_factory.mktemp("pg-corpus") / "all.jsonl"
    allsides_jsonl(path)
    return path.read_text().splitlines()[:ARTICLES]


def write(lines: list[str], path: Path) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def start(source: Path, db: str) -> subprocess.Popen:
    return subprocess.Popen([EXE, "run", str(source), "--db", db], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> str:
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return err


def counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        return {"articles": one("SELECT count(*) FROM articles"), "ids": one("SELECT count(DISTINCT id) FROM articles"),
                "linked": one("SELECT count(*) FROM duplicates"), "placed": one("SELECT count(*) FROM story_articles"),
                "stale": one("SELECT count(*) FROM stories WHERE brief_stale=1"),
                "briefless": one("SELECT count(*) FROM stories s WHERE NOT EXISTS "
                                 "(SELECT 1 FROM briefs b WHERE b.story_id = s.id)"),
                "overlapping_runs": one("SELECT count(*) FROM runs a JOIN runs b ON a.id < b.id "
                                        "AND a.started <= b.finished AND b.started <= a.finished")}


def export(db: str) -> list[dict]:
    return comparable_export(json.loads(json.dumps(newsfuse.export(db))))


def test_two_runs_at_once_place_every_article_once(corpus, tmp_path, postgres_cluster):
    url = postgres_cluster.create_database()
    third = len(corpus) // 3
    first = write(corpus[:2 * third], tmp_path / "first.jsonl")  # the middle third is in both inputs
    second = write(corpus[third:], tmp_path / "second.jsonl")
    open_store(url).close()  # the schema exists before the two race (concurrent creation: tests/store)
    runs = [start(first, url), start(second, url)]
    errors = [finish(run) for run in runs]
    stored = [int(err.split(" articles stored")[0].rsplit(" ", 1)[1]) for err in errors]
    found = counts(url)
    assert found["overlapping_runs"] >= 1, "the two runs did not overlap in time"
    assert found["articles"] == found["ids"] == found["linked"] == found["placed"] > 0.9 * len(corpus)
    assert sum(stored) == found["articles"]  # each new article counted by exactly one of the runs
    assert found["stale"] == found["briefless"] == 0


def test_a_run_killed_with_sigkill_loses_and_doubles_nothing(corpus, tmp_path, postgres_cluster):
    source = write(corpus, tmp_path / "corpus.jsonl")
    clean, killed = postgres_cluster.create_database(), postgres_cluster.create_database()
    open_store(killed).close()
    started = time.monotonic()
    newsfuse.run([source], clean)  # uninterrupted, in this process (the killed one needs its own)
    full = time.monotonic() - started
    proc = start(source, killed)
    while proc.poll() is None and counts(killed)["articles"] == 0:  # until its first batch is committed
        time.sleep(0.05)
    time.sleep(random.Random(20261207).uniform(0.0, 0.15) * full)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(60) == -signal.SIGKILL, "the run finished before it could be killed"
    finish(start(source, killed))
    found = counts(killed)
    assert found["articles"] == found["ids"] == found["linked"] == found["placed"] == counts(clean)["articles"]
    assert found["stale"] == 0
    resumed, uninterrupted = export(killed), export(clean)
    assert resumed == uninterrupted, first_difference(resumed, uninterrupted)


def first_difference(resumed: list[dict], uninterrupted: list[dict]) -> str:
    """Where two exports first differ: the story, the field and both values, briefly."""
    if len(resumed) != len(uninterrupted):
        return f"{len(resumed)} stories against {len(uninterrupted)}"
    for mine, theirs in zip(resumed, uninterrupted):
        for key in sorted(set(mine) | set(theirs)):
            if mine.get(key) != theirs.get(key):
                return (f"story {mine['id']} / {theirs['id']}, {key}: resumed {json.dumps(mine.get(key))[:400]} "
                        f"uninterrupted {json.dumps(theirs.get(key))[:400]}")
    return "equal"
