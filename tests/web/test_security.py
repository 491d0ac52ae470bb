"""Untrusted article strings render inert on every page; security headers are always present."""
from __future__ import annotations

import re

import pytest

PAGES = ["/", "/?source=site<script>alert(1)</script><img src=x onerror=alert(1)>", "/stories/{evil}",
         "/articles/{x}", "/search?q=alert", "/stories/{evil}/brief.html", "/search?q=<script>alert(1)</script>",
         "/stories/<script>alert(1)</script>"]


def _pages(ids):
    return [p.format(**ids) for p in PAGES]


def test_payloads_render_inert_everywhere(client, ids):
    for path in _pages(ids):
        page = client.get(path)
        assert page.status_code in (200, 404), path
        html = page.text
        assert "<script>alert" not in html and "<img src=x" not in html and "onerror=alert(1)>" not in html, path
        assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", html, re.I), path
        # the only scripts are our own, from /static
        assert re.findall(r"<script[^>]*>", html) in ([], ['<script src="/static/app.js" defer>']), path


def test_payloads_are_shown_as_text(client, ids):
    html = client.get(f"/stories/{ids['evil']}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    article = client.get(f"/articles/{ids['x']}").text
    assert "javascript:alert(1)" in article  # shown as text, not linked
    assert "<b>para</b>" not in article


def test_feed_and_markdown_escape(client, ids):
    feed = client.get("/feed.xml").text
    assert "<script>" not in feed and "&lt;script&gt;" in feed
    md = client.get(f"/stories/{ids['evil']}/brief.md").text
    assert "<script>" not in md and "<img" not in md and "javascript:" not in md


def test_api_never_hands_out_javascript_urls_as_links(client, ids):
    story = client.get(f"/api/stories/{ids['evil']}").json()
    assert story["articles"][0]["url"] is None


@pytest.mark.parametrize("path", ["/", "/stories/{story}", "/articles/{a}", "/api/stories", "/feed.xml", "/nothing",
                                  "/static/style.css"])
def test_security_headers(client, ids, path):
    headers = client.get(path.format(**ids)).headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


def test_no_inline_script_or_style_in_templates():
    from pathlib import Path

    import newsfuse.web

    for template in (Path(newsfuse.web.__file__).parent / "templates").glob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template
        assert not re.search(r"\son[a-z]+\s*=", text), template  # no inline event handlers
        assert "style=" not in text and "<style" not in text, template
        assert "|safe" not in text.replace(" ", ""), template


def test_safe_url():
    from newsfuse.web.views import safe_url

    assert safe_url("https://example.com/a?b=1") == "https://example.com/a?b=1"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "//evil.com", "/relative",
                "http://", "https://x.com/\"onmouseover=alert(1)", "vbscript:x", None, ""):
        assert safe_url(bad) is None, bad
