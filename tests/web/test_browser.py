"""A real browser on the seeds' story page: headless Chromium against the app served on 127.0.0.1.

Chromium comes from scripts/install-browser.sh (run by `make test`); without it these tests fail rather than skip.
The click test drives Chromium over its DevTools protocol with the websocket-client package (dev extra).
"""
from __future__ import annotations

import re

import pytest

from .browser import DevTools, chromium, run_chromium, running_server

BINARY = chromium()

@pytest.fixture(autouse=True)
def _needs_chromium():
    assert BINARY is not None, "no chromium: run scripts/install-browser.sh (make test does)"
PASSAGE = "Russian Defense Minister Sergei Shoigu during a recent visit to Pyongyang"


@pytest.fixture(scope="module")
def server(web_store):
    with running_server(str(web_store[0])) as base:
        yield base


def test_story_page_in_chromium_opens_the_linked_citation(server, ids, tmp_path):
    """Without clicking: the fragment #c1-2 makes /static/app.js open that citation (CSP allows our script)."""
    url = f"{server}/stories/{ids['story']}#c1-2"
    dom = run_chromium(BINARY, tmp_path / "profile", "--virtual-time-budget=3000", "--dump-dom", url)
    cite = re.search(r'<details class="cite" id="c1-2"([^>]*)>(.*?)</details>', dom, re.S)
    assert cite, dom[:2000]
    assert "open" in cite.group(1)  # opened by app.js: our script ran under the CSP
    assert PASSAGE in cite.group(2)
    assert 'id="toggle-cites"' in dom and 'id="toggle-cites" hidden' not in dom
    shot = tmp_path / "story.png"
    run_chromium(BINARY, tmp_path / "profile2", f"--screenshot={shot}", url)
    assert shot.exists() and shot.stat().st_size > 10_000


def test_click_a_citation_shows_the_cited_passage(server, ids, tmp_path):
    browser = DevTools(BINARY, tmp_path / "profile")
    try:
        browser.open(f"{server}/stories/{ids['story']}")
        visible = "document.querySelector('#c1-2 .passage').checkVisibility()"
        assert browser.evaluate(visible) is False  # closed: the passage is not shown
        browser.click("#c1-2 > summary")
        assert browser.evaluate("document.getElementById('c1-2').open") is True
        assert browser.evaluate(visible) is True
        assert PASSAGE in browser.evaluate("document.querySelector('#c1-2 .passage').innerText")
        shot = browser.screenshot(tmp_path / "citation.png")
        assert shot.stat().st_size > 10_000
        browser.click("#c1-2 > summary")  # a second click closes it again
        assert browser.evaluate("document.getElementById('c1-2').open") is False
    finally:
        browser.close()
