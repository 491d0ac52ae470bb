"""extract_page on each kind of page: html metadata and precedence, text, article, and every drop."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from newsfuse.config import ExtractConfig
from newsfuse.extract import (DROP_EMPTY, DROP_EXTRACT_FAILED, DROP_NOT_HTML, DROP_TOO_SHORT, DROP_UNKNOWN_KIND,
                              extract_page)
from newsfuse.records import Article, Drop, Page

from ..conftest import TEST_DATA

HTML = (TEST_DATA / "extract" / "news_page.html").read_text(encoding="utf-8")


def test_html_page_text_and_metadata():
    article = extract_page(Page(id="p1", path="news_page.html", kind="html", content=HTML))
    assert isinstance(article, Article)
    assert article.id == "p1" and article.path == "news_page.html"
    assert article.title == "Harbour ferry service resumes after storm repairs"
    assert article.site == "Coastal Courier" and article.author == "Maria Lopes"
    assert article.url == "https://www.coastal-courier.example/news/2023/09/ferry-resumes"
    assert article.published is not None and article.published.tzinfo is not None
    assert article.published.utcoffset().total_seconds() == 0
    assert article.published.date().isoformat() == "2023-09-06"
    assert "steel pontoons" in article.text and "Jonas Berg" in article.text
    assert "All rights reserved" not in article.text and "Subscribe" not in article.text


def test_page_metadata_wins():
    when = datetime(2023, 9, 7, 8, 0, tzinfo=timezone.utc)
    page = Page(id="p1", path="x.html", kind="html", content=HTML, url="https://example.org/a", title="Reader title",
                site="Reader site", author="Reader author", published=when, language="en")
    article = extract_page(page)
    assert (article.url, article.title, article.site, article.author, article.published, article.language) == (
        "https://example.org/a", "Reader title", "Reader site", "Reader author", when, "en")


def test_html_masking_never_survives():
    html = HTML.replace("welcomed the news.", "welcomed the f***ing news.")
    assert "***" not in extract_page(Page(id="p", path="x", kind="html", content=html)).text


def test_text_page_uses_the_cleaner():
    text = ("Skip to content\nHarbour ferry service resumes after storm repairs\nAdvertisement\n"
            + "\n".join(p for p in HTML.split("<p>")[2:7]).replace("</p>", ""))
    article = extract_page(Page(id="t", path="t.txt", kind="text", content=text))
    assert article.title == "Harbour ferry service resumes after storm repairs"
    assert "Advertisement" not in article.text and ("ad_marker", "Advertisement") in article.removed


def test_article_page_passes_through():
    text = "  " + "The council met on Tuesday and approved the budget for schools and roads. " * 3 + "It said ***. "
    page = Page(id="a", path="a.jsonl:1", kind="article", content=text, title="Budget", site="Daily",
                published=datetime(2023, 1, 1))
    article = extract_page(page)
    assert article.title == "Budget" and article.site == "Daily" and "***" not in article.text
    assert article.published == datetime(2023, 1, 1, tzinfo=timezone.utc)
    assert article.text == article.text.strip() and article.text.startswith("The council met")


@pytest.mark.parametrize("page, reason", [
    (Page(id="e", path="e", kind="text", content="   \n"), DROP_EMPTY),
    (Page(id="e", path="e", kind="text", content="Advertisement\nSkip to content"), DROP_EMPTY),
    (Page(id="s", path="s", kind="article", content="Too short to be an article."), DROP_TOO_SHORT),
    (Page(id="n", path="n", kind="html", content="just some words, no markup at all"), DROP_NOT_HTML),
    (Page(id="f", path="f", kind="html", content="<html><body><script>var x = 1;</script></body></html>"), DROP_EXTRACT_FAILED),
    (Page(id="u", path="u", kind="pdf", content="%PDF-1.4"), DROP_UNKNOWN_KIND),
])
def test_drops(page, reason):
    result = extract_page(page)
    assert isinstance(result, Drop) and result.reason == reason and result.path == page.path


def test_min_words_is_configurable():
    page = Page(id="s", path="s", kind="article", content="Too short to be an article.")
    assert isinstance(extract_page(page, ExtractConfig(min_words=3)), Article)


def test_json_ld_article_body_replaces_a_text_cut_short():
    from newsfuse.extract.html import BODY_GAIN, _declared_body

    cut = "The council met on Tuesday. It approved the budget."
    body = cut + " " + " ".join(f"Paragraph {i} explains what the budget pays for in the ward." for i in range(6))
    assert _declared_body(body, cut) == body  # many times longer: the extractor stopped early
    assert _declared_body(cut + " One more sentence.", cut) == cut  # about as long: the extracted text stays
    assert _declared_body("<p>" + body + "</p>", cut) == cut  # markup in articleBody is not read
    assert _declared_body("Fish &amp; chips " * 20, cut) == "Fish & chips " * 20
    assert _declared_body(None, cut) == cut and BODY_GAIN > 1
