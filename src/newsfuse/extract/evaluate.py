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
    """One WCXB page: its id, html (decoded), url and gold main text."""

    file_id: str
    html: str
    url: str | None
    gold: str


def word_f1(predicted: str | None, gold: str) -> float:
    """F1 of the multisets of lowercased ``\\w+`` tokens; 0 when either side has no words."""
    pred = Counter(_WORD.findall((predicted or "").lower()))
    ref = Counter(_WORD.findall(gold.lower()))
    common = sum((pred & ref).values())
    if not common:
        return 0.0
    precision, recall = common / sum(pred.values()), common / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


def load_wcxb(root: Path, page_type: str = "article") -> Iterator[GoldPage]:
    """WCXB pages of one primary page type that have a non-empty ``ground_truth.main_content``, in file order."""
    for truth_path in sorted((root / "ground-truth").glob("*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        gold = (truth.get("ground_truth") or {}).get("main_content") or ""
        primary = ((truth.get("_internal") or {}).get("page_type") or {}).get("primary")
        if primary != page_type or not gold.strip():
            continue
        raw = gzip.decompress((root / "html" / f"{truth_path.stem}.html.gz").read_bytes())
        yield GoldPage(truth_path.stem, raw.decode("utf-8", errors="replace"), truth.get("url"), gold)


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


__all__ = ["GoldPage", "load_wcxb", "render_text", "word_f1"]
