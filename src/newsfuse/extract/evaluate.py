"""Scoring helpers for extraction: word-multiset F1 and the WCXB gold pages.

Used by the quality gate (tests/extract/test_gate_wcxb.py) and the benchmark (bench/extract.py), so both score
the same pages the same way. The WCXB score is the F1 of the multisets of lowercased ``\\w+`` tokens.
"""
from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from copy import deepcopy
from pathlib import Path
from typing import Iterator

import lxml.html

_WORD = re.compile(r"\w+")
_INVISIBLE = ("script", "style", "noscript", "template", "head", "svg", "iframe")
_BLOCKS = frozenset(
    "address article aside blockquote br dd details dialog div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table td th tr ul option button".split()
)


@dataclass(frozen=True, slots=True)
class GoldPage:
    """One WCXB page: its id, html (decoded), url, gold main text and gold metadata (None where absent)."""

    file_id: str
    html: str
    url: str | None
    gold: str
    title: str | None = None
    author: str | None = None
    published: str | None = None  # "YYYY-MM-DD..." as the annotators wrote it


def word_f1(predicted: str | None, gold: str) -> float:
    """F1 of the multisets of lowercased ``\\w+`` tokens; 0 when either side has no words."""
    pred = Counter(_WORD.findall((predicted or "").lower()))
    ref = Counter(_WORD.findall(gold.lower()))
    common = sum((pred & ref).values())
    if not common:
        return 0.0
    precision, recall = common / sum(pred.values()), common / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


def fold(text: str | None) -> str:
    """Case and whitespace folded: the form in which titles and authors are compared."""
    return " ".join((text or "").lower().split())


def title_matches(found: str | None, gold: str) -> bool:
    """The title is right when equal to the gold title after case and whitespace folding."""
    return fold(found) == fold(gold)


def author_matches(found: str | None, gold: str) -> bool:
    """The author is right when equal after case and whitespace folding, or when every word of the gold author
    occurs in the found string ("Jane Doe" in "By Jane Doe, Staff Writer"; "Jane Doe and John Roe" needs both).
    """
    if fold(found) == fold(gold):
        return True
    wanted, have = _WORD.findall(gold.lower()), set(_WORD.findall((found or "").lower()))
    return bool(wanted) and all(word in have for word in wanted)


def date_matches(found: datetime | None, gold: str) -> bool:
    """The published date is right to the day (the gold is "YYYY-MM-DD", maybe with a time)."""
    return found is not None and found.date().isoformat() == gold.strip()[:10]


def c4_line_rule(text: str) -> str:
    """C4's line filter (Raffel et al. 2020), a yardstick for the text cleaner: keep lines that end in terminal
    punctuation and have at least five words, and drop lines mentioning javascript."""
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line.endswith((".", "!", "?", '"', "”")) and len(line.split()) >= 5
                     and "javascript" not in line.lower())


def body_twice_html(html: str, gold: str, *, run_on: bool = False) -> str:
    """The page with its article body printed twice, as a template bug prints it: a copy of the main article
    container (the deepest element holding 80% of the paragraphs whose text is in the gold) inserted right after
    it; with ``run_on``, the container's text as one run-on ``<p>`` instead (a scraper's "full text" field).
    Uses the gold only to find the container, at test-construction time."""
    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return html
    container = _gold_container(root, " ".join(_WORD.findall(gold.lower())))
    if container is None or container.getparent() is None:
        return html
    if run_on:
        copy = lxml.html.Element("p")
        copy.text = " ".join(container.text_content().split())
    else:
        copy = deepcopy(container)
        copy.tail = None
    container.addnext(copy)
    return lxml.html.tostring(root, encoding="unicode")


def _gold_container(root: lxml.html.HtmlElement, gold_key: str) -> lxml.html.HtmlElement | None:
    found = [p for p in root.iter("p", "li", "h2", "h3") if _in_gold(p, gold_key)]
    if not found:
        return None
    depth: Counter[lxml.html.HtmlElement] = Counter(a for p in found for a in p.iterancestors())
    holding = [a for a, n in depth.items() if n >= 0.8 * len(found) and a.tag != "html"]
    return max(holding, key=lambda a: sum(1 for _ in a.iterancestors()), default=None)


def _in_gold(element: lxml.html.HtmlElement, gold_key: str) -> bool:
    words = _WORD.findall(element.text_content().lower())
    return len(words) >= 5 and " ".join(words) in gold_key


def load_wcxb(root: Path, page_type: str = "article") -> Iterator[GoldPage]:
    """WCXB pages of one primary page type that have a non-empty ``ground_truth.main_content``, in file order."""
    for truth_path in sorted((root / "ground-truth").glob("*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        gold = (truth.get("ground_truth") or {}).get("main_content") or ""
        primary = ((truth.get("_internal") or {}).get("page_type") or {}).get("primary")
        if primary != page_type or not gold.strip():
            continue
        raw = gzip.decompress((root / "html" / f"{truth_path.stem}.html.gz").read_bytes())
        meta = truth.get("ground_truth") or {}
        yield GoldPage(truth_path.stem, raw.decode("utf-8", errors="replace"), truth.get("url"), gold,
                       meta.get("title") or None, meta.get("author") or None, meta.get("publish_date") or None)


def render_text(html: str) -> str:
    """The full visible text of a page, as a scraper would save it: block elements on their own lines."""
    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return ""
    for element in list(root.iter(*_INVISIBLE)):
        if element.getparent() is not None:
            element.drop_tree()
    parts: list[str] = []
    _walk(root, parts)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _walk(element: lxml.html.HtmlElement, parts: list[str]) -> None:
    """Append the text of ``element`` and its children, with newlines around block elements."""
    tag = element.tag if isinstance(element.tag, str) else ""
    block = tag.lower() in _BLOCKS
    if block:
        parts.append("\n")
    if isinstance(element.tag, str) and element.text:
        parts.append(element.text)
    for child in element:
        _walk(child, parts)
        if child.tail:
            parts.append(child.tail)
    if block:
        parts.append("\n")


__all__ = ["GoldPage", "author_matches", "body_twice_html", "c4_line_rule", "date_matches", "fold",
           "load_wcxb", "render_text", "title_matches", "word_f1"]
