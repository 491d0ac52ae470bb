"""What the entity recogniser's per-article reading cap (``BriefConfig.article_ner_words``) changes in briefs.

Run: .venv/bin/python bench/reading_cap.py [--pages N] [--caps 0,1000,800,600,400]

The WCXB dev article pages (first N; default all 791) are extracted, and each text is briefed as a one-article
story under every cap (0 = read every paragraph). For each cap it prints the CPU ms per brief (entity cache
cleared between caps, so the recogniser's cost is included) and, against the first cap in the list (reading all),
how much of the brief is the same: the share of the full reading's entities (all listed, and the top 10), quotes
with their speakers, timeline events and summary sentences that the capped brief also has, and the share of
briefs whose section is identical. There is no gold for entities: this measures what the cap loses against the
model reading everything, not against people. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import time
from typing import Any, Callable

from newsfuse.brief import build_brief
from newsfuse.config import BriefConfig
from newsfuse.extract import extract_page
from newsfuse.nlp import clear_cache, load_model
from newsfuse.records import Article, Brief

from scale import article_pages, as_pages  # bench/ is on sys.path when run as a script

SECTIONS: dict[str, tuple[Callable[[Brief], list[Any]], int | None]] = {
    "entities": (lambda b: [(e.name, e.label) for e in b.entities], None),
    "entities, top 10": (lambda b: [(e.name, e.label) for e in b.entities], 10),
    "quotes and speakers": (lambda b: [(q.text, q.speaker) for q in b.quotes], None),
    "timeline": (lambda b: [(e.date, e.text) for e in b.timeline], None),
    "summary": (lambda b: [c.text for c in b.summary], None),
}


def briefs(articles: list[Article], cap: int) -> tuple[list[Brief], float]:
    """One-article briefs under ``cap`` (the story budget lifted when reading all), and CPU ms per brief."""
    clear_cache()
    config = BriefConfig(article_ner_words=cap, ner_words=0 if cap == 0 else BriefConfig().ner_words)
    cpu = time.process_time()
    out = [build_brief(f"s{a.id}", [a], config=config) for a in articles]
    return out, (time.process_time() - cpu) / max(1, len(articles)) * 1000


def agreement(full: list[Brief], capped: list[Brief], get: Callable[[Brief], list[Any]], top: int | None
              ) -> tuple[float, float, int]:
    """Share of the full reading's items the capped brief keeps, share of identical sections, items in all."""
    kept = total = same = 0
    for a, b in zip(full, capped):
        items, other = set(get(a)[:top]), set(get(b)[:top])
        kept, total, same = kept + len(items & other), total + len(items), same + (items == other)
    return kept / max(1, total), same / max(1, len(full)), total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=0, help="WCXB article pages (0 = all)")
    parser.add_argument("--caps", default="0,1000,800,600,400", help="caps to compare; the first is the reference")
    args = parser.parse_args()
    caps = [int(c) for c in args.caps.split(",")]
    extracted = [extract_page(p) for p in as_pages(article_pages(args.pages or 10_000))]
    articles = [a for a in extracted if isinstance(a, Article)]
    words = sum(len(a.text.split()) for a in articles)
    print(f"{len(articles)} WCXB dev article texts, {words / max(1, len(articles)):,.0f} words on average")
    load_model()
    results = {cap: briefs(articles, cap) for cap in caps}
    reference = results[caps[0]][0]
    for cap in caps:
        print(f"cap {cap or 'none':>5}: {results[cap][1]:5.1f} ms/brief (CPU)")
        if cap == caps[0]:
            continue
        for name, (get, top) in SECTIONS.items():
            kept, same, total = agreement(reference, results[cap][0], get, top)
            print(f"    {name:<20} {kept:.3f} of {total:,} items kept, {same:.3f} of briefs identical")


if __name__ == "__main__":
    main()
