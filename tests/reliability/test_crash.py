"""Crash safety: `newsfuse run` killed with SIGKILL at random points, then restarted, loses and duplicates nothing."""
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ..conftest import DATA, comparable_export, shared_or_fail

KILLS = 4


ARTICLES = 5000


def allsides_jsonl(path: Path) -> int:
    """5,000 articles: the 921 AllSides articles, then follow-ups of them (each a later report of the same story
    with a sentence from another outlet's coverage added), dated a few hours apart per story."""
    start = datetime(2023, 1, 1, tzinfo=timezone.utc)
    stories = [json.loads(line) for line in shared_or_fail(DATA / "stories" / "allsides-roundups.jsonl").open()]
    docs = [(n, k, doc) for n, story in enumerate(stories) for k, doc in enumerate(story["docs"])]
    count = 0
    with path.open("w") as out:
        for round_ in range(ARTICLES // len(docs) + 1):
            for i, (n, k, doc) in enumerate(docs):
                if count == ARTICLES:
                    return count
                extra = "" if round_ == 0 else " " + docs[(i + 97 * round_) % len(docs)][2]["text"].split(". ")[0] + "."
                published = start + timedelta(days=n + 30 * round_, hours=k)
                out.write(json.dumps({"id": f"as-{doc['docno']}-{round_}", "title": doc["title"],
                                      "text": doc["text"] + extra, "source": ["left", "centre", "right"][k % 3],
                                      "published": published.isoformat()}) + "\n")
                count += 1
    return count


def run(args: list[str], kill_after: float | None = None) -> int:
    exe = Path(sys.executable).with_name("newsfuse")
    proc = subprocess.Popen([str(exe), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if kill_after is None:
        _, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err.decode()
        return proc.returncode
    time.sleep(kill_after)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 10
    while _processes_on(args[-1]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _processes_on(args[-1]), "the killed run left worker processes behind"
    return proc.returncode


def _processes_on(db: str) -> list[str]:
    """Processes whose command line names the store (a killed run's orphaned workers would)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if db in text and "pytest" not in text:
            found.append(text)
    return found


def export(db: Path) -> dict:
    """The export as ``comparable_export`` leaves it (everything but when each store stored its articles)."""
    exe = Path(sys.executable).with_name("newsfuse")
    out = subprocess.run([str(exe), "export", "--db", str(db)], capture_output=True, text=True, timeout=300, check=True)
    data = json.loads(out.stdout)
    comparable_export(data["stories"])
    return data


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("corpus") / "allsides.jsonl"
    return path, allsides_jsonl(path)


def test_sigkill_at_random_points_loses_and_duplicates_nothing(corpus, tmp_path):
    path, count = corpus
    clean_db, db = tmp_path / "clean.db", tmp_path / "killed.db"
    started = time.monotonic()
    run(["run", str(path), "--db", str(clean_db)])
    full = time.monotonic() - started
    rng = random.Random(20261123)
    # Each restart resumes what the killed one left, so later runs have less to do: kill them sooner.
    codes = [run(["run", str(path), "--db", str(db)], kill_after=rng.uniform(0.3, 0.8) * full / (1 + i))
             for i in range(KILLS)]
    assert codes[0] == -signal.SIGKILL and codes.count(-signal.SIGKILL) >= 2, codes  # really killed, mid-run
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    run(["run", str(path), "--db", str(db)])
    stored = sqlite3.connect(clean_db).execute("SELECT count(*) FROM articles").fetchone()[0]
    assert count * 0.9 < stored <= count  # the shortest few are skipped as too_short, in both runs
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    count = stored
    assert con.execute("SELECT count(*), count(DISTINCT id) FROM articles").fetchone() == (count, count)
    assert con.execute("SELECT count(*) FROM duplicates").fetchone()[0] == count
    assert con.execute("SELECT count(*) FROM story_articles").fetchone()[0] == count
    assert con.execute("SELECT count(*) FROM stories WHERE brief_stale=1").fetchone()[0] == 0
    con.close()
    assert export(db) == export(clean_db)  # the same stories, lineage and briefs as a run never interrupted
