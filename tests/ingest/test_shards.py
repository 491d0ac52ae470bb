"""Sharded reading: each shard read alone, the shards together give exactly what the whole-file reader gives."""
from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsfuse.config import Config, IngestConfig
from newsfuse.executors import SerialExecutor
from newsfuse.ingest.files import read_file
from newsfuse.ingest.shards import Shard, plan_shards, read_shard
from newsfuse.pipeline import Runner, read_articles, read_inputs, read_sharded
from newsfuse.records import Drop, Page
from newsfuse.store import SqliteStore

TEXT = "The council approved the new budget on Tuesday after a long debate about schools and roads. " * 3


def _sharded(path: Path, documents: int, config: IngestConfig = IngestConfig()) -> tuple[list[Shard], list]:
    shards = list(plan_shards([path], config, documents))
    assert all(isinstance(s, Shard) for s in shards), shards
    return shards, [item for shard in shards for item in read_shard(shard, config)]


def _jsonl(tmp_path: Path) -> Path:
    lines = [json.dumps({"id": f"a{i}", "title": f"Story {i}", "text": f"{i} {TEXT}", "source": "wire"})
             for i in range(100)]
    lines[10] = "{not json"
    lines[20] = ""
    lines[30] = json.dumps({"id": "sep", "text": "A line with a separator \u2028 inside its text. " + TEXT},
                           ensure_ascii=False)
    path = tmp_path / "articles.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode())  # a BOM, and no newline at the end
    return path


def test_jsonl_shards_equal_the_whole_file(tmp_path):
    path = _jsonl(tmp_path)
    whole = list(read_file(path))
    shards, items = _sharded(path, 16)
    assert len(shards) == 7 and {s.kind for s in shards} == {"lines"}
    assert items == whole
    assert [i.path for i in whole if isinstance(i, Drop)] == [f"{path}:11"]  # the bad line, named by number
    assert sum(isinstance(i, Page) for i in whole) == 98  # 100 lines, one bad, one blank
    assert next(i for i in whole if isinstance(i, Page) and i.id == "sep").path == f"{path}:31"  # U+2028 is text


def test_jsonl_bigger_than_max_bytes_is_streamed_and_caps_each_line(tmp_path):
    path = _jsonl(tmp_path)
    with open(path, "ab") as handle:
        handle.write(b"\n" + json.dumps({"id": "huge", "text": "word " * 400}).encode() + b"\n")
    config = IngestConfig(max_bytes=1000)  # the file is ~40 KB: each line fits, except the last
    whole = list(read_file(path, config))
    assert sum(isinstance(i, Page) for i in whole) == 98
    assert [(d.path, d.reason) for d in whole if isinstance(d, Drop)][-1] == (f"{path}:101", "too_large")
    assert _sharded(path, 16, config)[1] == whole
    packed = tmp_path / "articles.jsonl.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    assert [i.id for i in read_file(packed, config) if isinstance(i, Page)] == [
        i.id for i in whole if isinstance(i, Page)]


def _warc(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "crawl.warc.gz"
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for i in range(n):
            if i % 5 == 0:  # requests are skipped, but count as records
                request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True)
                writer.write_record(writer.create_warc_record(f"https://example.org/{i}", "request",
                                                              http_headers=request))
            body = f"<html><head><title>Story {i}</title></head><body><p>{i} {TEXT}</p></body></html>".encode()
            headers = StatusAndHeaders("404 Not Found" if i == 7 else "200 OK",
                                       [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                f"https://example.org/{i}", "response", payload=BytesIO(body), http_headers=headers,
                warc_headers_dict={"WARC-Date": f"2024-05-{1 + i % 28:02d}T10:00:00Z"}))
    return path


def test_warc_shards_equal_the_whole_archive(tmp_path):
    path = _warc(tmp_path, 30)
    whole = list(read_file(path))
    shards, items = _sharded(path, 8)
    assert len(shards) == 5 and {s.kind for s in shards} == {"warc"}
    assert items == whole and len(whole) == 30
    config = IngestConfig(hosts=("example.org",), since="2024-05-10")  # filters apply on the workers too
    assert _sharded(path, 8, config)[1] == list(read_file(path, config))


def test_a_truncated_warc_gives_the_same_in_shards(tmp_path):
    path = _warc(tmp_path, 30)
    path.write_bytes(path.read_bytes()[:-700])
    whole = list(read_file(path))
    assert 0 < len(whole) < 30
    assert _sharded(path, 8)[1] == whole


def test_parquet_rows_by_shard(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = [{"id": f"p{i}", "title": f"Story {i}", "text": "" if i == 3 else f"{i} {TEXT}", "source": "wire",
             "published": datetime(2024, 5, 1 + i % 28, 10, tzinfo=timezone.utc)} for i in range(70)]
    path = tmp_path / "articles.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=30)
    whole = list(read_file(path))
    assert [(d.path, d.reason) for d in whole if isinstance(d, Drop)] == [(f"{path}#3", "no_text")]
    first = next(p for p in whole if isinstance(p, Page) and p.id == "p1")
    assert first.published == datetime(2024, 5, 2, 10, tzinfo=timezone.utc)
    shards, items = _sharded(path, 16)
    assert [(s.start, s.end) for s in shards] == [(0, 16), (16, 32), (32, 48), (48, 64), (64, 70)]
    assert items == whole
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    assert [d.reason for d in plan_shards([broken])] == ["unreadable"]
    assert [d.reason for d in read_file(broken)] == ["bad_parquet"]


class ShardingSerial(SerialExecutor):
    """An executor that reads on its 'workers' (here, in process): the Runner then plans shards."""

    def map_shards(self, fn, shards):
        return self.map(fn, shards)


def test_runner_with_sharded_reading_stores_the_same(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _jsonl(folder)
    _warc(folder, 12)
    (folder / "note.txt").write_text("Budget vote\n\n" + TEXT)
    config = Config()
    assert list(read_sharded([folder], config, ShardingSerial())) == list(
        read_articles(read_inputs([folder], config), config, SerialExecutor()))
    stored = []
    for name, executor in (("plain", SerialExecutor()), ("sharded", ShardingSerial())):
        with SqliteStore(tmp_path / f"{name}.db") as store:
            report = Runner(store, config, executor).run([folder, tmp_path / "missing.jsonl"])
            stored.append((report.counts(), store.articles(), store.duplicates(),
                           {s: store.story_members(s) for s in store.story_ids()}))
    assert stored[0] == stored[1]
    assert stored[0][0]["articles"] > 100 and stored[0][0]["failures"] >= 2
