"""What a newcomer meets first: `make run`'s commands on the bundled examples (text files with no site, URL or
publication time), and a --db that is not an SQLite path."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ..conftest import ROOT

EXE = str(Path(sys.executable).with_name("newsfuse"))


def newsfuse(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=300, cwd=cwd,
                          env={**os.environ, "COLUMNS": "200", **(env or {})})


@pytest.fixture(scope="module")
def examples(tmp_path_factory) -> tuple[Path, datetime]:
    where = tmp_path_factory.mktemp("examples")
    before = datetime.now(timezone.utc).replace(microsecond=0)
    run = newsfuse("run", str(ROOT / "examples"), "--db", "news.db", cwd=where)
    assert run.returncode == 0 and "2 articles stored" in run.stderr, run.stderr
    return where, before


def test_story_times_of_undated_examples_are_when_they_were_stored(examples):
    where, before = examples
    (row,) = [json.loads(line) for line in newsfuse("stories", "--db", "news.db", cwd=where).stdout.splitlines()]
    assert row["first_seen"] is not None and row["last_seen"] is not None, row
    assert before <= datetime.fromisoformat(row["first_seen"]) <= datetime.now(timezone.utc)
    assert datetime.fromisoformat(row["last_seen"]).tzinfo is not None
    assert row["first_seen_source"] == row["last_seen_source"] == "stored"


def test_export_keeps_its_fields_and_adds_outlet_and_stored_time(examples):
    where, _ = examples
    (story,) = json.loads(newsfuse("export", "--db", "news.db", cwd=where).stdout)["stories"]
    assert story["first_seen_source"] == "stored" and story["first_seen"]
    for article in story["articles"]:
        assert {"id", "title", "source", "url", "published", "text", "duplicate_of", "relation"} <= set(article)
        assert article["source"] is None and article["published"] is None  # as before: no site, no date
        assert article["outlet"] in {"000_465c2a13a0b66ec2.txt", "002_64a12eb51215b9f6.txt"}
        assert article["stored"] == story["first_seen"] or article["stored"] == story["last_seen"]


def test_brief_sources_name_the_example_files(examples):
    where, _ = examples
    md = newsfuse("brief", "--all", "--db", "news.db", cwd=where).stdout
    sources = md.split("## Sources")[1]
    assert "— 000\\_465c2a13a0b66ec2.txt" in sources and "— 002\\_64a12eb51215b9f6.txt" in sources
    html = newsfuse("brief", "--all", "--db", "news.db", "--format", "html", cwd=where).stdout
    assert '<span class="meta">— 000_465c2a13a0b66ec2.txt</span>' in html
    assert str(ROOT) not in md + html


# URLs of databases newsfuse has no store for (postgresql:// selects the PostgreSQL store: test_end_to_end.py).
URLS = ["mysql://host/db", "sqlite:///news.db", "file:///tmp/news.db", "mysql+pymysql://u@h/db"]


@pytest.mark.parametrize("command, url", [
    (["run", str(ROOT / "examples")], URLS[0]), (["run", str(ROOT / "examples")], URLS[1]), (["stories"], URLS[3]),
    (["export"], URLS[2]), (["brief", "--all"], URLS[3]), (["serve"], URLS[0]),
    (["story", "merge", "s1", "s2"], URLS[0]),
])
def test_a_database_url_is_refused_in_one_line(tmp_path, command, url):
    proc = newsfuse(*command, "--db", url, cwd=tmp_path)
    assert proc.returncode == 2, (command, url, proc.stderr)
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: "), proc.stderr
    assert "a store is an SQLite file path or a postgresql:// URL" in proc.stderr and url in proc.stderr
    assert list(tmp_path.iterdir()) == [], (command, url)  # no "postgresql:" folder, no SQLite file


def test_a_database_url_in_newsfuse_db_is_refused(tmp_path):
    proc = newsfuse("stories", cwd=tmp_path, env={"NEWSFUSE_DB": "mysql://host/db"})
    assert proc.returncode == 2 and "a store is an SQLite file path or a postgresql:// URL" in proc.stderr
    proc = newsfuse("run", str(ROOT / "examples"), cwd=tmp_path, env={"NEWSFUSE_DB": "mysql://host/db"})
    assert proc.returncode == 2 and "a store is an SQLite file path or a postgresql:// URL" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_library_refuses_a_url_too(tmp_path, monkeypatch):
    import newsfuse as library
    from newsfuse.errors import StoreError
    from newsfuse.store import SqliteStore

    monkeypatch.chdir(tmp_path)
    for url in (*URLS, Path("postgresql://host/db")):  # pathlib folds "//" into "/"; no URL then: refused
        with pytest.raises(StoreError, match="an SQLite file path or a postgresql:// URL"):
            SqliteStore(url)
        with pytest.raises(StoreError, match="an SQLite file path or a postgresql:// URL"):
            library.run([str(ROOT / "examples")], url)
    assert list(tmp_path.iterdir()) == []
    with SqliteStore(":memory:") as store, SqliteStore(tmp_path / "a:b.db") as other:  # still allowed
        assert store.schema_version() == other.schema_version()
