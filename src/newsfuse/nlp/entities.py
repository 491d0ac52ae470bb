"""Named entities (people, organisations, places) and the merging of their variants.

"Kim" joins "Kim Jong Un", "Putin" joins "Vladimir Putin", "Podolyak" joins "Mykhailo Podalyak" (edit distance on
the surname), "NRA" joins "National Rifle Association" (initials).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Collection, Iterable, Mapping

from .model import MAX_CHARS, entity_spans
from .text import paragraph_spans

LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC"})
_STOP_INITIALS = frozenset({"of", "the", "and", "for", "on", "in", "&"})


@dataclass(frozen=True, slots=True)
class Mention:
    """One entity occurrence in a text: the cleaned surface name, its label and character offsets."""

    name: str
    label: str
    start: int
    end: int


def clean_name(surface: str) -> str:
    """Drop a leading article, a possessive and stray punctuation: ``"the White House's"`` -> ``"White House"``."""
    name = " ".join(surface.split())
    name = re.sub(r"^(?:the|The|THE)\s+", "", name)
    name = re.sub(r"['’]s?$", "", name)
    name = name.strip(" ,;:-–—\"“”'‘’()")
    return name if re.search(r"\b[A-Z]\.$", name) else name.rstrip(".")


def entity_mentions(text: str, paragraphs: Collection[int] | None = None, echoes: bool = True,
                    language: str | None = None) -> list[Mention]:
    """PERSON, ORG, GPE and LOC mentions in ``text`` (written in ``language``, None: English), in order: those the
    recogniser finds in the paragraphs listed by index (all when None) and, with ``echoes``, every other occurrence
    of the same words in the paragraphs it did not read (``_echoes``)."""
    mentions = []
    for start, end, label in entity_spans(text, paragraphs, language):
        if label not in LABELS:
            continue
        name = clean_name(text[start:end])
        if len(name) >= 2 and any(c.isupper() for c in name):
            mentions.append(Mention(name, label, start, end))
    if echoes and paragraphs is not None and mentions:
        mentions = sorted(mentions + _echoes(text, paragraphs, mentions), key=lambda m: m.start)
    return mentions


def _echoes(text: str, paragraphs: Collection[int], mentions: list[Mention]) -> list[Mention]:
    """``_found_echoes``, remembered for the last texts: a brief asks for the same article's mentions twice (its
    entities and its quotes' speakers)."""
    return list(_found_echoes(text, frozenset(paragraphs), tuple(mentions)))


@lru_cache(maxsize=64)
def _found_echoes(text: str, paragraphs: frozenset[int], mentions: tuple[Mention, ...]) -> tuple[Mention, ...]:
    """Mentions of the names found in the read ``paragraphs``, by their exact words (case-sensitive, whole words,
    longest first), in the paragraphs the recogniser did not read, each with the name's most frequent label. A long
    article's recogniser reads only its leads and quotations (``BriefConfig.article_ner_words``); counting the rest
    by string makes its entity ranking closer to a full reading (bench/reading_cap.py)."""
    labels: dict[str, Counter] = defaultdict(Counter)
    for m in mentions:
        labels[m.name][m.label] += 1
    unread = [span for i, span in enumerate(paragraph_spans(text[:MAX_CHARS])) if i not in paragraphs]
    if not unread:
        return ()
    hits = _hits(text, unread, labels)
    found, last = [], 0
    for at in sorted(hits):  # leftmost first, then the longest name there, as the alternation would match
        if at >= last:
            name = hits[at]
            last = at + len(name)
            found.append(Mention(name, labels[name].most_common(1)[0][0], at, last))
    return tuple(found)


_BEFORE = re.compile(r"[\w.]")  # a name must not follow these (``(?<![\w.])``) ...
_AFTER = re.compile(r"\w")  # ... nor be followed by these (``(?![\w])``) within its paragraph


