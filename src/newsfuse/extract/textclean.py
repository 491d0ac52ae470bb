"""The line-level cleaner for page text a scraper saved: title, furniture, transcripts, repeated blocks.

``clean_text(text)`` keeps the article's region of the page (``boilerplate.py``), finds the title (the first title-like line, or one printed several times), drops the page
header before it, furniture lines (navigation, ad markers, comment and share prompts, cookie notices, counters),
captioned video transcripts with ``***`` masking, the title printed again, a body printed twice and any sentence
printed twice. Every removal is kept as a ``(reason, line)`` pair. ``tidy_text`` is the light pass used after
HTML extraction: no title or header detection.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from .boilerplate import BOILERPLATE, drop_boilerplate
from .furniture import AD_MARKER, COMMENT_PROMPT, COUNTER, FURNITURE, classify_line
from .repeats import (REPEATED_BLOCK, REPEATED_SENTENCE, drop_printed_twice, drop_repeated_blocks,
                      drop_repeated_sentences, printed_twice, sentence_key, split_glued)

HEADER = "header"  # lines before the title: page header furniture
TITLE_REPEAT = "title_repeat"  # the title printed again in the body
TRANSCRIPT = "transcript"  # spoken text where the captioner masked words with ***
MASKING = "masking"  # *** masking removed from inside a kept line

REMOVAL_REASONS = (BOILERPLATE, HEADER, FURNITURE, AD_MARKER, COMMENT_PROMPT, COUNTER, TITLE_REPEAT, TRANSCRIPT, MASKING,
                   REPEATED_BLOCK, REPEATED_SENTENCE)

TITLE_MIN_WORDS, TITLE_MAX_WORDS = 3, 30
PROSE_WORDS = 12  # a line this long ending with a full stop is body text: the title comes before it

_WORD = re.compile(r"\w+")
_MASK_WORD = re.compile(r"(?:^|(?<=\s))\*{3,}(?=[\s.,;:!?'\"”’)]|$)")
_MASK = re.compile(r"\*{3,}")


@dataclass(frozen=True, slots=True)
class CleanedText:
    """The outcome of cleaning: the title (None if none was found), the text, and what was removed, why."""

    title: str | None
    text: str
    removed: tuple[tuple[str, str], ...] = ()

    def as_page(self) -> str:
        """The cleaned page as text again: the title line, then the body. Cleaning it changes nothing."""
        return f"{self.title}\n\n{self.text}" if self.title else self.text


def clean_text(text: str, *, boilerplate: bool = True) -> CleanedText:
    """Clean page text a scraper saved: see the module docstring for what goes.

    Repeats go before the title is chosen, so that cleaning the cleaned page (``as_page``) changes nothing;
    how often each line was printed is counted first, as a title signal.
    """
    removed: list[tuple[str, str]] = []
    lines = _drop_furniture(_unmask(_lines(text), removed), removed)
    counts = Counter(sentence_key(line) for line in lines)
    title, paragraphs = _take_title(_drop_repeats(lines, removed), counts, removed)
    if boilerplate:
        paragraphs, dropped = drop_boilerplate(paragraphs)
        removed.extend((BOILERPLATE, line) for line in dropped)
    return CleanedText(title, "\n\n".join(split_glued(p) for p in paragraphs), tuple(removed))


def tidy_text(text: str, *, furniture: bool = True, repeats: bool = True, transcripts: bool = True,
              copies: bool = True) -> CleanedText:
    """The light pass for extracted or clean text: *** masking always goes (with its line if ``transcripts``),
    furniture lines and repeats if asked; with ``copies`` (and not ``repeats``) only a long block printed twice."""
    if copies and not repeats:
        return tidy_with_words(text, furniture=furniture, transcripts=transcripts)[0]
    removed: list[tuple[str, str]] = []
    lines = _unmask(_lines(text), removed, transcripts=transcripts)
    lines = _drop_furniture(lines, removed) if furniture else lines
    paragraphs = _drop_repeats(lines, removed) if repeats else lines
    return CleanedText(None, "\n\n".join(paragraphs), tuple(removed))


def tidy_with_words(text: str, *, furniture: bool = True, transcripts: bool = True) -> tuple[CleanedText, list[str]]:
    """``tidy_text(text, repeats=False)``, and the lowercased ``\\w+`` words of the tidied text (counted once here,
    so the HTML path need not count them again). Copies go in two passes: a run of paragraphs printed before
    (``_drop_repeated_runs``), then a long paragraph whose shingles are nearly all printed elsewhere
    (``printed_twice`` at ``COPY_SHARE``); when the second pass removed something, the first runs again."""
    removed: list[tuple[str, str]] = []
    lines = _unmask(_lines(text), removed, transcripts=transcripts)
    lines = _drop_furniture(lines, removed) if furniture else lines
    words = [_WORD.findall(line.lower()) for line in lines]  # counted once for all passes
    lines, words = _drop_repeated_runs(lines, words, removed)
    kept = printed_twice(lines, words, share=COPY_SHARE)
    if not all(kept):
        removed.extend((REPEATED_BLOCK, p) for p, k in zip(lines, kept) if not k)
        lines, words = [p for p, k in zip(lines, kept) if k], [w for w, k in zip(words, kept) if k]
        lines, words = _drop_repeated_runs(lines, words, removed)
    return CleanedText(None, "\n\n".join(lines), tuple(removed)), [w for ws in words for w in ws]


# Measured on the 791 WCXB dev articles (HTML path; mean word F1 once / with the article container printed twice):
# any paragraph of 4+ words printed again dropped, then shingles at 0.8: 0.9435 / 0.9390. Dropping only runs of
# repeats of 30+ words, then shingles at 0.98: 0.9452 / 0.9451: pages repeat lines legitimately (a training plan's
# "Warm up" line each week, table rows, offers whose terms differ in one clause), a copied body is one long run.
REPEAT_RUN_WORDS = 30  # a run of paragraphs printed before, this long, is a copy (20-40 score within 0.0001)
COPY_SHARE = 0.98  # the same page rendered twice by the extractor is a near-exact copy


def _drop_repeated_runs(paragraphs: list[str], paragraph_words: list[list[str]],
                        removed: list[tuple[str, str]]) -> tuple[list[str], list[list[str]]]:
    """Drop each run of consecutive paragraphs printed before (the same words; lines with no words inside a run
    belong to it) that holds at least ``REPEAT_RUN_WORDS`` words. Returns the paragraphs kept and their words."""
    seen: set[str] = set()
    repeat = []
    for words in paragraph_words:
        key = " ".join(words)
        repeat.append(bool(words) and key in seen)
        seen.add(key)
    kept = [True] * len(paragraphs)
    i = 0
    while i < len(paragraphs):
        if not repeat[i]:
            i += 1
            continue
        j = i
        while j < len(paragraphs) and (repeat[j] or not paragraph_words[j]):
            j += 1
        if sum(len(paragraph_words[k]) for k in range(i, j)) >= REPEAT_RUN_WORDS:
            kept[i:j] = [False] * (j - i)
            removed.extend((REPEATED_BLOCK, paragraphs[k]) for k in range(i, j))
        i = j
    if all(kept):
        return paragraphs, paragraph_words
    return ([p for p, k in zip(paragraphs, kept) if k], [w for w, k in zip(paragraph_words, kept) if k])


def _lines(text: str) -> list[str]:
    """Non-empty lines, NFC-normalised, whitespace folded."""
    folded = (" ".join(line.split()) for line in unicodedata.normalize("NFC", text).splitlines())
    return [line for line in folded if line]


def _unmask(lines: list[str], removed: list[tuple[str, str]], transcripts: bool = True) -> list[str]:
    """Drop transcript lines (*** standing for words in long spoken text); strip *** from inside other lines."""
    kept = []
    for line in lines:
        if "***" not in line:  # both patterns need three stars: most lines skip the regexes
            kept.append(line)
            continue
        if transcripts and _MASK_WORD.search(line) and len(_WORD.findall(line)) >= PROSE_WORDS:
            removed.append((TRANSCRIPT, line))
            continue
        if _MASK.search(line):
            removed.append((MASKING, line))
            line = " ".join(_MASK.sub("", line).split())
        if line:
            kept.append(line)
    return kept


def _drop_furniture(lines: list[str], removed: list[tuple[str, str]]) -> list[str]:
    """Drop whole furniture lines (lines already unmasked)."""
    kept = []
    for line in lines:
        reason = classify_line(line)
        if reason:
            removed.append((reason, line))
        else:
            kept.append(line)
    return kept


def _is_prose(line: str) -> bool:
    words = len(_WORD.findall(line))
    return words >= 40 or (words >= PROSE_WORDS and line.rstrip("\"'”’)").endswith("."))


def _is_title_like(line: str) -> bool:
    words = len(_WORD.findall(line))
    return TITLE_MIN_WORDS <= words <= TITLE_MAX_WORDS and not line.endswith(".") and not _is_prose(line)


def find_title(lines: list[str], counts: Counter[str] | None = None) -> int | None:
    """Index of the title: before the first prose line, a title-like line printed several times, else the first.

    ``counts`` maps ``sentence_key(line)`` to how often the page printed it (default: counted in ``lines``).
    """
    limit = next((i for i, line in enumerate(lines) if _is_prose(line)), len(lines))
    candidates = [i for i in range(limit) if _is_title_like(lines[i])]
    if not candidates:
        return None
    counts = counts if counts is not None else Counter(sentence_key(line) for line in lines)
    return next((i for i in candidates if counts[sentence_key(lines[i])] > 1), candidates[0])


def _take_title(lines: list[str], counts: Counter[str],
                removed: list[tuple[str, str]]) -> tuple[str | None, list[str]]:
    """Split off the title; lines before it are header; its copies, already dropped as repeats, are title repeats."""
    index = find_title(lines, counts)
    if index is None:
        return None, lines
    title, key = lines[index], sentence_key(lines[index])
    removed.extend((HEADER, line) for line in lines[:index])
    removed[:] = [(TITLE_REPEAT if r == REPEATED_BLOCK and sentence_key(line) == key else r, line)
                  for r, line in removed]
    return title, lines[index + 1:]


def _drop_repeats(paragraphs: list[str], removed: list[tuple[str, str]]) -> list[str]:
    """A body printed twice, then sentences printed twice, then paragraphs left identical by that."""
    paragraphs, blocks = drop_printed_twice(paragraphs)
    removed.extend((REPEATED_BLOCK, p) for p in blocks)
    paragraphs, blocks = drop_repeated_blocks(paragraphs)
    removed.extend((REPEATED_BLOCK, p) for p in blocks)
    paragraphs, sentences = drop_repeated_sentences(paragraphs)
    removed.extend((REPEATED_SENTENCE, s) for s in sentences)
    paragraphs, blocks = drop_repeated_blocks(paragraphs)
    removed.extend((REPEATED_BLOCK, p) for p in blocks)
    return paragraphs


__all__ = ["HEADER", "MASKING", "REMOVAL_REASONS", "TITLE_REPEAT", "TRANSCRIPT", "CleanedText", "clean_text",
           "find_title", "tidy_text", "tidy_with_words"]
