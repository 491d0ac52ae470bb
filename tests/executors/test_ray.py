"""The Ray executor gives the same stored results as the local one; misuse fails early with a hint.

The identity test runs the seeds, ~200 allsides article objects (JSONL), 20 WCXB html pages, 12 of them again in a
WARC, and 80 more article objects in Parquet through ``Runner`` twice (Ray reads shards on its workers),
with ``LocalExecutor(2)`` and with ``RayExecutor(num_cpus=2)`` (a private local Ray), into two SQLite stores, and
compares every stored output: articles, lineage links, story membership and briefs (``api.export``). On Ray the
shards are read, extracted and annotated by Ray Data (the test checks that its datasets carried every shard);
briefs go through Ray tasks.
"""
import gzip
import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsfuse import api
from newsfuse.config import Config
from newsfuse.errors import ConfigError, MissingDependencyError
from newsfuse.executors import LocalExecutor, RayExecutor, make_executor
from newsfuse.pipeline import Runner
from newsfuse.store import SqliteStore

from ..conftest import DATA, SEEDS, comparable_export, shared_or_fail

pytest.importorskip("ray")  # the `ray` extra; the missing-extra message is tested below without it

ALLSIDES = DATA / "stories" / "allsides-roundups.jsonl"
WCXB = DATA / "extraction" / "wcxb-dev"


def square(x: int) -> int:
    return x * x


def fail_on_five(x: int) -> int:
    if x == 5:
        raise ValueError("five")
    return x


@pytest.fixture(scope="module")
def ray_executor():
    executor = RayExecutor(num_cpus=2, batch=8)
    with executor:
        yield executor
    import ray

    assert not ray.is_initialized()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[Path]:
    """Seeds, ~200 allsides docs as article objects (dated, with sources), and 20 WCXB article pages."""
    folder = tmp_path_factory.mktemp("inputs")
    start = datetime(2024, 3, 1, tzinfo=timezone.utc)
    lines = []
    for number, line in enumerate(shared_or_fail(ALLSIDES).read_text().splitlines()[:70]):
        for side, doc in enumerate(json.loads(line)["docs"]):
            published = start + timedelta(hours=6 * number, minutes=7 * side)
            lines.append(json.dumps({"id": f"allsides-{doc['docno']}", "title": doc["title"], "text": doc["text"],
                                     "source": f"outlet{side}", "published": published.isoformat()}))
    (folder / "allsides.jsonl").write_text("\n".join(lines[:200]) + "\n")
    html = folder / "html"
    html.mkdir()
    for truth in sorted((shared_or_fail(WCXB) / "ground-truth").glob("*.json"))[:60]:
        if json.loads(truth.read_text()).get("_internal", {}).get("page_type", {}).get("primary") == "article":
            raw = gzip.decompress((WCXB / "html" / f"{truth.stem}.html.gz").read_bytes())
            (html / f"{truth.stem}.html").write_bytes(raw)
        if len(list(html.iterdir())) == 20:
            break
    # The same kinds of input as archives: html pages in a WARC, article objects in Parquet (several shards each).
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter
    import io
    import pyarrow as pa
    import pyarrow.parquet as pq

    with open(folder / "crawl.warc.gz", "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for page in sorted(html.iterdir())[:12]:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"https://archive.example/{page.stem}", "response",
                                                          payload=io.BytesIO(page.read_bytes()),
                                                          http_headers=headers))
    rows = [json.loads(line) for line in lines[200:280]]
    pq.write_table(pa.Table.from_pylist(rows), folder / "more.parquet", row_group_size=25)
    return [shared_or_fail(SEEDS), folder / "allsides.jsonl", html, folder / "crawl.warc.gz", folder / "more.parquet"]


def run_into(db: Path, inputs: list[Path], executor) -> dict:
    with SqliteStore(db) as store:
        report = Runner(store, Config(), executor).run(inputs)
        stored = {"articles": sorted(store.articles(), key=lambda a: a.id),
                  "duplicates": store.duplicates(),
                  "stories": {s: store.story_members(s) for s in store.story_ids()}}
    stored["export"] = comparable_export(api.export(db))
    stored["report"] = report.counts()
    return stored


