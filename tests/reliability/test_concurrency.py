"""Many processes on one store, on each backend: `newsfuse serve` answers while `newsfuse run` writes the store,
and while a run is killed mid-way; two `newsfuse run` processes at once place every article exactly once.

serve runs as a subprocess on a free 127.0.0.1 port; a thread polls /api/stories, / and /api/search with httpx
(bounded in count and time) while `newsfuse run` stores a few hundred AllSides articles. Two runs at once: storing
is ``ON CONFLICT DO NOTHING``, and a run's dedup, clustering and brief phases take turns (``Store.exclusive``).
"""
from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from newsfuse.store import open_store

from ..conftest import DATA, shared_or_fail
from .backends import Backend

ARTICLES = 200
EXE = Path(sys.executable).with_name("newsfuse")
PATHS = ("/api/stories", "/", "/api/search?q=senate", "/api/stories?limit=100&offset=20")
LOCKED = "database is locked"


@pytest.fixture(scope="module")
def articles_jsonl(tmp_path_factory) -> Path:
    """The first few hundred AllSides articles as article objects {id, title, text, source}."""
    path = tmp_path_factory.mktemp("concurrency") / "articles.jsonl"
    count = 0
    with path.open("w") as out:
        for line in shared_or_fail(DATA / "stories" / "allsides-roundups.jsonl").open():
            for k, doc in enumerate(json.loads(line)["docs"]):
                out.write(json.dumps({"id": f"as-{doc['docno']}", "title": doc["title"], "text": doc["text"],
                                      "source": ["left", "centre", "right"][k % 3]}) + "\n")
                count += 1
            if count >= ARTICLES:
                return path
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(db: str, log: Path):
    """`newsfuse serve` on a free port; yields the base URL; stops the server (SIGTERM, then SIGKILL) after."""
    open_store(db).close()  # serve needs an existing, migrated store
    port = free_port()
    with log.open("wb") as err:
        proc = subprocess.Popen([str(EXE), "serve", "--db", str(db), "--port", str(port)],
                                stdout=subprocess.DEVNULL, stderr=err)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                httpx.get(base + "/api/stories", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


class Poller(threading.Thread):
    """Requests the pages in turn until stopped, at most ``limit`` requests or ``seconds``."""

    def __init__(self, base: str, limit: int = 5000, seconds: float = 240) -> None:
        super().__init__(daemon=True)
        self.base, self.limit, self.seconds = base, limit, seconds
        self.stop = threading.Event()
        self.statuses: Counter[int] = Counter()
        self.problems: list[str] = []

    def run(self) -> None:
        deadline = time.monotonic() + self.seconds
        with httpx.Client(base_url=self.base, timeout=30) as client:
            n = 0
            while not self.stop.is_set() and n < self.limit and time.monotonic() < deadline:
                path = PATHS[n % len(PATHS)]
                n += 1
                try:
                    response = client.get(path)
                except httpx.HTTPError as exc:
                    self.problems.append(f"{path}: {type(exc).__name__}: {exc}")
                    continue
                self.statuses[response.status_code] += 1
                if response.status_code >= 500 or LOCKED in response.text:
                    self.problems.append(f"{path}: {response.status_code} {response.text[:300]}")

    def finish(self) -> None:
        self.stop.set()
        self.join(60)
        assert not self.is_alive()


def start_run(source: Path, db: str, log: Path) -> subprocess.Popen:
    with log.open("wb") as err:
        return subprocess.Popen([str(EXE), "run", str(source), "--db", db], stdout=subprocess.DEVNULL, stderr=err)


# SQLite only: it guards readers against "database is locked" while a run writes; PostgreSQL's readers never wait
# for a writer, and the killed-run test below has serve polled through a whole run (the rerun) on both backends.
def test_serve_answers_while_run_writes(articles_jsonl, tmp_path, capsys):
    backend = Backend("sqlite", tmp_path)
    db = backend.new_db()
    with serving(db, tmp_path / "serve.log") as base:
        poller = Poller(base)
        poller.start()
        run = start_run(articles_jsonl, db, tmp_path / "run.log")
        code = run.wait(300)
        time.sleep(0.5)  # a few polls after the run too
        poller.finish()
        final = httpx.get(base + "/api/stories", timeout=30).json()
    with capsys.disabled():
        print(f"\nserve during run ({backend.name}): {sum(poller.statuses.values())} requests, "
              f"statuses {dict(poller.statuses)}")
    run_log, serve_log = (tmp_path / "run.log").read_text(), (tmp_path / "serve.log").read_text()
    assert code == 0, run_log
    assert not poller.problems, poller.problems[:5]
    assert LOCKED not in run_log and LOCKED not in serve_log
    assert sum(poller.statuses.values()) >= 20 and set(poller.statuses) <= {200}, poller.statuses
    assert final["total"] == backend.count(db, "SELECT count(*) FROM stories") > 10
    assert backend.count(db, "SELECT count(*) FROM articles") > ARTICLES - 30


def test_serve_keeps_answering_when_run_is_killed(articles_jsonl, backend, tmp_path):
    db = backend.new_db()
    with serving(db, tmp_path / "serve.log") as base:
        poller = Poller(base)
        poller.start()
        run = start_run(articles_jsonl, db, tmp_path / "run.log")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and run.poll() is None:  # kill once the first batch is stored
            if backend.count(db, "SELECT count(*) FROM articles") > 0:
                break
            time.sleep(0.05)
        time.sleep(0.5)
        run.send_signal(signal.SIGKILL)
        assert run.wait(30) == -signal.SIGKILL, "the run finished before it could be killed"
        time.sleep(1.0)  # serve goes on answering over the store the killed run left
        poller.finish()
        backend.check(db)
        after = httpx.get(base + "/api/stories", timeout=30)
        assert after.status_code == 200
        # and a rerun finishes the work while serve still reads
        poller2 = Poller(base)
        poller2.start()
        assert start_run(articles_jsonl, db, tmp_path / "rerun.log").wait(300) == 0
        poller2.finish()
        final = httpx.get(base + "/api/stories", timeout=30).json()
    assert not poller.problems and not poller2.problems, (poller.problems + poller2.problems)[:5]
    assert set(poller.statuses) | set(poller2.statuses) <= {200}
    for log in ("serve.log", "run.log", "rerun.log"):
        assert LOCKED not in (tmp_path / log).read_text()
    backend.check(db)
    assert backend.count(db, "SELECT count(*) FROM stories WHERE brief_stale=1") == 0
    assert final["total"] == backend.count(db, "SELECT count(*) FROM stories") > 10
    assert backend.count(db, "SELECT count(*) FROM articles") > ARTICLES - 30


# What two runs at once leave, counted from outside the store.
COUNTS = {"articles": "SELECT count(*) FROM articles", "ids": "SELECT count(DISTINCT id) FROM articles",
          "linked": "SELECT count(*) FROM duplicates", "placed": "SELECT count(*) FROM story_articles",
          "stale": "SELECT count(*) FROM stories WHERE brief_stale=1",
          "briefless": "SELECT count(*) FROM stories s "
                       "WHERE NOT EXISTS (SELECT 1 FROM briefs b WHERE b.story_id = s.id)",
          "overlapping_runs": "SELECT count(*) FROM runs a JOIN runs b ON a.id < b.id "
                              "AND a.started <= b.finished AND b.started <= a.finished"}


def test_two_runs_at_once_place_every_article_once(articles_jsonl, backend, tmp_path):
    db, lines = backend.new_db(), articles_jsonl.read_text().splitlines(keepends=True)
    third = len(lines) // 3
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("".join(lines[:2 * third]))  # the middle third is in both inputs
    second.write_text("".join(lines[third:]))
    open_store(db).close()  # the schema exists before the two race (concurrent creation: tests/store)
    runs = [start_run(source, db, tmp_path / f"{source.stem}.log") for source in (first, second)]
    codes = [run.wait(600) for run in runs]
    errors = [(tmp_path / f"{source.stem}.log").read_text() for source in (first, second)]
    assert codes == [0, 0], errors
    stored = [int(err.split(" articles stored")[0].rsplit(" ", 1)[1]) for err in errors]
    found = {name: backend.count(db, sql) for name, sql in COUNTS.items()}
    assert found["overlapping_runs"] >= 1, "the two runs did not overlap in time"
    assert found["articles"] == found["ids"] == found["linked"] == found["placed"] > 0.9 * len(lines), found
    assert sum(stored) == found["articles"]  # each new article counted by exactly one of the runs
    assert found["stale"] == found["briefless"] == 0, found
    backend.check(db)

