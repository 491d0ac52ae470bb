"""Crash safety: `newsfuse run` killed with SIGKILL at random points, then restarted, loses and duplicates nothing,
on each store backend."""
import json
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path

import pytest

from newsfuse.store import open_store

from ..conftest import DATA, comparable_export, shared_or_fail

ARTICLES = 5000
# Per backend: the articles of the input (some_stories), and where each kill lands before the run that finishes.
# A kill waits until the killed run commits rows to the table named (articles while it stores, links when its
# clustering begins, briefs while it briefs), then a random moment more, so the kills fall in those phases
# whatever the machine's speed, one kill per phase. PostgreSQL's run is about 1.6x slower per article: a shorter
# input.
PLAN = {"sqlite": (2000, ("articles", "duplicates", "briefs")),
        "postgresql": (275, ("articles", "duplicates", "briefs"))}


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


def run(args: list[str]) -> None:
    exe = Path(sys.executable).with_name("newsfuse")
    out = subprocess.run([str(exe), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=900)
    assert out.returncode == 0, out.stderr.decode()


def run_killed(args: list[str], rows: Callable[[], int], delay: float) -> int:
    """Start ``newsfuse run``, wait until ``rows()`` grows (the run has committed in the phase it counts), wait
    ``delay`` seconds more, then SIGKILL it; its exit code (0 when it finished first)."""
    exe = Path(sys.executable).with_name("newsfuse")
    before = rows()
    proc = subprocess.Popen([str(exe), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while proc.poll() is None and rows() <= before and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(delay)
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


def export(db: str) -> dict:
    """The export as ``comparable_export`` leaves it (everything but when each store stored its articles)."""
    exe = Path(sys.executable).with_name("newsfuse")
    out = subprocess.run([str(exe), "export", "--db", db], capture_output=True, text=True, timeout=300, check=True)
    data = json.loads(out.stdout)
    comparable_export(data["stories"])
    return data


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "allsides.jsonl"
    allsides_jsonl(path)
    return path


def some_stories(path: Path, count: int, folder: Path) -> Path:
    """About ``count`` lines of ``path``: its first documents with every later follow-up of them, so a short input
    still has stories that grow over the run (or ``path`` itself when ``count`` covers it)."""
    lines = path.read_text().splitlines(keepends=True)
    if count >= len(lines):
        return path
    docs = [json.loads(line)["id"].rsplit("-", 1)[0] for line in lines]
    rounds = len(lines) / len(set(docs))
    kept = set(list(dict.fromkeys(docs))[:round(count / rounds)])
    (folder / path.name).write_text("".join(line for line, doc in zip(lines, docs) if doc in kept))
    return folder / path.name


def test_sigkill_at_random_points_loses_and_duplicates_nothing(corpus, backend, tmp_path):
    wanted, kills = PLAN[backend.name]
    path = some_stories(corpus, wanted, tmp_path)
    articles = len(path.read_text().splitlines())
    clean_db, db = backend.new_db(), backend.new_db()
    run(["run", str(path), "--db", clean_db])
    open_store(db).close()  # its tables exist before the first kill's rows are counted
    rng = random.Random(20261123)
    codes = [run_killed(["run", str(path), "--db", db], partial(backend.count, db, f"SELECT count(*) FROM {table}"),
                        rng.uniform(0.0, 1.0)) for table in kills]
    assert codes == [-signal.SIGKILL] * len(kills), codes  # each run really killed, in the phase planned
    backend.check(db)
    run(["run", str(path), "--db", db])
    stored = backend.count(clean_db, "SELECT count(*) FROM articles")
    assert articles * 0.9 < stored <= articles  # the shortest few are skipped as too_short, in both runs
    backend.check(db)
    assert backend.one(db, "SELECT count(*), count(DISTINCT id) FROM articles") == (stored, stored)
    assert backend.count(db, "SELECT count(*) FROM duplicates") == stored
    assert backend.count(db, "SELECT count(*) FROM story_articles") == stored
    assert backend.count(db, "SELECT count(*) FROM stories WHERE brief_stale=1") == 0
    resumed, uninterrupted = export(db), export(clean_db)
    assert resumed == uninterrupted, first_difference(resumed["stories"], uninterrupted["stories"])


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
