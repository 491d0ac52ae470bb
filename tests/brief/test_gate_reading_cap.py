"""Gate: what the entity recogniser's per-article reading cap (``BriefConfig.article_ner_words``) costs a long
article's brief, measured against the same brief with every paragraph read. There is no entity gold for long
articles; this gate bounds what the cap loses against the model reading everything (bench/reading_cap.py prints
the same figures for other caps and all 791 pages)."""
from __future__ import annotations

import pytest

from newsfuse.brief import build_brief
from newsfuse.config import BriefConfig
from newsfuse.nlp import clear_cache
from newsfuse.records import Article, Brief

from ..conftest import wcxb_articles

PAGES = 200  # the first WCXB dev article pages, by file name (the background test's first 300, shared)


def _briefs(articles: list[Article], config: BriefConfig) -> list[Brief]:
    clear_cache()
    return [build_brief(f"s{a.id}", [a], config=config) for a in articles]


def _kept(full: list[Brief], capped: list[Brief], items, top: int | None = None) -> float:
    kept = total = 0
    for a, b in zip(full, capped):
        reference = set(items(a)[:top])
        kept, total = kept + len(reference & set(items(b)[:top])), total + len(reference)
    return kept / max(1, total)


@pytest.mark.gate
def test_gate_reading_cap_against_reading_everything(floors):
    articles = list(wcxb_articles(300)[:PAGES])
    assert len(articles) == PAGES
    capped = _briefs(articles, BriefConfig())
    full = _briefs(articles, BriefConfig(article_ner_words=0, ner_words=0))
    assert sum(len(a.text.split()) > BriefConfig().article_ner_words for a in articles) >= 50  # the cap bites
    entities = _kept(full, capped, lambda b: [(e.name, e.label) for e in b.entities], 10)
    quotes = _kept(full, capped, lambda b: [(q.text, q.speaker) for q in b.quotes])
    summary = _kept(full, capped, lambda b: [c.text for c in b.summary])
    print(f"reading cap {BriefConfig().article_ner_words} words vs all, {PAGES} WCXB articles: top-10 entities "
          f"kept {entities:.3f}, quotes with speakers {quotes:.3f}, summary sentences {summary:.3f}")
    gate = floors["brief"]
    assert entities >= gate["reading_cap_top10_entities_kept"]
    assert quotes >= gate["reading_cap_quotes_kept"]
    assert summary >= gate["reading_cap_summary_kept"]
