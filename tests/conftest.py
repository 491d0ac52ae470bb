import gzip
import json
import os
import tomllib
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import settings

from newsfuse.records import Article

# In CI the property tests draw the same examples every run (a fixed seed), so a red build always names a
# reproducible input; locally they keep exploring new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "samples" / "seeds"
DATA = SHARED / "data"
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def floors() -> dict:
    return tomllib.loads((Path(__file__).resolve().parent / "floors.toml").read_text())


def shared_or_fail(path: Path) -> Path:
    """Gates never skip: missing shared data is a failure, not a skip."""
    assert path.exists(), f"missing shared data {path}: tests expect ../shared beside the project"
    return path


@lru_cache(maxsize=2)
def wcxb_articles(limit: int) -> tuple[Article, ...]:
    """The first ``limit`` WCXB dev article pages (by file name, ``page_type`` "article"), extracted; pages that
    extract to nothing are skipped. Cached: the background and reading-cap tests share one extraction."""
    from newsfuse.extract import extract_page
    from newsfuse.ingest.files import read_html

    wcxb = shared_or_fail(DATA / "extraction" / "wcxb-dev")
    out: list[Article] = []
    for truth in sorted((wcxb / "ground-truth").glob("*.json")):
        if (json.loads(truth.read_text()).get("_internal") or {}).get("page_type", {}).get("primary") != "article":
            continue
        article = extract_page(read_html(truth.stem, gzip.decompress((wcxb / "html" / f"{truth.stem}.html.gz")
                                                                     .read_bytes())))
        if isinstance(article, Article):
            out.append(article)
        if len(out) == limit:
            break
    return tuple(out)


def comparable_export(stories: list[dict]) -> list[dict]:
    """An export without what differs between two stores by construction: when newsfuse stored each article
    (``stored``), and a story's ``first_seen``/``last_seen`` where they come from those times (no publication
    time). Asserts the fields are there before setting them aside."""
    for story in stories:
        for article in story["articles"]:
            assert article.pop("stored")
        for end in ("first_seen", "last_seen"):
            if story.get(f"{end}_source") == "stored":
                assert story.pop(end)
    return stories


# The throwaway PostgreSQL cluster and the per-backend store fixture (``store_db``) for every test folder.
from .postgres_cluster import postgres_cluster, postgres_url, store_db  # noqa: E402,F401
