"""Headings in the extracted text: put back the section headings trafilatura dropped, drop the headline on top.

Both are measured on the 791 WCXB dev articles (word-multiset F1 of the body against the gold main text):

- ``restore_headings``: trafilatura drops some section headings between paragraphs it keeps (a heading that is
  mostly a link, "2. <a>Snowee</a> by Hieu Le", goes while the paragraphs around it stay). A heading (``h1``-``h6``,
  at most ``HEADING_WORDS`` words) whose words are missing from the text goes back in, on its own line before the
  next block, when the blocks right before and after it in the page (``p``, ``li``, headings, ...) are both in the
  text, the next one with at least ``NEXT_WORDS`` words: the heading then sits inside the kept article, not in a
  menu or a teaser grid. 126 pages change, sum of F1 +0.63 (even pages +0.32, odd +0.31); requiring only the
  next block kept changed 477 pages for -0.28, and restoring any block between two kept ones (not only headings)
  -5.3: what trafilatura drops between kept paragraphs is mostly furniture, except headings.
- ``drop_headline``: the article's title is metadata (``Article.title``); printed again as the text's first line
  it is not body. The gold main text starts with the title on 32 of the 791 pages, trafilatura's text on 256:
  dropping a first line equal to the title (folded words) changes 249 pages, sum of F1 +0.61 (even +0.40, odd +0.21).
"""
from __future__ import annotations

import re

from lxml.html import HtmlElement

from .repeats import sentence_key

HEADING_WORDS = 20  # longer "headings" are styled paragraphs or teasers
NEXT_WORDS = 4  # the block after a restored heading is a paragraph, not a one-word label

_WORD = re.compile(r"\w+")
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCK_TAGS = (*_HEADING_TAGS, "p", "li", "blockquote", "dt", "dd")  # a heading's neighbours: the blocks around it
_HIDDEN_TEXT = ("script", "style", "noscript", "template")


def _text(element: HtmlElement) -> str:
    """An element's visible text, whitespace folded (``itertext`` is fast; script/style inside are rare)."""
    if not len(element):  # no children (most headings): its own text
        return " ".join((element.text or "").split())
    if any(True for _ in element.iter(*_HIDDEN_TEXT)):
        return " ".join(" ".join(element.xpath(".//text()[not(ancestor::script or ancestor::style or "
                                               "ancestor::noscript or ancestor::template)]")).split())
    return " ".join(" ".join(element.itertext()).split())


def restore_headings(tree: HtmlElement, text: str, words: list[str] | None = None) -> str:
    """``text`` (trafilatura's, one block a line; ``words``: its lowercased ``\\w+`` words, when known) with the
    headings it dropped inside the article put back (see the module docstring); the text itself when there are
    none."""
    kept = _InText(_WORD.findall(text.lower()) if words is None else words)
    missing = {}  # the headings whose words are not in the text: most pages have none, or only in menus
    for heading in tree.iter(*_HEADING_TAGS):
        shown = _text(heading)
        heading_words = _WORD.findall(shown.lower())
        if heading_words and len(heading_words) <= HEADING_WORDS and not kept(heading_words):
            missing[heading] = (shown, heading_words)
    if not missing:
        return text
    blocks = list(tree.iter(*_BLOCK_TAGS))  # the same element objects as above: lxml reuses a live proxy
    lines = text.split("\n")
    keys: list[str] = []  # each line's words, computed when a heading is to go back
    words_of: dict[int, list[str]] = {}  # block index -> its words, computed when needed
    inserts: dict[int, list[str]] = {}
    for i, block in enumerate(blocks):
        if block in missing:
            shown, words_of[i] = missing[block]
            after = _between_kept(blocks, words_of, i, kept)
            if after and not keys:
                keys = [sentence_key(line) for line in lines]
            line = _line_starting(keys, after) if after else None
            if line is not None:
                inserts.setdefault(line, []).append(shown)
    if not inserts:
        return text
    out = []
    for i, line in enumerate(lines):
        out.extend(inserts.get(i, ()))
        out.append(line)
    return "\n".join(out)


def _between_kept(blocks: list[HtmlElement], words: dict[int, list[str]], i: int, kept: _InText) -> list[str]:
    """The words of the block after heading ``blocks[i]`` when the blocks with text around the heading are both in
    the text (``kept``) and the next has at least ``NEXT_WORDS`` words; else []."""
    after = _neighbour(blocks, words, i, 1)
    if len(after) < NEXT_WORDS or not kept(after) or not kept(_neighbour(blocks, words, i, -1)):
        return []
    return after


def _neighbour(blocks: list[HtmlElement], words: dict[int, list[str]], i: int, step: int) -> list[str]:
    """The words of the nearest block with text before (``step`` -1) or after (+1) block ``i``."""
    j = i + step
    while 0 <= j < len(blocks):
        if j not in words:
            words[j] = _WORD.findall(_text(blocks[j]).lower())
        if words[j]:
            return words[j]
        j += step
    return []


class _InText:
    """Whether some words stand in the text in that order, given the text's lowercased words: all among them (a set
    test, which settles many headings at once), then in order (a search of the text's words joined; ``\\w+`` never
    spans lines). ``restore_headings`` 0.71 -> 0.65 ms a page on 300 WCXB articles with the set test first."""

    def __init__(self, words: list[str]) -> None:
        self._vocabulary = set(words)
        self._joined = " " + " ".join(words) + " "

    def __call__(self, words: list[str]) -> bool:
        return bool(words) and self._vocabulary.issuperset(words) and f" {' '.join(words)} " in self._joined


def _line_starting(keys: list[str], words: list[str]) -> int | None:
    """The index of the first line whose words start with (up to 8 of) ``words``, or None."""
    start = " ".join(words[:8])
    return next((i for i, key in enumerate(keys) if key == start or key.startswith(start + " ")), None)


def drop_headline(text: str, title: str | None) -> tuple[str, str | None]:
    """``text`` without its first line when that line is ``title`` (the same lowercased words), and that line
    (None when nothing was dropped)."""
    if not title:
        return text, None
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    wanted = sentence_key(title)
    if first is None or not wanted or sentence_key(lines[first]) != wanted:
        return text, None
    return "\n".join(lines[first + 1:]), lines[first].strip()


__all__ = ["HEADING_WORDS", "NEXT_WORDS", "drop_headline", "restore_headings"]
