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
on modified dates helped.

Where the page's own text is read (2026-11-27, 0.886 -> 0.904, 583 -> 595 of 658 right, no page lost; 0.901 and
0.908 on the even and odd halves by file number):

- Written dates are searched from ``HEADLINE_LEAD`` lines above the first ``<h1>``, not from the top of the page:
  above it sit menus, "today's date" mastheads, event banners and lists of other stories (+5). Starting at the
  headline itself loses 14 pages (the date is often printed just above it); 3 to 8 lines above score the same.
- The ``<time>`` element that votes is the one written nearest the headline, not the first of the page (+1).
- Numeric dates ("17.05.2021", "3/4/2025", "2025.12.17") are read, day or month first as the page's own other
  dates show (+5); a meta tag may hold a written date ("July 17, 2025", also under the name "published") (+1).
- Tried and left out: the title line instead of the ``<h1>`` as anchor (-2), the date nearest the headline
  instead of the first one after the anchor (no change), "originally published" lines and month names in URLs
  (no change), and a written JSON-LD date (-1: JSON-LD dates must be ISO 8601, a page writing otherwise is sloppy).

What is left: the gold takes the visible "Updated" date over the declared published one on 36 pages and the
published one on 54 (coin flips no rule separated: labels, positions and sources look alike on both sides), gold
dates written nowhere on the page (42 pages, 2 of them a month without a day), and same-instant stamps written in
two zones (2 pages).

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
HEADLINE_LEAD = 5  # the search starts this many lines above the headline: a date often sits just above it
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
_NUMERIC_DATE = re.compile(  # 17.05.2021, 3/4/2025, 2025.12.17: day and month order decided per page
    r"(?<![\d/.])(?:(?P<a>\d{1,2})(?P<sep>[./])(?P<b>\d{1,2})(?P=sep)(?P<year>(?:19|20)\d\d)"
    r"|(?P<y>(?:19|20)\d\d)\.(?P<m>\d\d)\.(?P<d>\d\d))(?![\d/.])")
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


def parse_meta_date(value: Any) -> datetime | None:
    """A ``<meta>`` date: ISO as ``parse_date``, else the first date written in it ("July 17, 2025"). Meta tags
    follow no standard; JSON-LD dates must be ISO 8601, and one that is not is not trusted."""
    found = parse_date(value)
    if found is None and isinstance(value, str):
        found = next(iter(_line_dates(value, _Order(value))), None)
    return found


def published_date(tree: HtmlElement, url: str | None, declared: dict[str, Any], visible: list[str] | None, *,
                   fallbacks: bool = True, headline: int | None = None) -> datetime | None:
    """The page's published date by vote. ``declared`` maps "meta", "json_ld" and "time" to the raw strings the
    page declares; ``fallbacks`` allows htmldate's search and the visible text (``visible``, the page's text
    lines, ``headline`` the index of the headline among them when known: the written dates are searched from
    just above it). htmldate votes only when neither the URL, a meta tag nor JSON-LD declares a date: its quick
    search mostly re-reads those, so it would count them twice. Without ``visible``, htmldate's extensive search
    runs when nothing else answered."""
    votes: dict[str, tuple[float, datetime]] = {}

    def vote(source: str, when: datetime | None) -> None:
        if when is not None:
            weight, _ = votes.get(when.date().isoformat(), (0.0, when))
            votes[when.date().isoformat()] = (weight + WEIGHTS[source], when)

    machine = {"url": url_date(url), "meta": parse_meta_date(declared.get("meta")),
               "json_ld": parse_date(declared.get("json_ld"))}
    for source, when in machine.items():
        vote(source, when)
    vote("time", parse_date(declared.get("time")))
    if fallbacks:
        if not any(machine.values()):
            vote("htmldate", _htmldate(tree, url))
        for source, when in text_dates(visible or [], start=text_start(headline)):
            vote(source, when)
        if not votes and visible is None:
            vote("htmldate", _htmldate(tree, url, extensive=True))
    if not votes:
        return None
    return max(votes.values(), key=lambda v: v[0])[1]


def text_start(headline: int | None) -> int:
    """The first visible line searched for written dates: ``HEADLINE_LEAD`` lines above the headline, so that
    dates in menus, tickers and "sign up for our event on ..." banners above it do not vote (the top of the page
    when the headline is unknown)."""
    return max(0, headline - HEADLINE_LEAD) if headline is not None else 0


def url_date(url: str | None) -> datetime | None:
    """The date in a URL path like ``/2024/03/05/``."""
    match = _URL_DATE.search(url or "")
    try:
        return to_utc(datetime(*map(int, match.groups()))) if match else None
    except ValueError:
        return None


def text_dates(lines: list[str], start: int = 0) -> list[tuple[str, datetime]]:
    """The first ``TEXT_DATES`` written dates ("March 5, 2024", "5 March 2024", "2024-03-05", "17.05.2021",
    "3/4/2025") of ``DATE_TEXT_LINES`` lines from ``start``, each with its source: ``text_first`` for the first,
    ``text_published`` for the first on a line that starts with "Published" or "Posted", ``text_other`` for the
    rest (the first one also votes as ``text_other``, the published one also as ``text_first`` when it is the
    first)."""
    found: list[tuple[str, datetime]] = []
    published = False
    window = lines[start:start + DATE_TEXT_LINES]
    order = _Order(window)
    for line in window:
        if not _YEAR.search(line):  # every written date has a year: most lines skip the long pattern
            continue
        for when in _line_dates(line, order):
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