def test_ray_runs_the_pipeline_exactly_as_local(tmp_path, inputs, ray_executor, monkeypatch):
    import ray.data

    from newsfuse.ingest.shards import plan_shards

    rows = []
    from_items = ray.data.from_items

    def counted(items, **kwargs):  # the datasets the executor builds: their rows are the shards
        rows.extend(items)
        return from_items(items, **kwargs)

    monkeypatch.setattr(ray.data, "from_items", counted)
    local = run_into(tmp_path / "local.db", inputs, LocalExecutor(2, batch=64, min_parallel=8))
    remote = run_into(tmp_path / "ray.db", inputs, ray_executor)
    assert len(rows) == len(list(plan_shards(inputs))) > len(inputs)  # every shard went through Ray Data
    assert local["report"]["articles"] >= 200, local["report"]
    assert local["report"]["stories"] > 10
    for key in ("report", "articles", "duplicates", "stories", "export"):
        assert remote[key] == local[key], key


def test_ray_map_keeps_order_and_reraises(ray_executor):
    assert list(ray_executor.map(square, range(1000))) == [x * x for x in range(1000)]
    assert list(ray_executor.map(square, [])) == []
    with pytest.raises(ValueError, match="five"):
        list(ray_executor.map(fail_on_five, range(20)))
    first = ray_executor.map(square, range(10_000))
    assert [next(first) for _ in range(3)] == [0, 1, 4]
    first.close()  # stopping early cancels the queued tasks and leaves the executor usable
    assert list(ray_executor.map(square, range(5))) == [0, 1, 4, 9, 16]


def shard_squares(n: int) -> list[int]:
    if n == 0:
        import time

        time.sleep(0.5)  # the first shard ends last: only an ordered dataset gives it first
    return [n * n] * (n % 3)  # some shards give nothing


def test_ray_data_shards_keep_order_across_windows(ray_executor):
    from ray.exceptions import RayError

    import ray.data

    ray_executor.window_shards = 6
    try:
        assert list(ray_executor.map_shards(shard_squares, range(10))) == [shard_squares(n) for n in range(10)]
        assert not ray.data.DataContext.get_current().execution_options.preserve_order  # set per dataset only
        assert list(ray_executor.map_shards(shard_squares, [])) == []
        with pytest.raises(RayError, match="five"):  # Ray Data wraps the worker's error, traceback included
            list(ray_executor.map_shards(fail_on_five, range(8)))
    finally:
        ray_executor.window_shards = 1024


def shard_span(n: int) -> list[tuple[int, float, float]]:
    import os
    import time

    start = time.time()
    time.sleep(0.5)
    return [(os.getpid(), start, time.time())]


def test_ray_data_runs_shards_on_every_cpu(ray_executor):
    """On a 2-CPU Ray, shards run two at a time: each sleeps 0.5 s and says when; every shard must overlap another.
    (With Ray Data's default resource reservation a 2-CPU Ray ran one shard at a time after the first few: 6-9 of
    10 overlapped another.)"""
    list(ray_executor.map_shards(shard_span, range(4)))  # a fresh Ray's first dataset may run wider
    spans = [span for out in ray_executor.map_shards(shard_span, range(10)) for span in out]
    overlapping = sum(any(b is not a and b[1] < a[2] and a[1] < b[2] for b in spans) for a in spans)
    assert overlapping == 10 and len({pid for pid, _, _ in spans}) == 2, spans


def test_misuse_fails_early_with_a_hint():
    with pytest.raises(ConfigError, match="batch"):
        RayExecutor(batch=0)
    with pytest.raises(ConfigError, match="window_shards"):
        RayExecutor(window_shards=0)
    with pytest.raises(ConfigError, match="'data' .Ray Data. or 'tasks'"):
        RayExecutor(shards="actors")
    with pytest.raises(ConfigError, match="num_cpus applies to a local Ray"):
        RayExecutor(address="ray://head:10001", num_cpus=4)
    with pytest.raises(ConfigError, match="for the ray executor"):
        make_executor("local", address="ray://head:10001")
    with pytest.raises(ConfigError, match="'local', 'serial' or 'ray'"):
        make_executor("spark")
    assert isinstance(make_executor("ray", workers=2), RayExecutor)


def test_missing_extra_names_the_pip_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    with pytest.raises(MissingDependencyError, match=r"pip install 'newsfuse\[ray\]'"):
        RayExecutor(num_cpus=1).start()
