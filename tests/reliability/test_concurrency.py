"""`newsfuse serve` answers while `newsfuse run` writes the same store, and while a run is killed mid-way.

serve runs as a subprocess on a free 127.0.0.1 port; a thread polls /api/stories, / and /api/search with httpx
(bounded in count and time) while `newsfuse run` stores a few hundred AllSides articles.
"""
from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from newsfuse.store import SqliteStore

from ..conftest import DATA, shared_or_fail

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
def serving(db: Path, log: Path):
    """`newsfuse serve` on a free port; yields the base URL; stops the server (SIGTERM, then SIGKILL) after."""
    with SqliteStore(db):
        pass  # serve needs an existing, migrated store
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


def start_run(source: Path, db: Path, log: Path) -> subprocess.Popen:
    with log.open("wb") as err:
        return subprocess.Popen([str(EXE), "run", str(source), "--db", str(db)], stdout=subprocess.DEVNULL,
                                stderr=err)


def test_serve_answers_while_run_writes(articles_jsonl, tmp_path, capsys):
    db = tmp_path / "news.db"
    with serving(db, tmp_path / "serve.log") as base:
        poller = Poller(base)
        poller.start()
        run = start_run(articles_jsonl, db, tmp_path / "run.log")
        code = run.wait(300)
        time.sleep(0.5)  # a few polls after the run too
        poller.finish()
        final = httpx.get(base + "/api/stories", timeout=30).json()
    with capsys.disabled():
        print(f"\nserve during run: {sum(poller.statuses.values())} requests, statuses {dict(poller.statuses)}")
    run_log, serve_log = (tmp_path / "run.log").read_text(), (tmp_path / "serve.log").read_text()
    assert code == 0, run_log
    assert not poller.problems, poller.problems[:5]
    assert LOCKED not in run_log and LOCKED not in serve_log
    assert sum(poller.statuses.values()) >= 20 and set(poller.statuses) <= {200}, poller.statuses
    con = sqlite3.connect(db)
    assert final["total"] == con.execute("SELECT count(*) FROM stories").fetchone()[0] > 10
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] > ARTICLES - 30


def test_serve_keeps_answering_when_run_is_killed(articles_jsonl, tmp_path):
    db = tmp_path / "news.db"
    with serving(db, tmp_path / "serve.log") as base:
        poller = Poller(base)
        poller.start()
        run = start_run(articles_jsonl, db, tmp_path / "run.log")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and run.poll() is None:  # kill once the first batch is stored
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
                if con.execute("SELECT count(*) FROM articles").fetchone()[0] > 0:
                    break
            time.sleep(0.05)
        time.sleep(0.5)
        run.send_signal(signal.SIGKILL)
        assert run.wait(30) == -signal.SIGKILL, "the run finished before it could be killed"
        time.sleep(1.0)  # serve goes on answering over the store the killed run left
        poller.finish()
        con = sqlite3.connect(db)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
        after = httpx.get(base + "/api/stories", timeout=30)
        assert after.status_code == 200
        # and a rerun finishes the work while serve still reads
        poller2 = Poller(base)
        poller2.start()
        assert start_run(articles_jsonl, db, tmp_path / "rerun.log").wait(300) == 0
        poller2.finish()
    assert not poller.problems and not poller2.problems, (poller.problems + poller2.problems)[:5]
    assert set(poller.statuses) | set(poller2.statuses) <= {200}
    for log in ("serve.log", "run.log", "rerun.log"):
        assert LOCKED not in (tmp_path / log).read_text()
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT count(*) FROM stories WHERE brief_stale=1").fetchone()[0] == 0
