"""``newsfuse serve --workers N``: N processes answer on one port over an SQLite or a PostgreSQL store, each with
its own cache that a write reaches; a count below one is refused with a message."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from newsfuse.cli import app

from ..postgres_cluster import free_port
from .conftest import build_store
from .test_cache import add_story

NEWSFUSE = Path(sys.executable).with_name("newsfuse")


def workers_of(pid: int) -> list[int]:
    """The worker processes ``pid`` started (Linux /proc), without multiprocessing's resource tracker."""
    found = Path(f"/proc/{pid}/task/{pid}/children")
    pids = [int(p) for p in found.read_text().split()] if found.exists() else []
    return [p for p in pids if "spawn_main" in Path(f"/proc/{p}/cmdline").read_text()]


def running(pids: list[int], wait: float = 0.0) -> list[int]:
    deadline = time.monotonic() + wait
    while True:
        alive = [p for p in pids if Path(f"/proc/{p}").exists() and "zombie" not in Path(f"/proc/{p}/status")
                 .read_text()]
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(0.2)


def start(db: str, *options: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([str(NEWSFUSE), "serve", "--db", db, "--port", str(port), *options],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}/api/stories?limit=1", timeout=5).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.3)
    stop(process)
    pytest.fail(f"`newsfuse serve {' '.join(options)}` did not answer within 90 s: {process.stderr.read()[-2000:]}")


def stop(process: subprocess.Popen) -> int:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.wait()


def test_two_workers_serve_and_see_writes(store_db):
    build_store(store_db, fillers=3)
    process, base = start(store_db, "--workers", "2")
    try:
        workers = workers_of(process.pid)
        assert len(running(workers)) == 2
        # A connection each request, so the requests spread over the workers (a kept one stays with one worker).
        with httpx.Client(base_url=base, timeout=30, headers={"Connection": "close"}) as client:
            for path in ("/", "/api/stories", "/search?q=Putin", "/feed.xml", "/api/stories/s-harbour"):
                answers = [client.get(path) for _ in range(6)]
                assert {a.status_code for a in answers} == ({404} if "harbour" in path else {200}), path
                assert len({a.content for a in answers}) == 1, path  # every worker answers the same
            add_story(store_db)
            for _ in range(12):  # whichever worker answers, it has seen the write
                assert client.get("/api/stories/s-harbour").status_code == 200
                assert client.get("/api/search?q=harbour").json()["results"]
        assert len(running(workers)) == 2  # both still up: no worker died on a request
    finally:
        assert stop(process) == 0
    assert running(workers, wait=10) == []  # stopping the server stops its workers


def newsfuse(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(NEWSFUSE), *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("value", ["0", "-2"])
def test_workers_below_one_are_refused(tmp_path, value):
    db = tmp_path / "n.db"
    build_store(db, fillers=0)
    result = newsfuse("serve", "--db", str(db), "--workers", value)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"error: --workers must be a whole number of at least 1, not {value}: ")


def test_workers_must_be_a_number(tmp_path):
    result = CliRunner().invoke(app, ["serve", "--db", str(tmp_path / "n.db"), "--workers", "two"])
    assert result.exit_code == 2 and "--workers" in result.output


def test_negative_cache_size_is_refused(tmp_path):
    db = tmp_path / "n.db"
    build_store(db, fillers=0)
    result = newsfuse("serve", "--db", str(db), "--cache-mb", "-1")
    assert result.returncode == 2 and result.stderr.startswith("error: --cache-mb must be 0")
