"""Sentences, word tokens and the support test that every citation must pass.

Sentence splitting is a rule-based fast path (no model): paragraph-aware (never across a blank line), with
abbreviation and initial handling, and it splits sentences glued without a space ("war.National"). It works for
every script with sentence punctuation: after ``.``, ``!`` or ``?`` a sentence starts with a capital (any cased
script: Latin, Greek, Cyrillic, Armenian, Georgian) or a letter of a script without case (Arabic, Hebrew, Devanagari,
CJK, ...), possibly behind an opening quote or ``¿``/``¡``; the danda (``।``, ``॥``), the Arabic question mark
(``؟``), the Urdu full stop (``۔``), the Ethiopic and Armenian full stops and the CJK ``。！？`` end a sentence
whatever follows. Thai, which marks sentences with a space only, is not split.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

_WORD = re.compile(r"\w+")
_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n\s*")


def _letter_classes() -> tuple[str, str, str]:
    """Regex character class bodies (as ranges) of the upper case, lower case and uncased letters below U+10000."""
    found: tuple[list[int], list[int], list[int]] = ([], [], [])
    for code in range(0x10000):
        char = chr(code)
        if char.isalpha():
            found[0 if char.isupper() else 1 if char.islower() else 2].append(code)
    return tuple(_ranges(codes) for codes in found)  # type: ignore[return-value]


def _ranges(codes: list[int]) -> str:
    parts, start = [], codes[0]
    for previous, code in zip(codes, codes[1:] + [-1]):
        if code != previous + 1:
            parts.append(re.escape(chr(start)) + ("-" + re.escape(chr(previous)) if previous > start else ""))
            start = code
    return "".join(parts)


_UPPER, _LOWER, _UNCASED = _letter_classes()  # uncased: Arabic, Hebrew, Indic, CJK, ... (no capitals to look for)
_CLOSERS = "\"”’')\\]»›」』）"
_OPENERS = "\"“‘'(\\[«‹„‚¿¡「『（"
_ALWAYS_ENDS = "।॥؟۔።։。！？"  # danda, double danda, Arabic ?, Urdu full stop, Ethiopic and Armenian full stops, CJK
# A sentence end: ., ! or ?, optional closing quotes/brackets, then space and a capital or uncased letter or digit
# (behind an optional opening mark), or a glued capital word; or a mark that always ends a sentence. “ and ‘ close
# German „quotes“ and ‚quotes‘ before a space; glued to the next word they open it ("life...“So he"). One leading
# character class, then the branch by lookbehind: twice as fast as two alternatives.
_BOUNDARY = re.compile(rf"[.!?{_ALWAYS_ENDS}](?:(?<=[{_ALWAYS_ENDS}])[{_ALWAYS_ENDS}]*[{_CLOSERS}]*"
                       rf"|[.!?]*(?:[{_CLOSERS}]|[“‘](?=\s))*(?:\s+(?=[{_OPENERS}]?[{_UPPER}{_UNCASED}0-9])"
                       rf"|(?=[\"“]?[{_UPPER}][{_LOWER}])))")
_ABBREVIATIONS = frozenset("""
mr mrs ms dr prof sen rep gov gen lt col sgt capt cmdr adm st jr sr vs v no nos inc corp co ltd llc jan feb mar
apr jun jul aug sep sept oct nov dec rev pres atty ft mt approx dept est fig gen maj messrs mssrs ph op
sra srta sres dña mme mlle mmes dott dssa sig sigg avv nr bzw г гг ул
""".split())  # the second line: titles and abbreviations of other languages (Sra., Mme, Dott., Nr., г. for year)
_STARTERS = frozenset("the he she it they we i but and in a an this that its his her their on at as after".split())
_DATELINE = re.compile(
    r"^\s*(?:[A-Z][A-Z'’.-]+(?:[ ][A-Z][A-Z'’.-]+)*(?:,[ ][A-Z][\w.'’ ]{1,25})?)"
    r"(?:[ ]*\((?:[A-Za-z.& ]{1,20})\))?[ ]*(?:—|–|--|-)[ ]*")


def word_tokens(text: str) -> list[str]:
    """Lowercased ``\\w+`` tokens: the unit of every overlap measure in newsfuse."""
    return _WORD.findall(text.lower())


def ngrams(tokens: Sequence[str], n: int) -> set[tuple[str, ...]]:
    """The set of contiguous ``n``-token tuples."""
    if n < 1:
        return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}
    return set(zip(*[tokens[i:] for i in range(n)]))


def _coverage(part: set, whole: set) -> float:
    return len(part & whole) / len(part) if part else 0.0


def supports(sentence: str, document: str) -> bool:
    """True when ``document`` states ``sentence``: half its word trigrams, or 85% of its words, occur there.

    Exactly: c3 = |3grams(s) & 3grams(doc)| / |3grams(s)|, c1 likewise for unigrams, over lowercased
    ``\\w+`` tokens; supported iff c3 >= 0.5 or c1 >= 0.85. An empty n-gram set gives a coverage of 0.
    """
    return SupportChecker(document)(sentence)


class SupportChecker:
    """``supports(sentence, document)`` for one document and many sentences, with the n-grams computed once (when
    first needed: a sentence found word for word in the document needs none)."""

    __slots__ = ("_tokens", "_words", "_grams3", "_phrase", "_cursor")

    def __init__(self, document: str, tokens: Sequence[str] | None = None):
        """``tokens``: the document's :func:`word_tokens`, when the caller already has them."""
        self._tokens = word_tokens(document) if tokens is None else tokens
        self._words: set[str] | None = None
        self._grams3: set[tuple[str, ...]] | None = None
        self._phrase: str | None = None
        self._cursor = 0  # where has_run looks first

    def __call__(self, sentence: str) -> bool:
        tokens = word_tokens(sentence)
        return self.covers(tokens, ngrams(tokens, 3))

    def _sets(self) -> tuple[set[str], set[tuple[str, ...]]]:
        if self._words is None or self._grams3 is None:
            self._words, self._grams3 = set(self._tokens), ngrams(self._tokens, 3)
        return self._words, self._grams3

    def has_run(self, key: str) -> bool:
        """A sentence's word tokens, joined by single spaces (``key``, not empty), occur one after another in the
        document: then :meth:`covers` holds (every trigram, and every word, of the sentence is there). The search
        starts where the last sentence found ended, as a document's own sentences come in order."""
        if self._phrase is None:
            self._phrase = " " + " ".join(self._tokens) + " "
        at = self._phrase.find(f" {key} ", self._cursor)
        if at < 0 and self._cursor:
            at = self._phrase.find(f" {key} ")
        if at < 0:
            return False
        self._cursor = at + 1 + len(key)  # the space after it: the next sentence's leading space
        return True

    def has_trigrams(self, tokens: Sequence[str]) -> bool:
        """Every trigram of a sentence's word tokens (at least 3) occurs in the document: then :meth:`covers`
        holds (the trigram share is 1), which this finds without building the sentence's trigram set."""
        return len(tokens) >= 3 and self._sets()[1].issuperset(zip(tokens, tokens[1:], tokens[2:]))

    def covers(self, tokens: Sequence[str], grams3: set) -> bool:
        """The support test on a sentence's word tokens and their trigram set (see :func:`ngrams`); the share of
        its words is only counted when the trigrams fall short."""
        words, document_grams3 = self._sets()
        return _coverage(grams3, document_grams3) >= 0.5 or _coverage(set(tokens), words) >= 0.85


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the paragraphs of ``text``: blocks separated by blank lines, stripped.

    Remembered for the last texts seen: a brief asks for the paragraphs of the same article a dozen times."""
    return list(_paragraph_spans(text))


@lru_cache(maxsize=1024)
def _paragraph_spans(text: str) -> tuple[tuple[int, int], ...]:
    spans, start = [], 0
    for match in _PARAGRAPH.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return tuple(_strip_span(text, a, b) for a, b in spans if text[a:b].strip())


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


_INITIALISM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_FIRST_WORD = re.compile(r"[\"“‘'(]?(\w+)")
_NEWLINE = re.compile(r"\n\s*")
_CAPITALS = re.compile(r"[A-Z]{3,}")


def _last_word(text: str, start: int, end: int) -> str | None:
    """The run of word characters (``\\w``) and periods before the period at ``text[end - 1]``, within
    ``text[start:end]``: what ``re.search(r"([\\w.]+)\\.$", text[start:end])`` captures (None if it does not match),
    found by walking back from the period instead of trying every start."""
    if end > start and text[end - 1] == "\n":
        end -= 1  # "$" also matches before a newline that ends the text
    if end <= start or text[end - 1] != ".":
        return None
    i = end - 1
    while i > start and (text[i - 1].isalnum() or text[i - 1] == "_" or text[i - 1] == "."):
        i -= 1  # str.isalnum is the test re's \w applies to str patterns (with "_")
    return text[i:end - 1] if i < end - 1 else None


def _is_abbreviation(token: str | None, after: str) -> bool:
    """Whether the period after ``token`` (see :func:`_last_word`) belongs to an abbreviation rather than
    ending a sentence."""
    if not token:
        return False
    if token.lower() in _ABBREVIATIONS:
        return True
    if len(token) == 1 and token.isupper():  # an initial: "John F. Kennedy"
        return True
    if _INITIALISM.fullmatch(token):  # "U.S." ends a sentence only before a starter word
        first = _FIRST_WORD.match(after)
        return not (first and first.group(1).lower() in _STARTERS)
    return False


def _line_breaks(text: str, start: int, end: int) -> list[int]:
    """Offsets after single newlines that end a sentence: all but hard wraps (the next line starts lowercase)."""
    cuts: list[int] = []
    if text.find("\n", start, end) < 0:  # most paragraphs are one line
        return cuts
    for match in _NEWLINE.finditer(text[start:end]):
        after = text[start + match.end():start + match.end() + 1]
        if after and not after.islower():
            cuts.append(start + match.end())
    return cuts


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``; a sentence never crosses a blank line.

    Remembered for the last texts seen: a brief splits each article for its summary, timeline and quotations."""
    return list(_sentence_spans(text))


