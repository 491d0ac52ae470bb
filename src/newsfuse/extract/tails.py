"""The ends of the extracted text: a trailing section of page furniture under its own heading, and a run of
crumbs on top.

trafilatura often keeps, after the article, a block the page heads like a section of its own: "Related articles",
"You might also like", "More from <site>", "About the author", "Sources", "Disclaimer", "Request a demo". The
gold main text of WCXB leaves these out. ``drop_tail_section`` cuts the text at the first such heading (a whole
line, ``TAIL_HEADING``) that stands in the last ``TAIL_SHARE`` of the text's words, when no line after it is
running prose of more than ``TAIL_LINE_WORDS`` words: furniture blocks are lists, names and short notes, while a
heading followed by long paragraphs ("Related:" introducing the article's own last section) is the article.

Measured on the 791 WCXB dev articles (sum of word F1 over pages, on the text after the other edits): 20 pages
change, +0.78 (even pages +0.43, odd +0.35; 18 better, 2 worse). Neighbouring settings: TAIL_SHARE 0.2 +0.55,
0.5 +0.78; TAIL_LINE_WORDS 30 +0.57, 60 +0.79, no limit +0.73. "References" and "Further reading" are not in
the list: the gold keeps them on about half of the pages that have them (-0.04 to +0.24, halves disagreeing).

``drop_lead_crumbs``: a text that opens with at least ``CRUMB_LINES`` lines of at most ``CRUMB_WORDS`` words each
before its first longer line opens with page crumbs ("- Home", "- Blog", "Jan 4", "2 min read", "Posted on"), not
with the article. Measured as above, after the tail cut: 21 pages change, +0.11 (even +0.04, odd +0.07; 19
better, 2 worse); 2 lines +0.11 (42 pages, 9 worse), 5 lines +0.02; 5 words +0.11, 8 words +0.04.
"""
from __future__ import annotations

import re

TAIL_SHARE = 0.3  # the heading stands in the last 30% of the text's words
TAIL_LINE_WORDS = 40  # a line after it this long is article prose: nothing is cut
CRUMB_WORDS = 3  # a crumb line ("- Home", "Posted on", "Dec 10, 2025") has at most this many words
CRUMB_LINES = 3  # and the text opens with at least this many of them

_WORD = re.compile(r"\w+")
TAIL_HEADING = re.compile(
    r"^\W*(?:"
    r"read this next|read next|up next|what to read next|keep reading|you (?:might|may) also (?:like|enjoy)"
    r"|you may also be interested in|also read"
    r"|related(?: content| articles?| posts?| stories| reading| resources)?"
    r"|more from [\w ]{1,30}|more (?:stories|articles|posts) (?:from|like this)[\w ]*|popular (?:posts|articles)"
    r"|latest (?:posts|articles|news)|recommended(?: for you| reading)?"
    r"|about the authors?|about the writer|reviewed by|article reviewed by"
    r"|article sources|sources|disclaimer|share your story|request (?:a demo|information)"
    r")\W*$",
    re.IGNORECASE,
)


def drop_tail_section(lines: list[str]) -> tuple[list[str], list[str]]:
    """``lines`` without a trailing furniture section (see the module docstring); returns (kept, dropped)."""
    heads = {i for i, line in enumerate(lines) if len(line) < 80 and TAIL_HEADING.match(line)}
    if not heads:  # most pages: one cheap regex test a line, no word counts
        return lines, []
    counts = [len(_WORD.findall(line)) for line in lines]
    total, before = sum(counts), 0
    for i, count in enumerate(counts):
        if i in heads and before >= (1 - TAIL_SHARE) * total and max(counts[i + 1:], default=0) <= TAIL_LINE_WORDS:
            return lines[:i], lines[i:]
        before += count
    return lines, []


def drop_lead_crumbs(lines: list[str]) -> tuple[list[str], list[str]]:
    """``lines`` without the crumbs on top (see the module docstring); returns (kept, dropped)."""
    first = 0
    while first < len(lines) and len(_WORD.findall(lines[first])) <= CRUMB_WORDS:
        first += 1
    if first == len(lines) or sum(1 for line in lines[:first] if line.strip()) < CRUMB_LINES:
        return lines, []
    return lines[first:], lines[:first]


__all__ = ["CRUMB_LINES", "CRUMB_WORDS", "TAIL_HEADING", "TAIL_LINE_WORDS", "TAIL_SHARE", "drop_lead_crumbs",
           "drop_tail_section"]
