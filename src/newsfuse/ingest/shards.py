"""Input split into shards that workers read themselves: the distributed executor's read stage.

The driver only plans (``plan_shards``): it lists files and finds where each shard of a large file starts, by
scanning JSON Lines for line ends, WARC archives for record offsets and Parquet footers for row groups, which
is a small fraction of the cost of reading and extracting. Each shard then travels to a worker as a path and a
range (``read_shard``), never as page contents. A shard names its documents exactly as the whole-file readers
do (``file.jsonl:12``, ``file.warc.gz#7``), so a sharded run stores the same records in the same order.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..config import IngestConfig
from ..records import Drop, Page
from .files import UNREADABLE, iter_paths, read_file, read_jsonl_file

DOCUMENTS_PER_SHARD = 64  # a JSON Lines or WARC shard; html and text files are one shard each


@dataclass(frozen=True, slots=True)
class Shard:
    """Part of one input file: ``kind`` "file" (all of it), "lines" (bytes ``start``..``end`` of JSON Lines,
    the first being line ``first``), "warc" (records number ``first``..``end``, the first at byte ``start``)
    or "rows" (Parquet rows ``start``..``end``)."""

    path: str
    kind: str = "file"
    start: int = 0
    end: int = 0
    first: int = 0


def plan_shards(inputs: list[str | Path], config: IngestConfig = IngestConfig(),
                documents: int = DOCUMENTS_PER_SHARD) -> Iterator[Shard | Drop]:
    """Shards of every input file, in reading order (Drops for inputs that cannot be found or planned)."""
    for path in iter_paths(inputs):
        if isinstance(path, Drop):
            yield path
            continue
        name = path.name.lower()
        try:
            if name.endswith(".jsonl"):
                yield from _line_shards(path, documents)
            elif name.endswith((".warc", ".warc.gz")):
                yield from _warc_shards(path, documents)
            elif name.endswith(".parquet"):
                from .parquet import row_shards

                yield from (Shard(str(path), "rows", a, b) for a, b in row_shards(path, documents))
            else:
                yield Shard(str(path))
        except OSError as exc:
            yield Drop(str(path), UNREADABLE, exc.strerror or str(exc))


def _line_shards(path: Path, documents: int) -> Iterator[Shard]:
    start = offset = 0
    first = number = 1
    with open(path, "rb") as handle:
        for line in handle:
            offset += len(line)
            if number - first + 1 >= documents:
                yield Shard(str(path), "lines", start, offset, first)
                start, first = offset, number + 1
            number += 1
    if offset > start:
        yield Shard(str(path), "lines", start, offset, first)


def _warc_shards(path: Path, documents: int) -> Iterator[Shard]:
    """Groups of ``documents`` records: the first's byte offset, and record numbers ``first``..``end``
    (warcio reads each gzip member to find the next)."""
    from ..errors import require

    archive = require("warcio.archiveiterator", "feeds")
    starts = []
    with open(path, "rb") as handle:
        iterator = archive.ArchiveIterator(handle)
        try:
            for _ in iterator:
                starts.append(iterator.get_record_offset())
        except Exception:  # noqa: BLE001 - a bad archive: the last shard runs to the end and reports it
            pass
    if not starts:
        yield Shard(str(path))  # read whole, so the reader reports what is wrong with it
        return
    for k in range(0, len(starts), documents):
        more = k + documents < len(starts)  # the last shard reads to the end (and reports a bad tail)
        yield Shard(str(path), "warc", starts[k], k + documents if more else 1 << 62, k)


def read_shard(shard: Shard, config: IngestConfig = IngestConfig()) -> Iterator[Page | Drop]:
    """The documents of one shard, as the whole-file reader would give them."""
    if shard.kind == "file":
        yield from read_file(Path(shard.path), config)
    elif shard.kind == "lines":
        yield from read_jsonl_file(Path(shard.path), config, shard.start, shard.end, shard.first)
    elif shard.kind == "warc":
        from .warc import read_warc_filtered

        yield from read_warc_filtered(shard.path, config, start=shard.start, first=shard.first,
                                      count=shard.end - shard.first)
    elif shard.kind == "rows":
        from .parquet import read_parquet

        yield from read_parquet(Path(shard.path), config, rows=(shard.start, shard.end))
    else:
        raise ValueError(f"unknown shard kind {shard.kind!r}")


__all__ = ["DOCUMENTS_PER_SHARD", "Shard", "plan_shards", "read_shard"]
