"""Repeated text: glued sentences, a body printed twice, sentences printed twice.

Scrapers often save an article twice, once as one run-on paragraph whose sentences are glued together
("...the Ukraine war.National Security Council...") and once as separate paragraphs. ``drop_repeated_blocks``
keeps the paragraph version (``drop_printed_twice`` does so by word shingles, for copies whose sentence breaks no
longer line up); ``drop_repeated_sentences`` then removes any sentence still printed twice.
"""
from __future__ import annotations

import re
from collections import Counter

REPEATED_BLOCK = "repeated_block"
REPEATED_SENTENCE = "repeated_sentence"

BLOCK_SHARE = 0.8  # a paragraph goes when at least this share of its sentences is printed elsewhere
MIN_KEY_WORDS = 3
COPY_MIN_WORDS = 50  # a run-on copy of a body is long; shorter paragraphs are left to the sentence-level passes
COPY_SHINGLE = 6  # shorter sentences ("Yes.", "He said.") repeat naturally and are never compared

# a lowercase word, sentence punctuation, maybe a closing quote, then straight on to an uppercase letter.
# Two lowercase letters are required, so "U.S.-led" and "U.S.A" are never split.
_GLUED = re.compile(r"([a-z]{2}[.!?][\"'”’)]?)(?=[A-Z])")
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)]))\s+(?=[\"'“‘(]?[A-Z0-9])")
_WORD = re.compile(r"\w+")


def split_glued(text: str) -> str:
    """Put a space between sentences glued with none ("war.National" -> "war. National")."""
    return _GLUED.sub(r"\1 ", text)


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph, splitting glued ones first."""
    return [s for s in _SENTENCE_END.split(split_glued(paragraph).strip()) if s]


def sentence_key(sentence: str) -> str:
    """The comparison form of a sentence: lowercased ``\\w+`` tokens joined by spaces."""
    return " ".join(_WORD.findall(sentence.lower()))


def _keys(paragraph: str) -> list[str]:
    keys = (sentence_key(s) for s in split_sentences(paragraph))
    return [k for k in keys if k.count(" ") + 1 >= MIN_KEY_WORDS]


def drop_repeated_blocks(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """Drop paragraphs whose sentences are mostly printed in other kept paragraphs; return (kept, dropped).

    Paragraphs are judged longest first, so a run-on copy goes and the separate paragraphs stay; of two
    paragraphs of equal length the later one goes. A paragraph is compared with every other one still kept.
    """
    keys = [_keys(p) for p in paragraphs]
    counts: Counter[str] = Counter(k for ks in keys for k in set(ks))
    kept = [True] * len(paragraphs)
    exact: dict[str, int] = {}
    for i, p in enumerate(paragraphs):  # exact copies of any length (short lines too): the later one goes
        norm = sentence_key(p)
        if norm and exact.setdefault(norm, i) != i:
            kept[i] = False
            counts.subtract(set(keys[i]))
    order = sorted(range(len(paragraphs)), key=lambda i: (-len(_WORD.findall(paragraphs[i])), -i))
    for i in order:
        if not kept[i] or not keys[i]:
            continue
        elsewhere = sum(1 for k in keys[i] if counts[k] > 1)  # counts[k] includes paragraph i itself
        if elsewhere >= BLOCK_SHARE * len(keys[i]):
            kept[i] = False
            counts.subtract(set(keys[i]))
    return ([p for p, k in zip(paragraphs, kept) if k], [p for p, k in zip(paragraphs, kept) if not k])


def drop_printed_twice(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """Drop long paragraphs (``COPY_MIN_WORDS``) whose word ``COPY_SHINGLE``-grams are mostly (``BLOCK_SHARE``)
    printed in the other kept paragraphs: a body printed again as one run-on block, whose headings and sentence
    breaks no longer line up with the original's (so shingles are counted over the whole text, across paragraph
    ends). Longest first, so the run-on copy goes and the paragraphs stay.
    """
    kept = printed_twice(paragraphs, [_WORD.findall(p.lower()) for p in paragraphs])
    return ([p for p, k in zip(paragraphs, kept) if k], [p for p, k in zip(paragraphs, kept) if not k])


def printed_twice(paragraphs: list[str], words: list[list[str]], share: float = BLOCK_SHARE) -> list[bool]:
    """``drop_printed_twice`` as keep flags, given each paragraph's lowercased ``\\w+`` words; a paragraph goes
    when at least ``share`` of its shingles are printed elsewhere.

    The shingles of the whole text are computed once; a paragraph's own shingles are a slice of them. A text with
    fewer repeated shingles than a shortest long paragraph would need to go keeps everything at once (most pages).
    """
    kept = [True] * len(paragraphs)
    if not any(len(w) >= COPY_MIN_WORDS for w in words):
        return kept
    everything = [w for ws in words for w in ws]  # the same words as the paragraphs joined: \w+ never spans lines
    grams = list(zip(*(everything[k:] for k in range(COPY_SHINGLE))))  # the shingles in order, built in C
    if len(grams) - len(set(grams)) < share * (COPY_MIN_WORDS - COPY_SHINGLE + 1):  # a set: cheaper than counts
        return kept
    counts = Counter(grams)
    shingles, start = [], 0
    for ws in words:
        shingles.append(grams[start:start + len(ws) - COPY_SHINGLE + 1] if len(ws) >= COPY_MIN_WORDS else [])
        start += len(ws)
    for i in sorted(range(len(paragraphs)), key=lambda i: -len(shingles[i])):
        if not shingles[i]:
            break
        own = Counter(shingles[i])
        elsewhere = sum(1 for g in shingles[i] if counts[g] > own[g])
        if elsewhere >= share * len(shingles[i]):
            kept[i] = False
            counts.subtract(own)
    return kept


def drop_repeated_sentences(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """Remove every sentence printed earlier in the text; return (paragraphs left, sentences removed)."""
    seen: set[str] = set()
    kept: list[str] = []
    removed: list[str] = []
    for paragraph in paragraphs:
        sentences = split_sentences(paragraph)
        if len(sentences) <= 1 and not _keys(paragraph):
            kept.append(paragraph)
            continue
        out = []
        for sentence in sentences:
            key = sentence_key(sentence)
            if key.count(" ") + 1 >= MIN_KEY_WORDS and key in seen:
                removed.append(sentence)
                continue
            seen.add(key)
            out.append(sentence)
        if out:
            kept.append(paragraph if len(out) == len(sentences) else " ".join(out))
    return kept, removed


__all__ = ["BLOCK_SHARE", "REPEATED_BLOCK", "REPEATED_SENTENCE", "drop_printed_twice", "drop_repeated_blocks",
           "drop_repeated_sentences", "printed_twice", "sentence_key", "split_glued", "split_sentences"]
