"""Server-rendered pages: list, story (cited passages), article, search, feed, brief downloads."""
from __future__ import annotations

import json
import re
from xml.etree import ElementTree

from .conftest import CLAIM, FRENCH


def test_index_lists_stories_with_filters_and_pages(client, ids):
    page = client.get("/")
    assert page.status_code == 200
    assert f'href="/stories/{ids["story"]}"' in page.text
    assert 'name="source"' in page.text and 'type="date"' in page.text and 'action="/search"' in page.text
    assert "page 1 of 2" in page.text and 'rel="next"' in page.text
    second = client.get("/", params={"page": 2})
    assert "page 2 of 2" in second.text and 'rel="prev"' in second.text


def test_index_filter_by_source_and_ignores_bad_dates(client, ids):
    page = client.get("/", params={"source": "wxii12.com", "since": "", "until": "13/09/2023"})
    assert page.status_code == 200
    assert ids["story"] in page.text and "s-filler-01" not in page.text
    assert "Ignored a date" in page.text


def test_story_page_cites_the_exact_passage(client, ids):
    page = client.get(f"/stories/{ids['story']}")
    assert page.status_code == 200
    # the second summary sentence cites source [2] (wxii12.com); its <details> holds the supporting sentence
    cite = re.search(r'<details class="cite" id="c1-2">(.*?)</details>', page.text, re.S).group(1)
    assert "[2]" in cite and "wxii12.com" in cite
    assert "Russian Defense Minister Sergei Shoigu during a recent visit to Pyongyang" in cite
    assert "artillery shells" not in cite  # just the supporting sentence, not the paragraph
    assert re.search(rf'href="/articles/{ids["b"]}#s\d+"', cite)
    assert "(exact copy)" in page.text  # lineage shown on the copy's citation
    for section in ("sources", "timeline", "quotes", "entities", "unique", "disagreements"):
        assert f'id="{section}"' in page.text
    assert "Mykhailo Podalyak" in page.text and "2023-03" in page.text


def test_article_page_anchors_sentences_and_shows_lineage(client, ids):
    page = client.get(f"/articles/{ids['b']}")
    assert page.status_code == 200
    anchored = re.findall(r'<span class="s" id="s(\d+)">([^<]*)</span>', page.text)
    assert any("Sergei Shoigu" in text for _, text in anchored)
    original = client.get(f"/articles/{ids['a']}")
    assert f'href="/articles/{ids["c"]}"' in original.text and "Copies of this article" in original.text
    copy = client.get(f"/articles/{ids['c']}")
    assert "exact of" in copy.text and f'href="/articles/{ids["a"]}"' in copy.text


def test_search_page(client, ids):
    page = client.get("/search", params={"q": "Podalyak"})
    assert page.status_code == 200 and "<mark>Podalyak</mark>" in page.text
    assert f'href="/articles/{ids["a"]}"' in page.text
    assert client.get("/search").status_code == 200


def test_missing_pages_are_html_404(client):
    for path in ("/stories/nope", "/articles/nope", "/nothing"):
        page = client.get(path)
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html"), path


def test_feed_is_atom(client, ids):
    response = client.get("/feed.xml")
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == 27
    assert entries[0].find("a:link", ns).get("href").endswith(f"/stories/{ids['story']}")


def test_brief_downloads(client, ids):
    base = f"/stories/{ids['story']}/brief"
    md = client.get(base + ".md")
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert "attachment" in md.headers["content-disposition"] and "Sergei Shoigu" in md.text
    data = client.get(base + ".json")
    assert json.loads(data.text)["summary"][1]["text"] == CLAIM
    html = client.get(base + ".html")
    assert html.status_code == 200 and "<h2>Summary</h2>" in html.text and "Sergei Shoigu" in html.text
    assert client.get(base + ".pdf").status_code == 404


def test_server_works_while_another_process_writes(client, web_store, ids):
    """Read-only per request: a writer holding a transaction does not block pages (WAL)."""
    from newsfuse.store import SqliteStore

    with SqliteStore(web_store[0]) as writer:
        writer.db.execute("BEGIN IMMEDIATE")
        try:
            writer.db.execute("UPDATE stories SET updated='x' WHERE id=?", (ids["story"],))
            assert client.get(f"/stories/{ids['story']}").status_code == 200
            assert client.get("/api/stories").status_code == 200
        finally:
            writer.db.rollback()


def test_story_page_gives_each_other_language_its_summary(client, ids):
    page = client.get(f"/stories/{ids['story']}").text
    section = re.search(r'<section id="languages">(.*?)</section>', page, re.S).group(1)
    assert "from the en articles" in section and "fr · 1 article<" in section
    assert 'lang="fr"' in section and FRENCH in section
    assert "<details class=\"cite\" id=\"cfr0-3\"" in section  # its own citation anchors
    download = client.get(f"/stories/{ids['story']}/brief.html").text
    assert FRENCH in download and '<h2 lang="fr">' in download
    assert FRENCH in client.get(f"/stories/{ids['story']}/brief.md").text