def _line_dates(line: str, order: _Order) -> list[datetime]:
    """The dates written in one line, in the order they are written."""
    found = [(m.start(), _written_date(m)) for m in _WRITTEN_DATE.finditer(line)]
    if "/" in line or "." in line:
        found += [(m.start(), _numeric_date(m, order)) for m in _NUMERIC_DATE.finditer(line)]
        found.sort(key=lambda item: item[0])
    return [when for _, when in found if when is not None]


class _Order:
    """Whether the numeric dates of a page put the day first, as the page itself shows: a numeric date whose
    first or second number is over 12 settles it ("24.11.2025", "11/24/2025"), else the written dates ("5 March
    2024" against "March 5, 2024"); with no evidence, "." puts the day first and "/" the month (American usage).
    Decided only when an ambiguous date is met, from the lines given."""

    def __init__(self, lines: list[str] | str) -> None:
        self._lines = [lines] if isinstance(lines, str) else lines
        self._day_first: bool | None = None
        self._known = False

    def day_first(self, separator: str) -> bool:
        if not self._known:
            self._day_first, self._known = self._evidence(), True
        return separator == "." if self._day_first is None else self._day_first

    def _evidence(self) -> bool | None:
        lines = [line for line in self._lines if _YEAR.search(line)]
        for pattern, day_group in ((_NUMERIC_DATE, None), (_WRITTEN_DATE, "dm_day")):
            day_first = month_first = 0
            for match in (m for line in lines for m in pattern.finditer(line)):
                if day_group is not None:
                    day_first += match.group(day_group) is not None
                    month_first += match.group("md_day") is not None
                elif match.group("a"):
                    first, second = int(match.group("a")), int(match.group("b"))
                    day_first += first > 12 >= second
                    month_first += second > 12 >= first
            if day_first != month_first:
                return day_first > month_first
        return None


def _numeric_date(match: re.Match[str], order: _Order) -> datetime | None:
    try:
        if match.group("y"):
            return to_utc(datetime(int(match.group("y")), int(match.group("m")), int(match.group("d"))))
        first, second, year = int(match.group("a")), int(match.group("b")), int(match.group("year"))
        if first > 12 or (second <= 12 and order.day_first(match.group("sep"))):
            first, second = second, first
        return to_utc(datetime(year, first, second))
    except ValueError:
        return None


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


def time_tag(tree: HtmlElement, visible: list[str] | None = None, headline: int | None = None,
             times: list[HtmlElement] | None = None) -> str | None:
    """The ``datetime`` of a ``<time>`` element not marked as another kind of date: with the page's visible
    lines and its headline, the one whose text is written nearest below the headline (or above it, within
    ``HEADLINE_LEAD`` lines), since the first in the page is often in a sidebar or a list of other stories;
    else the first. ``times``: the page's ``<time datetime>`` elements, when the caller has found them."""
    times = tree.findall(".//time[@datetime]") if times is None else times
    times = [time for time in times
             if time.get("itemprop") in (None, "datePublished") or "publish" in (time.get("class") or "")]
    if not times:
        return None
    if visible and headline is not None:
        start = text_start(headline)
        where = {}
        for i in range(start, min(len(visible), start + DATE_TEXT_LINES)):
            where.setdefault(visible[i], i)
        near = [(_distance(where[text], headline), time.get("datetime")) for time in times
                if (text := _first_text(time)) in where]
        if near:
            return min(near, key=lambda item: item[0])[1]
    return times[0].get("datetime")


def _distance(line: int, headline: int) -> float:
    """Lines from the headline; a line above it counts half a line further than one as far below."""
    return line - headline if line >= headline else headline - line + 0.5


def _first_text(element: HtmlElement) -> str | None:
    """The element's first non-blank text node, spaces folded: one visible line."""
    return next((" ".join(text.split()) for text in element.itertext() if text.strip()), None)


def headline_line(tree: HtmlElement, visible: list[str]) -> int | None:
    """The index among ``visible`` of the first line of the page's first ``<h1>``, or None."""
    h1 = next(tree.iter("h1"), None)
    first = _first_text(h1) if h1 is not None else None
    return next((i for i, line in enumerate(visible) if line == first), None) if first else None


def _htmldate(tree: HtmlElement, url: str | None, extensive: bool = False) -> datetime | None:
    """htmldate's search for the original publication date: the quick one, or the extensive one (free text)."""
    try:
        return parse_date(find_date(tree, url=url, extensive_search=extensive, original_date=not extensive))
    except Exception:  # noqa: BLE001 - a heuristic that fails on one page leaves the date to the other sources
        return None


__all__ = ["DATE_TEXT_LINES", "HEADLINE_LEAD", "WEIGHTS", "headline_line", "parse_date", "parse_meta_date",
           "published_date", "text_dates", "text_start", "time_tag", "url_date"]
