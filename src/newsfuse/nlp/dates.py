"""Date expressions, resolved against an article's published date when it is known.

Candidates are spaCy DATE entities and regex matches (month names, weekdays, "last year", "3 days ago"). Only
phrases anchored in the calendar are kept (not durations such as "18-month"). A phrase resolves to ISO
``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; a relative phrase with no published date stays unresolved.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Collection

from .date_words import LANGUAGES, date_spans, english_phrase
from .model import entity_spans

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_MONTH_RE = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|" \
            r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_WEEKDAY_RE = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_RELATIVE_RE = (r"(?:(?:late|early|earlier|later|mid-?)\s+)?(?:last|this|next|past)\s+(?:year|month|week|"
                + _WEEKDAY_RE + "|" + _MONTH_RE + r")|yesterday|today|tomorrow|tonight"
                r"|\b(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:day|week|month|year)s?\s+ago")
# The lookahead changes no match (every alternative starts with a letter or a digit); it lets the scan skip the other
# positions without trying each alternative there, halving the time on long articles.
_PATTERN = re.compile(
    r"(?=[\dA-Za-z])\b(?:" + _MONTH_RE + r"\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH_RE + r"(?:,?\s+\d{4})?"
    r"|" + _MONTH_RE + r"(?:\s+(?:of\s+)?\d{4}|\s+(?:this|last|next)\s+year)?"
    r"|(?:on\s+)?" + _WEEKDAY_RE +
    r"|\d{4}-\d{2}-\d{2}|(?:in|since|by|of)\s+(?:19|20)\d{2}|" + _RELATIVE_RE + r")\b", re.IGNORECASE)
# The same pattern for lowercased text, matched case-sensitively: the same spans at 40% of the cost (IGNORECASE tries
# every alternative at every word start). Exact unless the text holds a character that IGNORECASE folds onto an ASCII
# letter and str.lower() does not map to that letter alone: "İ", "ı", "ſ" and the Kelvin sign (checked over all of
# Unicode: lowering any other character keeps the length and the \w, \d and \s classes).
assert not re.search(r"\\[A-Z]", _PATTERN.pattern)  # lowering the source must not turn \S into \s
# Every match begins with a digit or with one of these two letters (of a month, a weekday, "on", "in", "last", "a day
# ago", ...): trying the alternatives only at such word starts finds the same matches at 75% of the scan's cost.
_STARTS = r"(?=\d|a[pun\s]|by|de|e[ai]|f[eroi]|in|j[au]|la|m[aoi]|n[oei]|o[cnf]|pa|s[eaui]|t[uhowe]|we|ye)"
_LOWER_PATTERN = re.compile(_PATTERN.pattern.lower().replace(r"\b", r"\b" + _STARTS, 1))
_FOLDS = re.compile("[\u0130\u0131\u017f\u212a]")
_ANCHOR = re.compile(r"\b(?:" + _MONTH_RE + "|" + _WEEKDAY_RE + r"|(?:19|20)\d{2}|" + _RELATIVE_RE + r")\b",
                     re.IGNORECASE)
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10}


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date phrase in a text: ``value`` is ISO when resolved, else None."""

    text: str
    start: int
    end: int
    value: str | None

    @property
    def resolved(self) -> bool:
        return self.value is not None


def _day(published: datetime | date | None) -> date | None:
    if isinstance(published, datetime):
        return published.date()
    return published


def _absolute(phrase: str) -> str | None:
    """ISO for phrases that carry their own year."""
    if m := re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", phrase):
        return m.group(0)
    year = re.search(r"\b((?:19|20)\d{2})\b", phrase)
    if not year:
        return None
    month, day = _month_day(phrase)
    if month and day:
        return f"{year.group(1)}-{month:02d}-{day:02d}"
    return f"{year.group(1)}-{month:02d}" if month else year.group(1)


def _month_day(phrase: str) -> tuple[int | None, int | None]:
    month = next((_MONTHS[w] for w in re.findall(r"[a-z]+", phrase) if w in _MONTHS and w != "may"
                  or w == "may" and re.search(r"\bmay\s+\d|\bin\s+may\b|^may$|may\s+(?:this|last|next)", phrase)),
                 None)
    day = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?\b(?!\s*(?:days?|weeks?|months?|years?))", phrase)
    ok = month and day and 1 <= int(day.group(1)) <= 31
    return month, int(day.group(1)) if ok else None


def _nearest_year(month: int, day: int, today: date) -> int:
    """The year that puts month/day closest to ``today``, allowing up to two months ahead (news looks back)."""
    for year in (today.year + 1, today.year, today.year - 1):
        candidate = date(year, month, min(day, calendar.monthrange(year, month)[1]))
        if (candidate - today).days <= 62:
            return year
    return today.year - 1


