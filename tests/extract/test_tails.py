"""The ends of the extracted text (``extract/tails.py``): a trailing furniture section under its own heading, the
crumbs on top; and the author search that is skipped when the page has nothing it could match."""
from __future__ import annotations

import lxml.html
import pytest
from trafilatura.metadata import extract_author

from newsfuse.extract import extract_page
from newsfuse.extract.metadata import _author_from_page, _first
from newsfuse.extract.repeats import printed_twice
from newsfuse.extract.tails import drop_lead_crumbs, drop_tail_section
from newsfuse.records import Article, Page

PARAGRAPHS = [
    "The council approved the new harbour budget after a long debate on Tuesday evening, with two members against.",
    "Work on the northern pier starts in March and should be finished before the summer season brings the ferries.",
    "The mayor said the money comes from the port fees that were raised last year, not from the town's reserves.",
    "Fishermen welcomed the plan but asked for the old slipway to stay open while the builders work on the pier.",
]


@pytest.mark.parametrize("heading", ["Related articles", "You might also like:", "More from Harbour News",
                                     "About the author", "READ THIS NEXT", "Sources:", "Disclaimer"])
def test_trailing_section_under_a_furniture_heading_goes(heading):
    tail = [heading, "- Ferry fares rise again", "- Storm closes the coastal road"]
    assert drop_tail_section(PARAGRAPHS + tail) == (PARAGRAPHS, tail)


def test_heading_followed_by_prose_or_too_early_stays():
    prose = "Related: " + " ".join(PARAGRAPHS)  # not a whole-line heading
    assert drop_tail_section(PARAGRAPHS + [prose]) == (PARAGRAPHS + [prose], [])
    long_after = ["Related", " ".join(PARAGRAPHS[:2])]  # a 40+ word paragraph after it: the article goes on
    assert drop_tail_section(PARAGRAPHS + long_after) == (PARAGRAPHS + long_after, [])
    early = ["Related stories", "- Ferry fares rise again", *PARAGRAPHS]  # at the top, not in the last 30%
    assert drop_tail_section(early) == (early, [])
    with_refs = [*PARAGRAPHS, "References", "1. Port authority annual report, 2024."]  # not furniture on WCXB
    assert drop_tail_section(with_refs) == (with_refs, [])


def test_crumbs_on_top_go_and_a_short_opening_stays():
    crumbs = ["- Home", "- News", "- Harbour", "Jan 4, 2025", "2 min read"]
    assert drop_lead_crumbs(crumbs + PARAGRAPHS) == (PARAGRAPHS, crumbs)
    two = ["Harbour news", "Jan 4"]  # fewer than CRUMB_LINES: a heading and a date line
    assert drop_lead_crumbs(two + PARAGRAPHS) == (two + PARAGRAPHS, [])
    assert drop_lead_crumbs(crumbs) == (crumbs, [])  # nothing but short lines: left alone


def test_extract_page_cuts_a_related_list_after_the_article():
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS * 2)
    html = (f"<html><head><title>Harbour budget</title></head><body><article><h1>Harbour budget</h1>{body}"
            "<h3>You might also like</h3><p>Ferry fares rise again</p><p>Storm closes the coastal road</p>"
            "</article></body></html>")
    article = extract_page(Page(id="t", path="t", kind="html", content=html))
    assert isinstance(article, Article)
    assert PARAGRAPHS[-1] in article.text
    assert "Ferry fares" not in article.text and "also like" not in article.text


@pytest.mark.parametrize("markup, author", [
    ("<div class='byline'><span class='author-name'>Jane Doe</span></div>", "Jane Doe"),
    ("<p><a rel='author' href='/jd'>Jane Doe</a></p>", "Jane Doe"),
    ("<p class='post-writer'>Jane Doe</p>", "Jane Doe"),
    ("<p class='intro'>Jane Doe wrote this.</p>", None),  # nothing an author expression matches: skipped
])
def test_author_search_matches_trafilatura_with_and_without_the_skip(markup, author):
    tree = lxml.html.document_fromstring(f"<html><body>{markup}<p>{PARAGRAPHS[0]}</p></body></html>")
    assert _author_from_page(tree) == _first(extract_author(tree)) == author


def test_printed_twice_keeps_a_page_without_copies_and_drops_a_run_on_copy():
    lines = PARAGRAPHS + [" ".join(PARAGRAPHS)]
    words = [line.lower().replace(",", " ").replace(".", " ").replace("'", " ").split() for line in lines]
    assert printed_twice(lines[:-1], words[:-1], share=0.98) == [True] * 4
    assert printed_twice(lines, words, share=0.98) == [True] * 4 + [False]
