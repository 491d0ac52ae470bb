"""Every shell example of README.md and docs/*.md runs, as tests/docs/markdown_examples.py describes, so an
example that stops working fails CI. Exempted blocks carry their reason in the page; the counts, the
exemptions and the slowest commands are printed at the end of the test session."""
from pathlib import Path

import pytest
import yaml

from .conftest import OUTCOMES
from .markdown_examples import ROOT, SHELL, NewsSite, Outcome, Workspace, blocks


def nav_pages() -> list[Path]:
    """The guide's pages in the order of mkdocs.yml's nav (a page missing from it fails tests/docs/test_guide)."""
    def walk(items) -> list[str]:
        out = []
        for item in items:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            out.extend(walk(value) if isinstance(value, list) else [value])
        return out

    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    return [ROOT / "docs" / name for name in walk(config["nav"])]


PAGES = nav_pages()


@pytest.fixture(scope="module")
def site():
    served = NewsSite()
    yield served
    served.close()


@pytest.fixture(scope="module")
def guide_folder(tmp_path_factory, site) -> Workspace:
    return Workspace(tmp_path_factory.mktemp("guide"), site)


def run_page(page: Path, workspace: Workspace) -> None:
    outcome = OUTCOMES.setdefault(str(page.relative_to(ROOT)), Outcome())
    workspace.run_page(page, outcome)
    empty = [b.where for b in blocks(page) if b.lang in SHELL and not b.skip and not b.commands()]
    assert not empty, f"shell blocks with no command to run: {empty}"


def test_readme_examples_run(site, tmp_path):
    run_page(ROOT / "README.md", Workspace(tmp_path, site))


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_guide_examples_run(page, guide_folder):
    run_page(page, guide_folder)


def test_the_examples_are_found():
    """The doc test must not pass by finding nothing: the README and the guide's command page hold examples."""
    for name in ("README.md", "docs/cli.md"):
        assert [b for b in blocks(ROOT / name) if b.lang in SHELL and not b.skip], name
