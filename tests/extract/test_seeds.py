"""The two seed pages (../shared/samples/seeds) through the text path: title, no furniture, no repeats."""
from __future__ import annotations

import re
from collections import Counter

import pytest

from newsfuse.extract import extract_page
from newsfuse.records import Article, Page

from ..conftest import SEEDS, shared_or_fail

FURNITURE = ["advertisement", "skip to content", "leave a reply", "your email address will not be published",
             "watch on demand", "nowcast", "news at 10pm"]
TITLES = {
    "000": "Russia wants weapons from North Korea? Vladimir Putin, Kim Jong Un have…",
    "002": "White House says Putin and Kim Jong Un traded letters as Russia looks for munitions from North Korea",
}
WORD = re.compile(r"\w+")


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    out = {}
    for path in sorted(shared_or_fail(SEEDS).glob("*.txt")):
        page = Page(id=path.stem, path=str(path), kind="text", content=path.read_text(encoding="utf-8"))
        article = extract_page(page)
        assert isinstance(article, Article), article
        out[path.name[:3]] = article
    assert set(out) == set(TITLES)
    return out


@pytest.mark.parametrize("seed", sorted(TITLES))
def test_title(seeds, seed):
    assert seeds[seed].title == TITLES[seed]


@pytest.mark.parametrize("seed", sorted(TITLES))
def test_no_furniture_masking_or_counters(seeds, seed):
    text = seeds[seed].text
    lines = [line.strip().lower() for line in text.splitlines() if line.strip()]
    assert not [line for line in lines if any(line.startswith(f) for f in FURNITURE)]
    assert "***" not in text
    assert "0 136" not in lines


@pytest.mark.parametrize("seed", sorted(TITLES))
def test_no_sentence_repeated(seeds, seed):
    sentences = [" ".join(WORD.findall(s.lower())) for s in re.split(r"(?<=[.!?])\s+", seeds[seed].text)]
    repeated = [s for s, n in Counter(s for s in sentences if len(s.split()) >= 6).items() if n > 1]
    assert not repeated


def test_title_not_in_body(seeds):
    for seed, article in seeds.items():
        assert TITLES[seed] not in article.text


def test_body_kept(seeds):
    assert "Podalyak" in seeds["000"].text and "Kyiv" in seeds["000"].text and "Wagner Group" in seeds["000"].text
    assert "more at the surface level" in seeds["002"].text and "Wagner Group" in seeds["002"].text


def test_seed_002_keeps_its_body_paragraphs_once(seeds):
    """The paragraph version of seed 002 has eight body paragraphs (the brief said nine; the file holds eight)."""
    paragraphs = [p for p in seeds["002"].text.split("\n\n") if p.strip()]
    starts = ["The White House on Wednesday", "National Security Council spokesman", "Kirby said that Russia",
              "He added that the letters", "The Biden administration", "In March, the White House",
              "Late last year", "Both North Korea and Russia"]
    assert len(paragraphs) == len(starts)
    for start in starts:
        assert sum(p.startswith(start) for p in paragraphs) == 1, start
    assert "U.S.-led West" in seeds["002"].text and "the U.S. allegations" in seeds["002"].text


def test_removals_are_explained(seeds):
    reasons = {reason for reason, _ in seeds["002"].removed}
    assert {"header", "furniture", "ad_marker", "title_repeat", "repeated_block", "transcript"} <= reasons
    assert {"counter", "comment_prompt"} <= {reason for reason, _ in seeds["000"].removed}
