"""What a copy adds to its original: the paragraphs and sentences of the copy that the original does not have.

A copy is split into paragraphs (lines), each paragraph into sentences. A sentence is "in the original" when at
least half of its word shingles are among the original's (3-word shingles, so a light edit, a changed quote
style or a retitled lead does not make a sentence new; a sentence shorter than 3 words is in the original when
its words occur there in order). Consecutive new sentences of one paragraph form one passage, so a paragraph
the copy added comes back whole, and furniture lines ("Advertisement", "Share this article") come back as
passages of their own: the caller decides what is noise.
"""
from __future__ import annotations

import re

from .shingles import shingle_hashes, words

PASSAGE_SHINGLE_WORDS = 3
NEW_BELOW = 0.5  # a sentence with less than this share of its shingles in the original is new
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)]))\s+(?=[\"'“‘(]?[A-Z0-9])")


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph: split after . ! ? (and a closing quote) before a capital or a digit."""
    return [s for s in _SENTENCE_END.split(paragraph.strip()) if s]


def added_passages(copy_text: str, original_text: str) -> list[str]:
    """Passages of ``copy_text`` (its own wording) not found in ``original_text``, in the copy's order."""
    seen = set(shingle_hashes(original_text, PASSAGE_SHINGLE_WORDS).tolist())
    original_words = " " + " ".join(words(original_text)) + " "
    passages: list[str] = []
    for paragraph in copy_text.splitlines():
        run: list[str] = []
        for sentence in split_sentences(paragraph):
            if _is_new(sentence, seen, original_words):
                run.append(sentence)
            elif run:
                passages.append(" ".join(run))
                run = []
        if run:
            passages.append(" ".join(run))
    return passages


def _is_new(sentence: str, seen: set[int], original_words: str) -> bool:
    tokens = words(sentence)
    if not tokens:
        return False
    if len(tokens) < PASSAGE_SHINGLE_WORDS:
        return f" {' '.join(tokens)} " not in original_words
    shingles = shingle_hashes(sentence, PASSAGE_SHINGLE_WORDS).tolist()
    return sum(s in seen for s in shingles) < NEW_BELOW * len(shingles)


__all__ = ["added_passages", "split_sentences"]
