"""A brief's source list names each source's outlet: the site, else the URL's host, else the file's name, never only
the title (the bundled examples are text files with no site and no URL)."""
from __future__ import annotations

import pytest

from newsfuse.brief import render_html, render_markdown
from newsfuse.records import Article, Brief, Cited, outlet_name


@pytest.mark.parametrize("site, url, path, expected", [
    ("Example Daily", "https://www.example.org/a", "/srv/in/a.html", "Example Daily"),
    (None, "https://www.example.org/news/a", "/srv/in/a.html", "example.org"),
    ("  ", "http://news.example.net:8080/a", None, "news.example.net"),
    (None, None, "/home/someone/examples/000_465c2a13a0b66ec2.txt", "000_465c2a13a0b66ec2.txt"),
    (None, "javascript:alert(1)", "in\\pages\\b.txt", "b.txt"),
    (None, "http://[broken", "c.jsonl:3", "c.jsonl:3"),
    (None, None, None, None),
])
def test_outlet_name(site, url, path, expected):
    assert outlet_name(site, url, path) == expected


def _sources() -> tuple[Brief, list[Article]]:
    articles = [
        Article(id="a1", text="Kirby said the letters were swapped.", title="Letters swapped",
                path="/home/someone/newsfuse/examples/000_465c2a13a0b66ec2.txt"),
        Article(id="a2", text="Kirby said the letters were swapped.", title="Putin and Kim traded letters",
                url="https://www.wxii12.com/article/putin-kim/1"),
        Article(id="a3", text="Kirby said the letters were swapped.", title="Letters", site="WION",
                url="https://www.wionews.com/world/letters"),
    ]
    return Brief("s1", "Letters", summary=(Cited("Kirby said the letters were swapped.", ("a1", "a2", "a3")),)), \
        articles


def test_markdown_sources_name_the_outlet():
    brief, articles = _sources()
    sources = render_markdown(brief, articles).split("## Sources")[1]
    assert "1. Letters swapped — 000\\_465c2a13a0b66ec2.txt" in sources
    assert "2. Putin and Kim traded letters — wxii12.com — <https://www.wxii12.com/article/putin-kim/1>" in sources
    assert "3. Letters — WION — <https://www.wionews.com/world/letters>" in sources
    assert "/home/someone" not in sources  # the file's name, not where it lay


def test_html_sources_name_the_outlet():
    brief, articles = _sources()
    page = render_html(brief, articles)
    sources = page.split("<h2>Sources</h2>")[1]
    assert '<li id="source-1">Letters swapped <span class="meta">— 000_465c2a13a0b66ec2.txt</span></li>' in sources
    assert '<span class="meta">— wxii12.com</span>' in sources and '<span class="meta">— WION</span>' in sources
    assert "<li><li" not in page and "/home/someone" not in page
