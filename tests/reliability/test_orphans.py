"""No orphans: LocalExecutor's worker processes die with their parent when it is SIGKILLed (PR_SET_PDEATHSIG).

A driver process (orphan_driver.py) runs a LocalExecutor map, or `newsfuse run` itself; the test waits until its
worker processes exist (its children in /proc), SIGKILLs the driver, and checks the workers are gone within a few
seconds. The control test runs the same with the die-with-parent hook disabled and checks that the workers are
then still there: the check can fail, and would if the hook stopped working. Linux only.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from ..conftest import DATA, shared_or_fail

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")

DRIVER = Path(__file__).with_name("orphan_driver.py")
ROOT = Path(__file__).resolve().parents[2]
GONE_WITHIN_S = 5.0


def proc_stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state, start time in ticks) of a process, None when there is no such process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # after "pid (comm) "
    return int(fields[1]), fields[0], int(fields[19])


def children(pid: int) -> dict[int, int]:
    """The live forked copies of ``pid`` among its children (workers, not helpers like resource_tracker),
    as {pid: start time} so that a reused pid is not mistaken for the worker."""
    try:
        own = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return {}
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = proc_stat(int(entry.name))
        if stat is None or stat[0] != pid or stat[1] == "Z":
            continue
        try:
            if (entry / "cmdline").read_bytes() == own:
                found[int(entry.name)] = stat[2]
        except OSError:
            continue
    return found


def alive(workers: dict[int, int]) -> list[int]:
    """The workers still running (a zombie, or a pid now used by another process, counts as gone)."""
    out = []
    for pid, started in workers.items():
        stat = proc_stat(pid)
        if stat is not None and stat[1] != "Z" and stat[2] == started:
            out.append(pid)
    return out


@contextmanager
def driver(args: list[str], disable_fix: bool, log: Path):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("NEWSFUSE_TEST_NO_PDEATHSIG", None)
    if disable_fix:
        env["NEWSFUSE_TEST_NO_PDEATHSIG"] = "1"
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, str(DRIVER), *args], stdout=subprocess.DEVNULL, stderr=err,
                                env=env, cwd=log.parent)
    workers: dict[int, int] = {}
    try:
        yield proc, workers
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(30)
        for pid in alive(workers):  # whatever the outcome, leave no orphans behind
            os.kill(pid, signal.SIGKILL)


def wait_for_workers(proc: subprocess.Popen, count: int, seconds: float, log: Path) -> dict[int, int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the driver ended ({proc.returncode}) before its workers were seen: " \
                                    + log.read_text()[-2000:]
        found = children(proc.pid)
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"no {count} workers within {seconds} s: {log.read_text()[-2000:]}")


def kill_and_watch(proc: subprocess.Popen, workers: dict[int, int], seconds: float) -> list[int]:
    """SIGKILL the parent; return the workers still alive after ``seconds`` (or as soon as none is)."""
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(30) == -signal.SIGKILL
    deadline = time.monotonic() + seconds
    while alive(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive(workers)


def test_map_workers_die_with_their_parent(tmp_path):
    log = tmp_path / "driver.log"
    with driver(["map"], disable_fix=False, log=log) as (proc, workers):
        workers.update(wait_for_workers(proc, 2, 60, log))
        time.sleep(0.3)  # the workers are busy with items, not just started
        left = kill_and_watch(proc, workers, GONE_WITHIN_S)
        assert not left, f"workers {left} outlived their SIGKILLed parent by {GONE_WITHIN_S} s"


def test_the_orphan_check_fails_without_the_fix(tmp_path):
    """The control: with the die-with-parent hook disabled, the same workers outlive their parent."""
    log = tmp_path / "driver.log"
    with driver(["map"], disable_fix=True, log=log) as (proc, workers):
        workers.update(wait_for_workers(proc, 2, 60, log))
        time.sleep(0.3)
        left = kill_and_watch(proc, workers, 2.0)
        assert sorted(left) == sorted(workers), "without PR_SET_PDEATHSIG the workers should be orphaned"


def allsides_jsonl(path: Path, count: int) -> Path:
    with path.open("w") as out:
        for line in shared_or_fail(DATA / "stories" / "allsides-roundups.jsonl").open():
            for k, doc in enumerate(json.loads(line)["docs"]):
                out.write(json.dumps({"id": f"as-{doc['docno']}", "title": doc["title"], "text": doc["text"],
                                      "source": ["left", "centre", "right"][k % 3]}) + "\n")
                count -= 1
                if count == 0:
                    return path
    return path


def test_a_killed_newsfuse_run_leaves_no_workers(tmp_path):
    """The same with the real pipeline: `newsfuse run --workers 2` over 300 articles, killed once workers exist."""
    source = allsides_jsonl(tmp_path / "articles.jsonl", 300)
    log = tmp_path / "run.log"
    args = ["run", str(source), "--db", str(tmp_path / "news.db"), "--workers", "2"]
    with driver(args, disable_fix=False, log=log) as (proc, workers):
        workers.update(wait_for_workers(proc, 2, 120, log))
        time.sleep(0.3)
        left = kill_and_watch(proc, workers, GONE_WITHIN_S)
        assert not left, f"workers {left} of the killed run outlived it by {GONE_WITHIN_S} s"
