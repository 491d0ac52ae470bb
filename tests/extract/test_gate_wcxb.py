"""Gate: extraction on the WCXB dev article pages, scored by word-multiset F1 against the gold main text.

One pool pass scores every page on every path; the gates below read the means. Run with ``-s`` to see the figures.

- HTML: newsfuse ``extract_page`` must beat plain ``trafilatura.extract`` (default options), stay above
  ``[extraction] html_f1_floor``, and be more than 0.1 below plain trafilatura on at most 5% of the pages.
- Text: each page rendered to its full visible text (as a scraper saves it) and run through ``clean_text`` must
  beat the raw text and C4's line rule (the yardstick), and stay above ``text_f1_floor``.
- A body printed twice: the page with its article container printed again (HTML), or its text printed again as
  one run-on line (text), may lower the mean F1 by at most ``MAX_TWICE_DROP``.
- Metadata (from the HTML path): the share of pages with gold whose date is right to the day, whose title is equal
  after case and whitespace folding, and whose author matches (``evaluate.author_matches``: folded equality, or
  every word of the gold author in the found string) must stay above their floors.

A page where extraction yields nothing or a Drop scores 0.
"""
from __future__ import annotations

import time
from multiprocessing import Pool

import pytest
import trafilatura

from newsfuse.extract import clean_text, extract_page
from newsfuse.extract.evaluate import (GoldPage, author_matches, body_twice_html, c4_line_rule, date_matches,
                                       load_wcxb, render_text, title_matches, word_f1)
from newsfuse.records import Article, Page

from ..conftest import DATA, shared_or_fail

WCXB = DATA / "extraction" / "wcxb-dev"
PROCESSES = 2
MAX_TWICE_DROP = 0.01
MAX_WORSE_SHARE = 0.05  # pages more than 0.1 below plain trafilatura


def _extract(gold: GoldPage, html: str) -> Article | None:
    result = extract_page(Page(id=gold.file_id, path=gold.file_id, kind="html", content=html, url=gold.url))
    return result if isinstance(result, Article) else None


def _score_page(gold: GoldPage) -> dict[str, float | None]:
    """Every score of one page, so one pool pass serves all gates (None: the page has no gold for it)."""
    article = _extract(gold, gold.html)
    twice = _extract(gold, body_twice_html(gold.html, gold.gold))
    raw = render_text(gold.html)
    raw_twice = render_text(body_twice_html(gold.html, gold.gold, run_on=True))
    newsfuse = word_f1(article.text, gold.gold) if article else 0.0
    plain = word_f1(trafilatura.extract(gold.html, url=gold.url), gold.gold)
    return {
        "newsfuse": newsfuse, "trafilatura": plain, "worse": float(newsfuse < plain - 0.1),
        "newsfuse_twice": word_f1(twice.text, gold.gold) if twice else 0.0,
        "text_clean": word_f1(clean_text(raw).text, gold.gold),
        "text_clean_twice": word_f1(clean_text(raw_twice).text, gold.gold),
        "text_raw": word_f1(raw, gold.gold), "text_c4": word_f1(c4_line_rule(raw), gold.gold),
        "title": float(title_matches(article and article.title, gold.title)) if gold.title else None,
        "author": float(author_matches(article and article.author, gold.author)) if gold.author else None,
        "date": float(date_matches(article and article.published, gold.published)) if gold.published else None,
    }


@pytest.fixture(scope="module")
def scores() -> dict[str, float]:
    pages = list(load_wcxb(shared_or_fail(WCXB)))
    assert len(pages) > 700, f"expected ~791 WCXB article pages with gold text, found {len(pages)}"
    start = time.perf_counter()
    with Pool(PROCESSES) as pool:
        rows = pool.map(_score_page, pages, chunksize=8)
    means = {}
    for key in rows[0]:
        values = [row[key] for row in rows if row[key] is not None]
        means[key] = sum(values) / len(values)
    print(f"\nWCXB dev articles: {len(rows)} pages scored in {time.perf_counter() - start:.1f}s on {PROCESSES} processes")
    return means


@pytest.mark.gate
def test_html_extraction_beats_trafilatura(scores, floors):
    floor = floors["extraction"]["html_f1_floor"]
    print(f"html F1: newsfuse {scores['newsfuse']:.4f}  trafilatura.extract {scores['trafilatura']:.4f}"
          f"  floor {floor}; pages > 0.1 below trafilatura {scores['worse']:.1%}")
    assert scores["newsfuse"] >= scores["trafilatura"]
    assert scores["newsfuse"] >= floor
    assert scores["worse"] <= MAX_WORSE_SHARE


@pytest.mark.gate
def test_text_cleaner_on_rendered_pages(scores, floors):
    floor = floors["extraction"]["text_f1_floor"]
    print(f"text F1: cleaned {scores['text_clean']:.4f}  C4 line rule {scores['text_c4']:.4f}"
          f"  raw full text {scores['text_raw']:.4f}  floor {floor}")
    assert scores["text_clean"] > scores["text_raw"]
    assert scores["text_clean"] > scores["text_c4"]
    assert scores["text_clean"] >= floor


@pytest.mark.gate
def test_text_body_printed_twice(scores):
    print(f"text F1, body printed twice as a run-on line: {scores['text_clean_twice']:.4f}"
          f" (once {scores['text_clean']:.4f})")
    assert scores["text_clean"] - scores["text_clean_twice"] <= MAX_TWICE_DROP


@pytest.mark.gate
def test_html_body_printed_twice(scores):
    print(f"html F1, article container printed twice: {scores['newsfuse_twice']:.4f} (once {scores['newsfuse']:.4f})")
    assert scores["newsfuse"] - scores["newsfuse_twice"] <= MAX_TWICE_DROP


@pytest.mark.gate
def test_metadata(scores, floors):
    floor = floors["extraction"]
    print(f"metadata right: date {scores['date']:.3f}  title {scores['title']:.3f}  author {scores['author']:.3f}")
    assert scores["date"] >= floor["date_floor"]
    assert scores["title"] >= floor["title_floor"]
    assert scores["author"] >= floor["author_floor"]
