"""Gate: extraction on the WCXB dev article pages, scored by word-multiset F1 against the gold main text.

HTML path: newsfuse ``extract_page`` must score at least plain ``trafilatura.extract`` (default options) on the
same pages, and stay above ``[extraction] html_f1_floor``. Text path: each page rendered to its full visible
text (as a scraper saves it) and run through ``clean_text`` must stay above ``text_f1_floor``; the raw rendered
text's F1 is printed beside it. A page where extraction yields nothing or a Drop scores 0. Run with ``-s`` to
see the figures.
"""
from __future__ import annotations

import time
from multiprocessing import Pool

import pytest
import trafilatura

from newsfuse.extract import clean_text, extract_page
from newsfuse.extract.evaluate import GoldPage, load_wcxb, render_text, word_f1
from newsfuse.records import Article, Page

from ..conftest import DATA, shared_or_fail

WCXB = DATA / "extraction" / "wcxb-dev"
PROCESSES = 2


def _score_page(gold: GoldPage) -> dict[str, float]:
    """All four scores of one page, so one pool pass serves both gates."""
    page = Page(id=gold.file_id, path=gold.file_id, kind="html", content=gold.html, url=gold.url)
    result = extract_page(page)
    plain = trafilatura.extract(gold.html, url=gold.url)
    raw = render_text(gold.html)
    return {
        "newsfuse": word_f1(result.text, gold.gold) if isinstance(result, Article) else 0.0,
        "trafilatura": word_f1(plain, gold.gold),
        "text_clean": word_f1(clean_text(raw).text, gold.gold),
        "text_raw": word_f1(raw, gold.gold),
    }


@pytest.fixture(scope="module")
def scores() -> dict[str, float]:
    pages = list(load_wcxb(shared_or_fail(WCXB)))
    assert len(pages) > 700, f"expected ~791 WCXB article pages with gold text, found {len(pages)}"
    start = time.perf_counter()
    with Pool(PROCESSES) as pool:
        rows = pool.map(_score_page, pages, chunksize=8)
    means = {key: sum(row[key] for row in rows) / len(rows) for key in rows[0]}
    print(f"\nWCXB dev articles: {len(rows)} pages scored in {time.perf_counter() - start:.1f}s on {PROCESSES} processes")
    return means


@pytest.mark.gate
def test_html_extraction_beats_trafilatura(scores, floors):
    floor = floors["extraction"]["html_f1_floor"]
    print(f"html F1: newsfuse {scores['newsfuse']:.4f}  trafilatura.extract {scores['trafilatura']:.4f}"
          f"  floor {floor}")
    assert scores["newsfuse"] >= scores["trafilatura"]
    assert scores["newsfuse"] >= floor


@pytest.mark.gate
def test_text_cleaner_on_rendered_pages(scores, floors):
    floor = floors["extraction"]["text_f1_floor"]
    print(f"text F1: cleaned {scores['text_clean']:.4f}  raw full text {scores['text_raw']:.4f}  floor {floor}")
    assert scores["text_clean"] > scores["text_raw"]
    assert scores["text_clean"] >= floor
