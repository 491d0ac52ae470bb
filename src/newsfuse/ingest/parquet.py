"""Parquet files of article objects: one row per article, columns as in the JSON formats
(``id, title, text, url, source, published, author, language``; ``text`` required). Needs the ``parquet`` extra.

Rows are read one row group at a time, so memory holds one group, whatever the file's size; a shard
(``newsfuse.ingest.shards``) reads a range of rows. Each document is named ``path#row``.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..config import IngestConfig
from ..errors import require
from ..records import Drop, Page
from .files import page_from_object

BAD_PARQUET = "bad_parquet"


def _open(path: Path) -> Any:
    return require("pyarrow.parquet", "parquet").ParquetFile(path)


def row_shards(path: Path, documents: int) -> list[tuple[int, int]]:
    """Row ranges of about ``documents`` rows covering the file (from its footer, without reading rows)."""
    try:
        rows = _open(path).metadata.num_rows
    except (OSError, ValueError) as exc:  # pyarrow.ArrowInvalid is a ValueError
        raise OSError(f"not a readable Parquet file: {exc}") from exc
    return [(a, min(a + documents, rows)) for a in range(0, rows, documents)] or [(0, 0)]


def _value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (datetime, date)) else value


def read_parquet(path: Path, config: IngestConfig = IngestConfig(),
                 rows: tuple[int, int] | None = None) -> Iterator[Page | Drop]:
    """Pages of the article rows (all, or the ``rows`` range); a row without text is a Drop naming it."""
    try:
        handle = _open(path)
        lo, hi = rows or (0, handle.metadata.num_rows)
        base = 0
        for group in range(handle.num_row_groups):
            size = handle.metadata.row_group(group).num_rows
            if base + size > lo and base < hi:
                table = handle.read_row_group(group)
                a, b = max(lo - base, 0), min(hi - base, size)
                for offset, row in enumerate(table.slice(a, b - a).to_pylist(), start=base + a):
                    yield page_from_object({k: _value(v) for k, v in row.items()}, f"{path}#{offset}")
            base += size
            if base >= hi:
                break
    except (OSError, ValueError) as exc:
        yield Drop(str(path), BAD_PARQUET, f"{type(exc).__name__}: {exc}"[:300])


__all__ = ["BAD_PARQUET", "read_parquet", "row_shards"]