def _hits(text: str, unread: list[tuple[int, int]], names: Collection[str]) -> dict[int, str]:
    """Start -> longest name occurring there as whole words inside one of the ``unread`` paragraph spans: what
    one alternation of the names (longest first) scanning each span would try, found with ``str.find``, which costs
    less than compiling that alternation for every article."""
    starts = [start for start, _ in unread]
    hits: dict[int, str] = {}
    for name in names:
        at = text.find(name, starts[0], unread[-1][1])
        while at >= 0:
            start, end = unread[max(0, bisect_right(starts, at) - 1)]
            stop = at + len(name)
            if (start <= at and stop <= end and (at == 0 or not _BEFORE.match(text, at - 1))
                    and (stop == end or not _AFTER.match(text, stop)) and len(name) > len(hits.get(at, ""))):
                hits[at] = name
            at = text.find(name, at + 1, unread[-1][1])
    return hits


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _similar_surname(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    if a == b:
        return True
    if min(len(a), len(b)) < 5 or a[0] != b[0]:
        return False
    return edit_distance(a, b) <= (1 if min(len(a), len(b)) < 8 else 2)


def _initials(name: str) -> str:
    return "".join(w[0] for w in re.findall(r"[\w&]+", name) if w.lower() not in _STOP_INITIALS).upper()


def _contained(short: list[str], long: list[str]) -> bool:
    """Whether ``short`` is a contiguous run of ``long`` (case-insensitive)."""
    short, long = [w.lower() for w in short], [w.lower() for w in long]
    return any(long[i:i + len(short)] == short for i in range(len(long) - len(short) + 1))


def is_variant(short: str, long: str, long_label: str) -> bool:
    """Whether ``short`` names the same entity as ``long`` (which has at least as many words)."""
    s, l = short.split(), long.split()
    if short.lower() == long.lower():
        return True
    acronym = short.replace(".", "")
    if acronym.isupper() and len(acronym) >= 2 and len(l) >= 2 and acronym == _initials(long):
        return True
    if long_label != "PERSON" or len(s) > len(l):
        return False
    if len(s) < len(l) and _contained(s, l) and not (len(s) == 1 and s[0].lower() in {"jr", "sr", "al"}):
        return True
    if len(s) == len(l):
        return [w.lower() for w in s[:-1]] == [w.lower() for w in l[:-1]] and _similar_surname(s[-1], l[-1])
    return len(s) == 1 and _similar_surname(s[0], l[-1])


def merge_names(counts: Mapping[tuple[str, str], int]) -> dict[str, tuple[str, str]]:
    """Map every name to its (canonical name, label), given mention counts keyed by (name, label).

    A name's label is its most frequent one. Names are taken longest and most frequent first; each later name
    joins the first canonical name it is a variant of (the most frequent when several fit).
    """
    by_name: dict[str, Counter] = defaultdict(Counter)
    for (name, label), n in counts.items():
        by_name[name][label] += n
    total = {name: sum(c.values()) for name, c in by_name.items()}
    label = {name: c.most_common(1)[0][0] for name, c in by_name.items()}
    order = sorted(by_name, key=lambda n: (-len(n.split()), -total[n], n))
    canon: dict[str, tuple[str, str]] = {}
    heads: dict[str, list[int]] = defaultdict(list)  # index key -> positions in ``order`` of heads under it
    for position, name in enumerate(order):
        near = sorted({h for key in _lookup_keys(name) for h in heads.get(key, ())})
        fits = [order[h] for h in near if is_variant(name, order[h], label[order[h]])]
        if fits:
            head = max(fits, key=lambda h: total[h])
            canon[name] = canon[head]
            total[head] += total[name]
        else:
            for key in _index_keys(name):
                heads[key].append(position)
            canon[name] = (name, label[name])
    return _prefer_frequent_spelling(canon, by_name)


def _index_keys(head: str) -> set[str]:
    """Keys under which a head is found by its possible variants: its words (short forms, same name), the first
    letter of its surname (spellings) and its initials (acronyms). ``is_variant`` only holds within these."""
    words = head.lower().split()
    return {"w:" + w for w in words} | {"s:" + words[-1][:1], "i:" + _initials(head)}


def _lookup_keys(name: str) -> set[str]:
    words = name.lower().split()
    return {"w:" + w for w in words} | {"s:" + words[-1][:1], "i:" + name.replace(".", "")}


def _prefer_frequent_spelling(canon: dict[str, tuple[str, str]],
                              by_name: Mapping[str, Counter]) -> dict[str, tuple[str, str]]:
    """Among same-length variants of a head ("Podalyak"/"Podolyak"), name the group by the most used one."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for name, head in canon.items():
        groups[head].append(name)
    result = {}
    for (head, label), names in groups.items():
        longest = max(len(n.split()) for n in names)
        best = max((n for n in names if len(n.split()) == longest),
                   key=lambda n: (sum(by_name[n].values()), n == head))
        for name in names:
            result[name] = (best, label)
    return result


def canonical_names(mentions: Iterable[Mention]) -> dict[str, tuple[str, str]]:
    """``merge_names`` over a list of mentions."""
    return merge_names(Counter((m.name, m.label) for m in mentions))


__all__ = ["LABELS", "Mention", "canonical_names", "clean_name", "edit_distance", "entity_mentions",
           "is_variant", "merge_names"]
