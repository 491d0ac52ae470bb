"""A throwaway PostgreSQL cluster for the tests: ``initdb`` and ``pg_ctl`` in a temporary folder, listening on
127.0.0.1 on a free port (its unix socket in that folder too), one per test session; a database per test.

initdb refuses to run as root, so as root the cluster belongs to the ``postgres`` user (Debian's package creates
it) and its folder is chown'd to that user. The binaries come from $PG_BINDIR, else ``pg_config --bindir``, else
the newest /usr/lib/postgresql/*/bin, else $PATH. ``make test`` installs them (scripts/install-postgresql.sh)
and sets NEWSFUSE_REQUIRE_POSTGRESQL=1: then a cluster that cannot start fails the tests that need it, where a
developer's machine without PostgreSQL skips them.
"""
from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

REQUIRED = os.environ.get("NEWSFUSE_REQUIRE_POSTGRESQL") == "1"


def bin_dir() -> Path | None:
    """Where initdb and pg_ctl are, or None."""
    candidates = [os.environ.get("PG_BINDIR", "")]
    if shutil.which("pg_config"):
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        candidates.append(found.stdout.strip())
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name)
                      if p.parent.name.isdigit() else 0, reverse=True)
    candidates += [str(p) for p in versions]
    if shutil.which("initdb"):
        candidates.append(str(Path(shutil.which("initdb")).parent))
    for candidate in filter(None, candidates):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """One running cluster; ``url(name)`` is a database on it, ``create_database()`` makes a fresh one."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.user = "postgres" if os.geteuid() == 0 else None
        # In /tmp when the cluster runs as postgres: every folder above it must be one that user can enter.
        self.root = Path(tempfile.mkdtemp(prefix="newsfuse-pg-", dir="/tmp" if self.user else None))
        self.data, self.log = self.root / "data", self.root / "server.log"
        self.port = 0
        self._names = itertools.count()
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command] if shutil.which("runuser") else \
                ["su", self.user, "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in command)]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        init = self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                         "--locale=C", "--no-sync")
        if init.returncode:
            raise RuntimeError(f"initdb failed: {init.stderr.strip()[-800:]}")
        for _ in range(5):  # a port taken between choosing and binding: choose again
            self.port = free_port()
            options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
            started = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                                "-o", options, "start")
            if started.returncode == 0:
                return
        log = self.log.read_text()[-800:] if self.log.exists() else ""
        raise RuntimeError(f"pg_ctl start failed: {started.stderr.strip()[-400:]} {log}")

    def stop(self) -> None:
        if self.data.exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, name: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self) -> str:
        import psycopg

        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def start_cluster() -> Cluster:
    """A running cluster, or pytest.fail / pytest.skip (fail when NEWSFUSE_REQUIRE_POSTGRESQL=1) saying why."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        problem = "psycopg is not installed (pip install 'newsfuse[postgresql]')"
    else:
        bindir = bin_dir()
        problem = "" if bindir else "PostgreSQL's initdb and pg_ctl are not installed (scripts/install-postgresql.sh)"
    if problem:
        (pytest.fail if REQUIRED else pytest.skip)(f"PostgreSQL tests: {problem}")
    cluster = Cluster(bindir)
    try:
        cluster.start()
    except (RuntimeError, OSError, KeyError, subprocess.TimeoutExpired) as exc:
        cluster.stop()
        pytest.fail(f"PostgreSQL tests: cannot start a throwaway cluster: {exc}")
    return cluster


@pytest.fixture(scope="session")
def postgres_cluster():
    cluster = start_cluster()
    yield cluster
    cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster) -> str:
    """A fresh, empty database on the session's cluster."""
    return postgres_cluster.create_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_db(request, tmp_path) -> str:
    """A new store's ``--db``, once per backend: an SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "news.db")
    return request.getfixturevalue("postgres_cluster").create_database()