def _shift_month(today: date, months: int) -> str:
    index = today.year * 12 + today.month - 1 + months
    return f"{index // 12}-{index % 12 + 1:02d}"


def _relative(phrase: str, today: date) -> str | None:
    """ISO for phrases relative to ``today``."""
    offsets = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}
    for word, delta in offsets.items():
        if re.search(rf"\b{word}\b", phrase):
            return (today + timedelta(days=delta)).isoformat()
    if m := re.search(r"\b(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s+(day|week|month|year)s?\s+ago",
                      phrase):
        n = int(m.group(1)) if m.group(1).isdigit() else _NUMBERS[m.group(1)]
        return _ago(n, m.group(2), today)
    step = {"last": -1, "past": -1, "this": 0, "next": 1}
    if m := re.search(r"\b(last|past|this|next)\s+year\b", phrase):
        year = today.year + step[m.group(1)]
        month, day = _month_day(phrase)
        if month:
            return f"{year}-{month:02d}" + (f"-{day:02d}" if day else "")
        return str(year)
    if m := re.search(r"\b(last|past|this|next)\s+month\b", phrase):
        return _shift_month(today, step[m.group(1)])
    return _calendar_words(phrase, today)


def _ago(n: int, unit: str, today: date) -> str:
    if unit == "day":
        return (today - timedelta(days=n)).isoformat()
    if unit == "week":
        return (today - timedelta(weeks=n)).isoformat()
    if unit == "month":
        return _shift_month(today, -n)
    return str(today.year - n)


def _calendar_words(phrase: str, today: date) -> str | None:
    """Weekdays ("on Wednesday": the latest one on or before ``today``) and month names without a year."""
    words = re.findall(r"[a-z]+", phrase)
    weekday = next((_WEEKDAYS[w] for w in words if w in _WEEKDAYS), None)
    if weekday is not None:
        back = (today.weekday() - weekday) % 7
        if "next" in words:
            return (today + timedelta(days=(weekday - today.weekday()) % 7 or 7)).isoformat()
        if "last" in words and back == 0:
            back = 7
        return (today - timedelta(days=back)).isoformat()
    month, day = _month_day(phrase)
    if not month:
        return None
    if "last" in words or "past" in words:
        year = today.year if month < today.month else today.year - 1
    else:
        year = _nearest_year(month, day or 1, today)
    return f"{year}-{month:02d}" + (f"-{day:02d}" if day else "")


def resolve_date(phrase: str, published: datetime | date | None = None) -> str | None:
    """ISO date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) for ``phrase``, or None when it cannot be placed.

    Phrases with a year resolve on their own; relative ones ("last year", "in March", "on Wednesday") need
    ``published``. Weekdays and bare months are taken as the latest such day or month, looking back from the
    published date (up to two months ahead for month names).
    """
    text = " ".join(phrase.lower().split())
    try:
        if value := _absolute(text):
            return value
        today = _day(published)
        return _relative(text, today) if today else None
    except (OverflowError, ValueError):  # "1000000 days ago", dates near year 1 or 9999, huge numbers
        return None


def _pattern_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every match of _PATTERN in ``text``."""
    if _FOLDS.search(text):
        return [(m.start(), m.end()) for m in _PATTERN.finditer(text)]
    return [(m.start(), m.end()) for m in _LOWER_PATTERN.finditer(text.lower())]


def _candidates(text: str, paragraphs: Collection[int] | None) -> list[tuple[int, int]]:
    spans = [(start, end) for start, end, label in entity_spans(text, paragraphs) if label == "DATE"]
    spans += _pattern_spans(text)
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def find_dates(text: str, published: datetime | date | None = None,
               paragraphs: Collection[int] | None = None, language: str | None = None) -> list[DateMention]:
    """The calendar-anchored date phrases of ``text``, each resolved against ``published`` where possible.

    Candidates are regex matches everywhere, widened by spaCy DATE entities in the ``paragraphs`` given by index
    (all when None). A text in Spanish, French or Italian (``language``) is read with that language's words
    (nlp/date_words.py) instead: the English patterns and model would take "mar" (sea) or "sept" (seven) for
    months there.
    """
    if language in LANGUAGES:
        return [DateMention(text[start:end], start, end, resolve_date(english_phrase(text[start:end], language),
                                                                      published))
                for start, end in date_spans(text, language)]
    mentions = []
    for start, end in _candidates(text, paragraphs):
        phrase = text[start:end]
        if not _ANCHOR.search(phrase) or re.search(r"\d+-(?:year|month|day|week)", phrase, re.I):
            continue
        if re.fullmatch(r"(?i)may", phrase.strip()):
            continue
        mentions.append(DateMention(phrase, start, end, resolve_date(phrase, published)))
    return mentions


__all__ = ["DateMention", "find_dates", "resolve_date"]