@lru_cache(maxsize=1024)
def _sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    for p_start, p_end in paragraph_spans(text):
        cuts = set(_line_breaks(text, p_start, p_end))
        for match in _BOUNDARY.finditer(text, p_start, p_end):
            end = match.start() + len(match.group().rstrip())
            token = _last_word(text, p_start, match.start() + 1)
            if not _is_abbreviation(token, text[match.end():match.end() + 20]):
                cuts.add(end)
        start = p_start
        for cut in sorted(cuts) + [p_end]:
            a, b = _strip_span(text, start, cut)
            if b > a:
                spans.append((a, b))
            start = cut
    return tuple(spans)


@lru_cache(maxsize=4096)
def _split_cached(text: str) -> tuple[str, ...]:
    return tuple(" ".join(text[a:b].split()) for a, b in sentence_spans(text))


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, whitespace folded; paragraph-aware and robust to "war.National" gluing."""
    return list(_split_cached(text))


def trim_dateline(sentence: str) -> str:
    """Drop a leading wire dateline such as ``"LONDON (AP) — "`` or ``"KYIV, Ukraine — "``."""
    match = _DATELINE.match(sentence)
    if not match or len(sentence) - match.end() < 20:
        return sentence
    head = match.group()
    if not (_CAPITALS.search(head) or "(" in head):
        return sentence
    return sentence[match.end():]


__all__ = ["SupportChecker", "ngrams", "paragraph_spans", "sentence_spans", "split_sentences", "supports",
           "trim_dateline", "word_tokens"]
