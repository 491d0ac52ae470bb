"""The second trafilatura pass with ``favor_recall`` (``extract/html.py``): it runs when the page shows prose pieces
the text lacks, not when the text is merely a small share of the page's words."""
from __future__ import annotations

import re

from newsfuse.extract import extract_page
from newsfuse.extract import html as html_module
from newsfuse.extract.html import _declared_body, _missed_prose
from newsfuse.records import Article, Page

_WORD = re.compile(r"\w+")
PARAGRAPHS = [
    "The council approved the new harbour budget after a long debate on Tuesday evening, with two members against.",
    "Work on the northern pier starts in March and should be finished before the summer season brings the ferries.",
    "The mayor said the money comes from the port fees that were raised last year, not from the town's reserves.",
    "Fishermen welcomed the plan but asked for the old slipway to stay open while the builders work on the pier.",
]
PLAN = [
    "The northern pier gets a new concrete deck and railings along its full length",
    "The ferry terminal moves forty metres east to make room for the larger boats",
    "The old fish market becomes a covered hall for the weekly farmers market",
    "The car park by the lighthouse is closed to cars from May to September",
]


def _page(body: str, nav: str = '<a href="/">Home</a> <a href="/news">News</a>') -> str:
    """A blog-style page: no <article> or <main>, the post in nested divs (as on hamy.xyz)."""
    return (f"<!DOCTYPE html><html><head><title>Harbour budget approved</title></head><body>"
            f"<div class=\"menu\"><ul>{nav}</ul></div><div class=\"p-6\"><div class=\"p-4 max-w-prose mx-auto\">"
            f"<h1>Harbour budget approved</h1><div class=\"post-area prose\">{body}</div></div></div>"
            f"<footer><p>Harbour News, 1 Quay Street</p></footer></body></html>")


def _extract(html: str) -> Article:
    article = extract_page(Page(id="p", path="p.html", kind="html", content=html))
    assert isinstance(article, Article)
    return article


def test_a_list_the_first_pass_dropped_comes_back():
    # trafilatura's default pass drops this <ul> of plain sentences; its text still holds over half the page's
    # words (the old share trigger did not fire), but four prose pieces of the page are missing from it
    items = "".join(f"<li>{item}</li>" for item in PLAN)
    body = (f"<p>{PARAGRAPHS[0]}</p><p>{PARAGRAPHS[1]}</p><p>The plan in short:</p><ul>{items}</ul>"
            f"<p>{PARAGRAPHS[2]}</p><p>{PARAGRAPHS[3]}</p>")
    text = _extract(_page(body)).text
    assert all(item in text for item in PLAN)
    assert all(paragraph in text for paragraph in PARAGRAPHS)


def test_no_second_pass_for_a_page_of_short_links(monkeypatch):
    # a menu with more words than the article: the text is under half the page's words, but nothing missing is
    # prose, so trafilatura runs once
    calls = []
    real = html_module._trafilatura

    def counting(*args, **kwargs):
        calls.append(kwargs.get("favor_recall", False))
        return real(*args, **kwargs)

    monkeypatch.setattr(html_module, "_trafilatura", counting)
    nav = "".join(f'<li><a href="/t/{i}">Harbour topic number {i}</a></li>' for i in range(60))
    article = _extract(_page("".join(f"<p>{p}</p>" for p in PARAGRAPHS), nav=nav))
    assert all(paragraph in article.text for paragraph in PARAGRAPHS)
    assert calls == [False]


def test_missed_prose_counts_long_pieces_with_missing_words():
    words = _WORD.findall(" ".join(PARAGRAPHS).lower())
    tokens = [_WORD.findall(piece.lower()) for piece in [*PARAGRAPHS, *PLAN, "Home", "Harbour topic number 7",
                                                         "Subscribe to the harbour newsletter today"]]
    assert _missed_prose(tokens, words) == len(PLAN)  # the 4 plan items; short labels do not count


def test_declared_body_is_compared_with_the_first_pass():
    # the first pass stopped early (18 words), the recall pass ran on into furniture (89 words); the JSON-LD
    # articleBody (37 words) is twice the first text: the page's own body wins over both
    first = PARAGRAPHS[0]
    recall = " ".join(PARAGRAPHS) + " Subscribe to our newsletter. Follow us on social media. Cookie settings."
    body = " ".join(PARAGRAPHS[:2])
    assert _declared_body(body, recall, first=len(_WORD.findall(first))) == body
    assert _declared_body(body, recall) == recall  # against the recall text alone it would not win
    assert _declared_body(body, first) == body
