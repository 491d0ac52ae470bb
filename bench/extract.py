"""Benchmark: pages per second of newsfuse ``extract_page`` and plain ``trafilatura.extract``.

Both run on the same WCXB dev article pages (../shared/data/extraction/wcxb-dev), one process, interleaved page
by page in alternating order (so a machine that gets busier or quieter during the run affects both alike,
and neither always finds the page warm in the CPU caches), after a warm-up of a few
pages; html is decoded beforehand so only extraction is timed. Time is CPU time of this process
(``time.process_time``), so other work on a shared machine inflates neither figure; pages per second are pages
per CPU second. Prints the figures and their ratio; asserts nothing.

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


def pages_per_second(pages: list[GoldPage], *extractors: Callable[[GoldPage], object]) -> list[float]:
    """Run every extractor over every page once, interleaved page by page; pages per second of each."""
    for page in pages[:5]:  # warm-up: imports, compiled patterns, caches
        for extract in extractors:
            extract(page)
    spent = [0.0] * len(extractors)
    order = list(range(len(extractors)))
    for page in pages:
        order.reverse()  # alternate who goes first: the second run of a page finds it warm in the CPU caches
        for i in order:
            start = time.process_time()
            extractors[i](page)
            spent[i] += time.process_time() - start
    return [len(pages) / s for s in spent]


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
    fused, plain = pages_per_second(pages, _newsfuse, _trafilatura)
    print(f"{len(pages)} WCXB dev article pages, one process, pages per CPU second")
    print(f"newsfuse extract_page      {fused:7.1f} pages/s")
    print(f"trafilatura.extract        {plain:7.1f} pages/s")
    print(f"ratio newsfuse/trafilatura {fused / plain:7.2f}")


if __name__ == "__main__":
    main()
