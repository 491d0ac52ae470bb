"""Benchmark: pages per second of newsfuse ``extract_page`` and plain ``trafilatura.extract``.

Both run on the same WCXB dev article pages (../shared/data/extraction/wcxb-dev), one process, one after the
other; html is decoded beforehand so only extraction is timed. Prints the figures and their ratio; asserts nothing.

    .venv/bin/python bench/extract.py [--limit N]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Callable

import trafilatura

from newsfuse.extract import extract_page
from newsfuse.extract.evaluate import GoldPage, load_wcxb
from newsfuse.records import Page

WCXB = Path(__file__).resolve().parents[2] / "shared" / "data" / "extraction" / "wcxb-dev"


def pages_per_second(pages: list[GoldPage], extract: Callable[[GoldPage], object]) -> float:
    """Run ``extract`` over every page once; pages per wall-clock second."""
    start = time.perf_counter()
    for page in pages:
        extract(page)
    return len(pages) / (time.perf_counter() - start)


def _newsfuse(gold: GoldPage) -> object:
    return extract_page(Page(id=gold.file_id, path=gold.file_id, kind="html", content=gold.html, url=gold.url))


def _trafilatura(gold: GoldPage) -> object:
    return trafilatura.extract(gold.html, url=gold.url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="score only the first N pages (default: all)")
    args = parser.parse_args()
    pages = list(load_wcxb(WCXB))
    pages = pages[: args.limit] if args.limit else pages
    fused = pages_per_second(pages, _newsfuse)
    plain = pages_per_second(pages, _trafilatura)
    print(f"{len(pages)} WCXB dev article pages, one process")
    print(f"newsfuse extract_page      {fused:7.1f} pages/s")
    print(f"trafilatura.extract        {plain:7.1f} pages/s")
    print(f"ratio newsfuse/trafilatura {fused / plain:7.2f}")


if __name__ == "__main__":
    main()
