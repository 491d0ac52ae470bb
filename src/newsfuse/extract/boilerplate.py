"""Line-level boilerplate in page text a scraper saved: keep the article's region, drop the page around it.

A full page rendered to text is the article's paragraphs in a sea of menus, teasers, footers and widgets. With no
markup left, the signal is the shape of the lines and where they sit:

- a *prose* line is long (``LONG_WORDS`` words), or sentence-like (``PROSE_WORDS`` words ending with sentence
  punctuation);
- prose lines less than ``CLUSTER_GAP`` lines apart form a cluster; the cluster with the most words is the article,
  and clusters with under ``CLUSTER_SHARE`` of its words are teasers, footers or comment snippets and go;
- a non-prose line (a heading, a list item, a short paragraph) stays when kept prose lies within ``CONTEXT_LINES``
  lines on both sides: the article's own short lines sit between its paragraphs, menus and link lists do not.

Measured on the 791 WCXB dev articles rendered to full text (word F1 of the cleaned text): raw text 0.800, the
previous cleaner without this pass 0.836, C4's line rule 0.843, with this pass 0.89. The parameters are round
values from a small grid whose neighbours all score within 0.01 of each other.
"""
from __future__ import annotations

import bisect
import re

BOILERPLATE = "boilerplate"  # a line outside the article's region of the page

LONG_WORDS = 30
PROSE_WORDS = 8
CLUSTER_GAP = 8
CLUSTER_SHARE = 0.1
CONTEXT_LINES = 12

_WORD = re.compile(r"\w+")
_SENTENCE_END = (".", "!", "?", '"', "”", "'", "’", ":")


def is_prose(line: str, words: int | None = None) -> bool:
    """A line that reads as running text: ``LONG_WORDS`` words, or ``PROSE_WORDS`` ending like a sentence."""
    words = len(_WORD.findall(line)) if words is None else words
    return words >= LONG_WORDS or (words >= PROSE_WORDS and line.rstrip().endswith(_SENTENCE_END))


def drop_boilerplate(lines: list[str]) -> tuple[list[str], list[str]]:
    """Keep the lines of the article's region (see the module docstring); return (kept, dropped), in order."""
    words = [len(_WORD.findall(line)) for line in lines]
    prose = [i for i, line in enumerate(lines) if is_prose(line, words[i])]
    if not prose:
        return lines, []
    anchors = _main_clusters(prose, words)
    keep = [False] * len(lines)
    for i in anchors:
        keep[i] = True
    for i in range(len(lines)):
        if not keep[i]:
            k = bisect.bisect(anchors, i)
            keep[i] = 0 < k < len(anchors) and i - anchors[k - 1] <= CONTEXT_LINES and anchors[k] - i <= CONTEXT_LINES
    return [s for s, k in zip(lines, keep) if k], [s for s, k in zip(lines, keep) if not k]


def _main_clusters(prose: list[int], words: list[int]) -> list[int]:
    """The prose line indices of the clusters holding at least ``CLUSTER_SHARE`` of the biggest one's words."""
    clusters = [[prose[0]]]
    for i in prose[1:]:
        if i - clusters[-1][-1] > CLUSTER_GAP:
            clusters.append([i])
        else:
            clusters[-1].append(i)
    sizes = [sum(words[i] for i in cluster) for cluster in clusters]
    biggest = max(sizes)
    return [i for cluster, size in zip(clusters, sizes) if size >= CLUSTER_SHARE * biggest for i in cluster]


__all__ = ["BOILERPLATE", "drop_boilerplate", "is_prose"]
