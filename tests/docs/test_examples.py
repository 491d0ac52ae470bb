"""Every shell example of README.md and docs/*.md runs, as tests/docs/markdown_examples.py describes, so an
example that stops working fails CI. Exempted blocks carry their reason in the page; the counts, the
exemptions and the slowest commands are printed at the end of the test session."""
import threading
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


@pytest.fixture(scope="module", autouse=True)
def readme_in_background(request, tmp_path_factory, site):
    """The README's examples run in a thread of their own, beside the guide's (each command is one process,
    mostly on one core): the README and the guide do not share a folder, so neither waits for the other."""
    errors: list[BaseException] = []
    if not any(item.name == "test_readme_examples_run" for item in request.session.items):
        yield None, errors  # the README's test is not selected
        return

    def work() -> None:
        try:
            run_page(ROOT / "README.md", Workspace(tmp_path_factory.mktemp("readme"), site))
        except BaseException as exc:  # noqa: BLE001 - re-raised by test_readme_examples_run
            errors.append(exc)

    thread = threading.Thread(target=work, name="readme-examples", daemon=True)
    thread.start()
    yield thread, errors
    thread.join()


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_guide_examples_run(page, guide_folder):
    run_page(page, guide_folder)


def test_readme_examples_run(readme_in_background):
    thread, errors = readme_in_background
    thread.join()
    if errors:
        raise errors[0]


def test_the_examples_are_found():
    """The doc test must not pass by finding nothing: the README and the guide's command page hold examples."""
    for name in ("README.md", "docs/cli.md"):
        assert [b for b in blocks(ROOT / name) if b.lang in SHELL and not b.skip], name
