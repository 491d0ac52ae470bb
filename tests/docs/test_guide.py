"""The user guide builds with `mkdocs build --strict` (a broken link, a page missing from the nav, or a command
or public name the guide never mentions fails it), offline, with its reference parts generated from the code."""
import dataclasses
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from newsfuse.config import Config

from .test_examples import PAGES
from .markdown_examples import ROOT


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return out


def text_of(site: Path, page: str) -> str:
    return (site / page / "index.html").read_text(encoding="utf-8")


def test_every_page_is_in_the_nav_and_built(site):
    pages = sorted(p.name for p in (ROOT / "docs").glob("*.md"))
    assert sorted(p.name for p in PAGES) == pages
    for name in pages:
        built = site / ("index.html" if name == "index.md" else f"{name[:-3]}/index.html")
        assert built.is_file(), name


def test_every_configuration_key_is_in_the_generated_table(site):
    html = text_of(site, "configuration")
    for section in dataclasses.fields(Config):
        assert f"[{section.name}]" in html
        for key in dataclasses.fields(section.default_factory):
            assert f"<code>{key.name}</code>" in html, f"{section.name}.{key.name}"


def test_every_command_is_in_the_generated_reference(site):
    html = text_of(site, "cli-reference")
    for command in ("extract", "dedup", "cluster", "summarize", "run", "watch", "export", "stories", "brief",
                    "serve", "story merge", "story split", "story exclude"):
        assert f"newsfuse {command}</code>" in html, command


def test_the_guide_loads_nothing_from_the_network(site):
    """Material without Google Fonts: every stylesheet, script and font is served from the site itself."""
    for page in site.rglob("*.html"):
        for url in re.findall(r'<(?:link|script)[^>]+(?:href|src)="([^"]+)"', page.read_text(encoding="utf-8")):
            assert not url.startswith(("http:", "https:", "//")), f"{page.relative_to(site)} loads {url}"


def test_the_readme_mentions_only_real_configuration_keys():
    """The guide's pages are checked by the build (docs/hooks/reference.py); the README, outside it, here."""
    spec = importlib.util.spec_from_file_location("guide_hooks", ROOT / "docs" / "hooks" / "reference.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    assert hooks.unknown_config_keys((ROOT / "README.md").read_text(encoding="utf-8")) == []
    assert hooks.unknown_config_keys("`cluster.no_such_key`") == ["cluster.no_such_key"]
