"""Markdown and HTML renderings: copies told apart, article text never rendered as markup."""
import json
import re
from html.parser import HTMLParser

import pytest

from newsfuse.brief import build_brief, render_html, render_markdown
from newsfuse.records import Article, Brief, Cited, Quote, brief_from_json

from ..conftest import TEST_DATA

HOSTILE = ('Officials said the <script>alert("x")</script> tag was found in the county vote database on Monday. '
           'Click [here](javascript:alert(1)) or <a href="javascript:alert(2)">there</a> for the full report.')


@pytest.fixture(scope="module")
def seeds() -> list[Article]:
    rows = [json.loads(line) for line in (TEST_DATA / "brief" / "seeds-clean.jsonl").read_text().splitlines()]
    return [Article(id=r["id"], title=r["title"], text=r["text"], site=r["source"]) for r in rows]


@pytest.fixture(scope="module")
def with_copy(seeds):
    """The seeds plus a syndicated copy of seed000 on another site."""
    copy = Article(id="copy000", title=seeds[0].title, text=seeds[0].text, site="Daily Reprint",
                   url="https://reprint.example/ukraine")
    articles = seeds + [copy]
    duplicate_of = {"seed000": None, "seed002": None, "copy000": "seed000"}
    return articles, duplicate_of, build_brief("seeds", articles, duplicate_of)


def test_copies_counted_once(with_copy):
    articles, _, brief = with_copy
    copied = [c for c in brief.summary if "copy000" in c.sources]
    assert copied
    for cited in brief.summary:
        assert cited.copies == tuple(s for s in cited.sources if s == "copy000")
        assert cited.independent == len(set(cited.sources) - {"copy000"})
    podalyak = next(q for q in brief.quotes if q.text.startswith("The war is increasingly"))
    assert podalyak.sources == ("seed000", "copy000") and podalyak.independent == 1
    assert podalyak.copies == ("copy000",)


def test_markdown_shows_independent_support_and_lineage(with_copy):
    articles, duplicate_of, brief = with_copy
    text = render_markdown(brief, articles, duplicate_of)
    assert "[1][3] (1 independent source)" in text
    assert "3. " in text and "(copy of [1])" in text
    assert "(copy)" in render_markdown(brief, articles)  # lineage read back from the citations alone


def test_json_round_trip_keeps_new_fields_and_reads_old(with_copy):
    _, _, brief = with_copy
    assert brief_from_json(json.loads(json.dumps(brief.to_json()))) == brief
    old = {"story": "s", "headline": "h", "summary": [{"text": "A sentence.", "sources": ["a"]}],
           "quotes": [{"text": "q q q", "speaker": None, "sources": ["a"]}],
           "timeline": [{"date": "2023", "text": "t", "sources": ["a"], "resolved": True}]}
    back = brief_from_json(old)
    assert back.summary == (Cited("A sentence.", ("a",)),) and back.summary[0].independent is None
    assert back.quotes == (Quote("q q q", None, ("a",)),) and back.timeline[0].phrase is None


def _hostile_brief() -> tuple[Brief, list[Article]]:
    articles = [Article(id="a", text=HOSTILE, title="<img src=x onerror=alert(1)> Vote probe",
                        url="javascript:alert(3)", site="<b>Site</b>"),
                Article(id="b", text=HOSTILE, title="Probe [x](javascript:alert(4))",
                        url="https://ok.example/b?x=1&y=2")]
    brief = build_brief("hostile", articles)
    brief = Brief(brief.story, brief.headline, brief.summary,
                  (Quote('<script>bad()</script> quoted words here', "<i>Mal</i>", ("a",), 1),),
                  brief.entities, brief.timeline, brief.unique, brief.disagreements)
    return brief, articles


def test_markdown_escapes_article_text():
    brief, articles = _hostile_brief()
    text = render_markdown(brief, articles)
    assert "<" not in text.replace("<https://ok.example/b?x=1&y=2>", "")
    assert ">" not in text.replace("<https://ok.example/b?x=1&y=2>", "")
    assert "](" not in text.replace("\\](", "")  # no link syntax survives: the brackets are escaped
    assert not re.search(r"(?i)javascript:", text)
    assert "&lt;script&gt;" in text


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.hrefs, self.ids = [], [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "a":
            self.hrefs.append(attrs.get("href"))
        if "id" in attrs:
            self.ids.add(attrs["id"])
        assert not any(name.startswith("on") for name in attrs), attrs


def test_html_escapes_and_links_only_web_urls():
    brief, articles = _hostile_brief()
    page = render_html(brief, articles)
    parsed = _Collect()
    parsed.feed(page)
    assert "script" not in parsed.tags and "img" not in parsed.tags and "b" not in parsed.tags
    assert "i" not in parsed.tags
    assert all(h.startswith("#source-") or h.startswith("https://") for h in parsed.hrefs), parsed.hrefs
    assert "https://ok.example/b?x=1&amp;y=2" in page
    assert "&lt;script&gt;" in page


def test_html_is_a_complete_cited_page(with_copy):
    articles, duplicate_of, brief = with_copy
    page = render_html(brief, articles, duplicate_of)
    parsed = _Collect()
    parsed.feed(page)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    for section in ("Quotes", "Who and where", "Only in one source", "Sources"):
        assert f"<h2>{section}</h2>" in page
    assert {h[1:] for h in parsed.hrefs if h.startswith("#")} <= parsed.ids  # every footnote has its source
    assert {"source-1", "source-2", "source-3"} <= parsed.ids
    assert "(1 independent source)" in page
    assert 'copy of <a href="#source-1">[1]</a>' in page
    assert "Mykhailo Podalyak" in page
    assert "<script" not in page and "http://" not in page.split("<body>")[0]
