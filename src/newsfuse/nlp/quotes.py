"""Direct quotations and who said them.

A quotation is text between straight or curly double quotes (mixed pairs too: ``"more at the surface level”``)
or the quotation marks of other languages (``« »`` and ``» «``, ``„ “`` and ``„ ”``, ``‚ ‘``, ``‹ ›``, ``「 」``,
``『 』``, Hebrew ``״ ״``) of at least three words; in scripts written without spaces (Chinese, Japanese, Thai) two
characters count as a word. Its speaker comes from the attribution around it: ``"...," Mykhailo Podalyak, an aide to
..., wrote on social media``, ``Kirby said "..."``, or ``he added`` / ``she said`` resolved to the person the
previous sentences talk about. Names are given in their fullest form in the article ("Kirby" -> "John Kirby").
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Collection

from .entities import Mention, canonical_names, entity_mentions
from .text import sentence_spans

MIN_WORDS = 3
# One group per kind of mark; the first is the English one. A Hebrew gershayim between letters is an acronym's (צה״ל).
_QUOTE = re.compile(r"[\"“]([^\"“”\n]+?)[\"”]|«\s*([^«»\n]+?)\s*»|»\s*([^«»\n]+?)\s*«|„([^„“”\n]+?)[“”]"
                    r"|‚([^‚‘’\n]+?)[‘’]|‹\s*([^‹›\n]+?)\s*›|「([^「」\n]+?)」|『([^『』\n]+?)』|(?<!\w)״([^״\n]+?)״(?!\w)")
_UNSPACED = re.compile("[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")  # Thai, kana, Han
_VERBS = (r"said|says|say|told|tells|wrote|writes|added|adds|stated|states|noted|notes|argued|argues|warned|warns|"
          r"explained|continued|insisted|insists|claimed|claims|declared|tweeted|posted|replied|responded|"
          r"commented|acknowledged|admitted|announced|emphasized|stressed|urged|recalled|concluded|according to")
_VERB = re.compile(rf"\b(?:{_VERBS})\b", re.IGNORECASE)
_PRONOUN_AFTER = re.compile(rf"^[\s,.;:!?—–-]*(?:he|she)\s+(?:(?:also|later|then)\s+)?(?:{_VERBS})\b", re.I)
_PRONOUN_BEFORE = re.compile(rf"\b(?:he|she)\s+(?:(?:also|later|then|has|had)\s+)?(?:{_VERBS})\b[^.]*$", re.I)
_SPEAKER_LABELS = ("PERSON", "ORG")


@dataclass(frozen=True, slots=True)
class QuoteMention:
    """A quotation in one text: the quoted words, the speaker when known, and the character offsets."""

    text: str
    speaker: str | None
    start: int
    end: int


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the quoted words (without the marks) of every quotation of MIN_WORDS or more."""
    spans = []
    for match in _QUOTE.finditer(text):
        group = match.lastindex or 1
        if _words(match.group(group)) >= MIN_WORDS:
            spans.append((match.start(group), match.end(group)))
    return spans


def _words(text: str) -> int:
    """Words separated by spaces; a run of characters of a script written without spaces counts one a character
    pair."""
    runs = _UNSPACED.findall(text)
    if not runs:
        return len(text.split())
    return len(_UNSPACED.sub(" ", text).split()) + sum(len(run) // 2 for run in runs)


def has_quotation(text: str) -> bool:
    """Whether ``text`` holds a quotation of MIN_WORDS or more words (cheap: no model)."""
    return bool(_quote_spans(text))


def _in(mentions: list[Mention], start: int, end: int, labels: tuple[str, ...]) -> list[Mention]:
    return [m for m in mentions if m.start >= start and m.end <= end and m.label in labels]


def _near_verb(text: str, mentions: list[Mention], start: int, end: int) -> Mention | None:
    """The PERSON (else ORG) closest to a speech verb in ``text[start:end]``, when there is a verb."""
    verbs = [start + m.start() for m in _VERB.finditer(text[start:end])]
    if not verbs:
        return None
    for labels in (("PERSON",), ("ORG",)):
        found = _in(mentions, start, end, labels)
        if found:
            return min(found, key=lambda m: min(abs(m.start - v) if m.start > v else abs(v - m.end) for v in verbs))
    return None


def _after_speaker(text: str, mentions: list[Mention], start: int, end: int) -> Mention | None:
    """The speaker in an attribution after a quotation: a name right after the closing mark
    (``," Mykhailo Podalyak, an aide to ..., wrote``), else the name closest to the speech verb."""
    if not _VERB.search(text[start:end]):
        return None
    lead = start + len(text[start:end]) - len(text[start:end].lstrip(" ,.;:!?—–-\"”»«›」』״"))
    first = [m for m in _in(mentions, start, end, _SPEAKER_LABELS) if m.start == lead]
    if first:
        return first[0]
    return _near_verb(text, mentions, start, end)


def _antecedent(text: str, mentions: list[Mention], spans: list[tuple[int, int]], before: int) -> Mention | None:
    """The person a pronoun at offset ``before`` refers to: in the nearest earlier text naming a person,
    the one attached to a speech verb, else the first named (the subject, usually)."""
    index = bisect_right([a for a, _ in spans], before) - 1
    own_start = spans[index][0] if index >= 0 else 0
    windows = [(own_start, before)] + [spans[i] for i in range(index - 1, max(index - 4, -1), -1)]
    for start, end in windows:
        people = _in(mentions, start, end, ("PERSON",))
        if people:
            speaking = _near_verb(text, people, start, end)
            return speaking or people[0]
    return None


def _speaker(text: str, quote: tuple[int, int], mentions: list[Mention],
             spans: list[tuple[int, int]]) -> Mention | None:
    """The mention that says the quotation at ``quote``, from the attribution after it, then before it."""
    q_start, q_end = quote
    ends = [b for _, b in spans]
    s_end = next((b for b in ends if b >= q_end + 1), len(text))
    s_start = next((a for a, b in reversed(spans) if a <= q_start - 1), 0)
    after = text[q_end + 1:s_end]
    next_quote = _QUOTE.search(after)
    after_end = q_end + 1 + (next_quote.start() if next_quote else len(after))
    if _PRONOUN_AFTER.match(after):
        return _antecedent(text, mentions, spans, q_start)
    found = _after_speaker(text, mentions, q_end + 1, min(after_end, q_end + 200))
    if found:
        return found
    before = text[s_start:q_start - 1]
    if _PRONOUN_BEFORE.search(before):
        return _antecedent(text, mentions, spans, s_start + _PRONOUN_BEFORE.search(before).start())
    return _near_verb(text, mentions, s_start, q_start - 1)


def extract_quotes(text: str, paragraphs: Collection[int] | None = None,
                   language: str | None = None) -> list[QuoteMention]:
    """The direct quotations of ``text`` with their speakers (fullest name used in ``text``), in order.

    Speakers are looked for among the entities of the ``paragraphs`` given by index (all when None), found by the
    recogniser of the text's ``language`` (None: English).
    """
    quotes = _quote_spans(text)
    if not quotes:
        return []
    mentions = entity_mentions(text, paragraphs, language=language)
    names = canonical_names(mentions)
    spans = sentence_spans(text)
    result = []
    for start, end in quotes:
        who = _speaker(text, (start, end), mentions, spans)
        speaker = names.get(who.name, (who.name, who.label))[0] if who else None
        words = " ".join(text[start:end].split()).strip(" ,")
        result.append(QuoteMention(words, speaker, start, end))
    return result


__all__ = ["MIN_WORDS", "QuoteMention", "extract_quotes", "has_quotation"]
