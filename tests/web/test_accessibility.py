"""Accessibility in a real browser: axe-core run inside headless Chromium on every kind of page, keyboard navigation
(skip link, visible focus) and the print stylesheet. A screenshot of each page is saved under test-artifacts/.

axe-core comes from scripts/install-axe.sh (npm, pinned, into .cache/axe; `make test` runs it) and Chromium from
scripts/install-browser.sh; without either these tests fail rather than skip.
"""
from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from urllib.parse import quote

import pytest

from .browser import DevTools, chromium, running_server

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(os.environ.get("NEWSFUSE_ARTIFACTS", ROOT / "test-artifacts")) / "screenshots"
BLOCKING = ("serious", "critical")
PAGES = {  # name -> path (ids filled in from the store)
    "home": "/", "home-filtered": "/?sort=latest&source=wxii12.com", "story": "/stories/{story}",
    "article": "/articles/{b}", "entity": "/entities/" + quote("Kim Jong Un"), "outlet": "/sources/wionews.com",
    "search": "/search?q=Podalyak", "error": "/stories/nope",
}
RUN_AXE = ("axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations.map(v => "
           "({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))")


@pytest.fixture(scope="module")
def browser(web_store, tmp_path_factory):
    assert chromium() is not None, "no chromium: run scripts/install-browser.sh (make test does)"
    assert AXE.exists(), "no axe-core: run scripts/install-axe.sh (make test does)"
    with running_server(str(web_store[0])) as base:
        tools = DevTools(chromium(), tmp_path_factory.mktemp("a11y") / "profile")
        tools.base = base
        try:
            yield tools
        finally:
            tools.close()


def _violations(browser: DevTools) -> list[dict]:
    browser.call("Runtime.evaluate", expression=AXE.read_text(encoding="utf-8"))
    result = browser.call("Runtime.evaluate", expression=RUN_AXE, awaitPromise=True, returnByValue=True)
    return json.loads(result["result"]["value"])


def _full_screenshot(browser: DevTools, path: Path) -> Path:
    size = browser.call("Page.getLayoutMetrics")["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 8000), "scale": 1}
    shot = browser.call("Page.captureScreenshot", format="png", captureBeyondViewport=True, clip=clip)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def test_no_serious_violations_on_any_page(browser, ids):
    found = {}
    for name, path in PAGES.items():
        browser.open(browser.base + path.format(**ids))
        blocking = [v for v in _violations(browser) if v["impact"] in BLOCKING]
        if blocking:
            found[name] = blocking
        assert _full_screenshot(browser, SHOTS / f"{name}.png").stat().st_size > 5_000
    assert not found, json.dumps(found, indent=1)


def _key(browser: DevTools, key: str, code: int) -> None:
    for kind in ("keyDown", "keyUp"):
        browser.call("Input.dispatchKeyEvent", type=kind, key=key, code=key, windowsVirtualKeyCode=code,
                     nativeVirtualKeyCode=code)


def test_keyboard_skip_link_and_visible_focus(browser, ids):
    browser.open(browser.base + f"/stories/{ids['story']}")
    _key(browser, "Tab", 9)
    focused = browser.evaluate("(() => { const e = document.activeElement, r = e.getBoundingClientRect(), "
                               "s = getComputedStyle(e); return [e.className, e.textContent, r.top >= 0 && "
                               "r.height > 0, s.outlineStyle, s.outlineWidth]; })()")
    assert focused[:3] == ["skip", "Skip to content", True], focused  # first Tab: the skip link, on screen
    assert focused[3] == "solid" and focused[4] != "0px", focused   # with a visible focus ring
    _key(browser, "Enter", 13)
    assert browser.evaluate("document.activeElement.id") == "main"
    _key(browser, "Tab", 9)
    assert browser.evaluate("document.getElementById('main').contains(document.activeElement)") is True
    _full_screenshot(browser, SHOTS / "story-keyboard.png")


def test_print_stylesheet(browser, ids):
    browser.open(browser.base + f"/stories/{ids['story']}")
    browser.call("Emulation.setEmulatedMedia", media="print")
    try:
        assert browser.evaluate("getComputedStyle(document.querySelector('header.top')).display") == "none"
        assert browser.evaluate("getComputedStyle(document.querySelector('footer.site')).display") == "none"
        assert browser.evaluate("document.querySelector('#coverage table').checkVisibility()") is True
        assert browser.evaluate("document.querySelector('#c1-2 .passage').checkVisibility()") is True
        _full_screenshot(browser, SHOTS / "story-print.png")
    finally:
        browser.call("Emulation.setEmulatedMedia", media="")
