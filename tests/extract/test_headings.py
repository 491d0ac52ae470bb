"""The edits after trafilatura on the HTML path: dropped headings restored, the headline and an author box dropped,
and the faster parse that must give trafilatura's own tree."""
from __future__ import annotations

import lxml.etree
import lxml.html
from trafilatura.utils import load_html

from newsfuse.extract import extract_page
from newsfuse.extract.furniture import drop_author_bio
from newsfuse.extract.headings import drop_headline, restore_headings
from newsfuse.extract.html import parse_html
from newsfuse.records import Article, Page

FIRST = "The council approved the new harbour budget after a long debate on Tuesday evening."
SECOND = "Work on the northern pier starts in March and should be finished before the summer season."


def _tree(body: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(f"<html><body>{body}</body></html>")


def test_heading_between_kept_paragraphs_goes_back_before_the_next_one():
    tree = _tree(f"<p>{FIRST}</p><h2><a href='/pier'>Northern pier</a> timeline</h2><p>{SECOND}</p>")
    assert restore_headings(tree, f"{FIRST}\n{SECOND}") == f"{FIRST}\nNorthern pier timeline\n{SECOND}"


def test_heading_outside_the_kept_text_stays_out():
    tree = _tree(f"<p>{FIRST}</p><p>{SECOND}</p><h2>Related stories</h2><ul><li>Ferry fares rise again</li></ul>"
                 "<h3>Most read</h3><p>Storm closes the coastal road for two days</p>")
    text = f"{FIRST}\n{SECOND}"
    assert restore_headings(tree, text) == text


def test_heading_already_in_the_text_is_not_repeated_and_style_text_is_not_read():
    tree = _tree(f"<p>{FIRST}</p><h2><style>.x{{color:red}}</style>Budget vote</h2><p>{SECOND}</p>")
    restored = restore_headings(tree, f"{FIRST}\n{SECOND}")
    assert restored == f"{FIRST}\nBudget vote\n{SECOND}"
    assert restore_headings(tree, restored) == restored


def test_headline_on_the_first_line_is_dropped_only_when_it_is_the_title():
    assert drop_headline("Harbour Budget Approved\n\nBody text here.", "Harbour budget approved") == (
        "\nBody text here.", "Harbour Budget Approved")
    assert drop_headline("Body text here.\nHarbour budget approved", "Harbour budget approved") == (
        "Body text here.\nHarbour budget approved", None)
    assert drop_headline("Harbour budget approved by council", "Harbour budget approved")[1] is None
    assert drop_headline("Anything", None) == ("Anything", None)


def test_trailing_author_box_is_dropped_but_a_closing_quote_of_the_author_is_kept():
    lines = [FIRST, SECOND, "Maria Lopes is the Courier's harbour reporter and has covered the port since 2015.",
             "Follow her on social media."]
    assert drop_author_bio(lines, "Maria Lopes") == (lines[:2], lines[2:])
    quoted = [FIRST, SECOND, "As Maria Lopes wrote last year, the pier had been waiting for repairs for a decade."]
    assert drop_author_bio(quoted, "Maria Lopes") == (quoted, [])
    assert drop_author_bio(lines, None) == (lines, [])
    early = ["Maria Lopes is the Courier's harbour reporter and has covered the port since 2015.", FIRST, SECOND,
             SECOND, SECOND]
    assert drop_author_bio(early, "Maria Lopes") == (early, [])  # not among the last lines: part of the article


def test_parse_html_gives_trafilaturas_tree():
    pages = [
        "<!DOCTYPE html>\n<html><head><title>T</title></head><body><p>Text</p><!-- c --></body></html>",
        "<html><body><p>Bad \x0b char</p></body></html>",  # an invalid XML char: load_html itself parses it
        "<?xml version='1.0' encoding='utf-8'?><html><body><p>Declared</p></body></html>",
        "<p>just a fragment</p>",
    ]
    for page in pages:
        mine, theirs = parse_html(page), load_html(page)
        assert (mine is None) == (theirs is None)
        if mine is not None:
            assert lxml.etree.tostring(mine) == lxml.etree.tostring(theirs)


def test_extract_page_drops_the_headline_and_restores_a_linked_heading():
    paragraphs = " ".join(f"<p>{FIRST} Paragraph {i} adds detail about the harbour works and costs.</p>"
                          for i in range(6))
    html = (f"<html><head><title>Harbour budget approved</title></head><body><article>"
            f"<h1>Harbour budget approved</h1>{paragraphs}"
            f"<h2><a href='/pier'>Northern pier</a></h2><p>{SECOND}</p><p>{SECOND} Again with more words.</p>"
            f"</article></body></html>")
    article = extract_page(Page(id="h", path="h.html", kind="html", content=html))
    assert isinstance(article, Article)
    assert article.title == "Harbour budget approved"
    assert not article.text.startswith("Harbour budget approved")
    assert ("title_repeat", "Harbour budget approved") in article.removed
