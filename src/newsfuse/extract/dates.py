"""The published date of one page, decided by a vote of its date evidence.

A page states its date in several places that often disagree: the URL (``/2024/03/05/``), a published-time
``<meta>``, JSON-LD ``datePublished``, a ``<time>`` element, a date written at the top of the text, and what
htmldate's quick search infers. Taking the first source that answers (the previous rule) trusts htmldate even
where it read a "last modified" stamp or swapped day and month. Here every source votes for its day with a weight
(``WEIGHTS``) and the day with the most weight wins; on a tie, the stronger source listed first wins.

htmldate votes only for pages that declare no date in the URL, a meta tag or JSON-LD: its quick search mostly
re-reads those same tags, so letting it vote as well counted them twice (and let it outvote the date written on
the page); it also saves htmldate's time on most pages.

Measured on the 658 WCXB dev articles with a gold date (right to the day): first-source-wins 0.848, the vote
with htmldate always voting 0.875, with htmldate only for undeclared pages 0.886. The weights follow each
source's measured precision (listed below), rounded; moving any one by 0.5 scores within 0.005, except that a
JSON-LD date weighing more than the first written date (3.5: 0.862) lets stale JSON-LD dates win. Modified dates
do not vote: the gold takes the modified date about as often as the published one where both exist, so no rule
on modified dates helped. What is left is mostly that, and gold dates written nowhere on the page (7%).

A date with a time keeps the calendar day the page wrote ("2023-09-06T23:30:00-05:00" stays 6 September): on
the WCXB pages whose published time falls on another day in UTC, the local day is the gold day 10 times out of 11.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from htmldate import find_date
from lxml.html import HtmlElement

from ..records import to_utc

DATE_TEXT_LINES = 300  # visible lines searched for written dates: dates sit at the top
TEXT_DATES = 4  # written dates collected from those lines
WEIGHTS = {
    "url": 10.0,  # /2024/03/05/ in the URL: right on all 30 WCXB pages that have one
    "meta": 4.0,  # article:published_time and the like: 0.95
    "json_ld": 3.0,  # datePublished: 0.89
    "time": 3.0,  # <time datetime> (not marked as modified): 0.80
    "text_published": 3.0,  # "Published March 5, 2024" in the visible text
    "text_first": 3.0,  # the first written date of the visible text
    "htmldate": 2.5,  # htmldate's quick search: 0.86, but often a modified date when nothing better is declared
    "text_other": 0.5,  # any other of the first written dates
}
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_WRITTEN_DATE = re.compile(
    rf"\b(?:(?P<md_month>{_MONTH})\s+(?P<md_day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<md_year>(?:19|20)\d\d)"
    rf"|(?P<dm_day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<dm_month>{_MONTH}),?\s+(?P<dm_year>(?:19|20)\d\d)"
    r"|(?P<iso>(?:19|20)\d\d-\d\d-\d\d))\b", re.IGNORECASE)
_YEAR = re.compile(r"(?:19|20)\d\d")
_PUBLISHED_LINE = re.compile(r"\W*(?:published|posted)\b", re.IGNORECASE)
_URL_DATE = re.compile(r"/((?:19|20)\d\d)/(\d\d)/(\d\d)/")
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_date(value: Any) -> datetime | None:
    """An ISO date or datetime string as timezone-aware UTC on the day the page wrote, or None when absent or
    unreadable (see the module docstring for why the zone is dropped rather than the day shifted)."""
    if not isinstance(value, str) or not (text := value.strip()):
        return None
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return to_utc(stamp.replace(tzinfo=None))
    except ValueError:
        match = _ISO_DAY.match(text)
        if not match:
            return None
        try:
            return to_utc(datetime(*map(int, match.groups())))
        except ValueError:
            return None


def published_date(tree: HtmlElement, url: str | None, declared: dict[str, Any],
                   visible: list[str] | None, *, fallbacks: bool = True) -> datetime | None:
    """The page's published date by vote. ``declared`` maps "meta", "json_ld" and "time" to the raw strings the
    page declares; ``fallbacks`` allows htmldate's search and the visible text (``visible``, the page's text
    lines). htmldate votes only when neither the URL, a meta tag nor JSON-LD declares a date: its quick search
    mostly re-reads those, so it would count them twice. Without ``visible``, htmldate's extensive search runs
    when nothing else answered."""
    votes: dict[str, tuple[float, datetime]] = {}

    def vote(source: str, when: datetime | None) -> None:
        if when is not None:
            weight, _ = votes.get(when.date().isoformat(), (0.0, when))
            votes[when.date().isoformat()] = (weight + WEIGHTS[source], when)

    machine = {"url": url_date(url), "meta": parse_date(declared.get("meta")),
               "json_ld": parse_date(declared.get("json_ld"))}
    for source, when in machine.items():
        vote(source, when)
    vote("time", parse_date(declared.get("time")))
    if fallbacks:
        if not any(machine.values()):
            vote("htmldate", _htmldate(tree, url))
        for source, when in text_dates(visible or []):
            vote(source, when)
        if not votes and visible is None:
            vote("htmldate", _htmldate(tree, url, extensive=True))
    if not votes:
        return None
    return max(votes.values(), key=lambda v: v[0])[1]


def url_date(url: str | None) -> datetime | None:
    """The date in a URL path like ``/2024/03/05/``."""
    match = _URL_DATE.search(url or "")
    try:
        return to_utc(datetime(*map(int, match.groups()))) if match else None
    except ValueError:
        return None


def text_dates(lines: list[str]) -> list[tuple[str, datetime]]:
    """The first ``TEXT_DATES`` written dates ("March 5, 2024", "5 March 2024", "2024-03-05") of the first
    ``DATE_TEXT_LINES`` lines, each with its source: ``text_first`` for the first, ``text_published`` for the
    first on a line that starts with "Published" or "Posted", ``text_other`` for the rest (the first one also
    votes as ``text_other``, the published one also as ``text_first`` when it is the first)."""
    found: list[tuple[str, datetime]] = []
    published = False
    for line in lines[:DATE_TEXT_LINES]:
        if not _YEAR.search(line):  # every written date has a year: most lines skip the long pattern
            continue
        for match in _WRITTEN_DATE.finditer(line):
            when = _written_date(match)
            if when is None:
                continue
            if not found:
                found.append(("text_first", when))
            if not published and _PUBLISHED_LINE.match(line):
                found.append(("text_published", when))
                published = True
            found.append(("text_other", when))
        if sum(source == "text_other" for source, _ in found) >= TEXT_DATES:
            break
    return _distinct_others(found)


def _distinct_others(found: list[tuple[str, datetime]]) -> list[tuple[str, datetime]]:
    """Each day votes as ``text_other`` once, however often it is written."""
    seen: set[str] = set()
    kept = []
    for source, when in found:
        if source == "text_other":
            if when.date().isoformat() in seen:
                continue
            seen.add(when.date().isoformat())
        kept.append((source, when))
    return kept


def _written_date(match: re.Match[str]) -> datetime | None:
    month_day, day_month, iso = match.group("md_month"), match.group("dm_month"), match.group("iso")
    try:
        if iso:
            return to_utc(datetime(*map(int, iso.split("-"))))
        month = _MONTHS[(month_day or day_month)[:3].lower()]
        day = int(match.group("md_day") or match.group("dm_day"))
        return to_utc(datetime(int(match.group("md_year") or match.group("dm_year")), month, day))
    except (ValueError, KeyError):
        return None


def time_tag(tree: HtmlElement) -> str | None:
    """The ``datetime`` of the first ``<time>`` element not marked as another kind of date."""
    for time in tree.iterfind(".//time[@datetime]"):
        if time.get("itemprop") in (None, "datePublished") or "publish" in (time.get("class") or ""):
            return time.get("datetime")
    return None


def _htmldate(tree: HtmlElement, url: str | None, extensive: bool = False) -> datetime | None:
    """htmldate's search for the original publication date: the quick one, or the extensive one (free text)."""
    try:
        return parse_date(find_date(tree, url=url, extensive_search=extensive, original_date=not extensive))
    except Exception:  # noqa: BLE001 - a heuristic that fails on one page leaves the date to the other sources
        return None


__all__ = ["DATE_TEXT_LINES", "WEIGHTS", "parse_date", "published_date", "text_dates", "time_tag", "url_date"]
