"""The published-date vote (dates.py) and the shingle pass for a body printed twice (repeats.printed_twice)."""
from __future__ import annotations

import re

import lxml.html
import pytest

from newsfuse.extract import dates
from newsfuse.extract.dates import parse_date, published_date, text_dates, url_date
from newsfuse.extract.repeats import printed_twice

PAGE = lxml.html.fromstring("<html><body><p>Nothing dated here.</p></body></html>")


def _day(*args, **kwargs) -> str | None:
    found = published_date(*args, **kwargs)
    return found.date().isoformat() if found else None


@pytest.fixture
def no_htmldate(monkeypatch):
    """htmldate answers a date no other source gives, so a test sees whether it was asked."""
    monkeypatch.setattr(dates, "_htmldate", lambda tree, url, extensive=False: parse_date("2001-01-01"))


def test_declared_meta_date_beats_a_written_update(no_htmldate):
    lines = ["Headline", "Updated March 9, 2024", "Body text."]
    assert _day(PAGE, None, {"meta": "2023-05-02T10:00:00+02:00"}, lines) == "2023-05-02"


def test_written_date_beats_a_lone_json_ld_date(no_htmldate):
    lines = ["Headline", "By Jane Doe", "March 9, 2024", "Body text."]
    assert _day(PAGE, None, {"json_ld": "2021-01-04"}, lines) == "2024-03-09"


def test_url_date_wins(no_htmldate):
    url = "https://news.example/2022/07/15/story"
    assert url_date(url).date().isoformat() == "2022-07-15"
    assert _day(PAGE, url, {"meta": "2023-05-02", "json_ld": "2023-05-02"}, ["No date written."]) == "2022-07-15"


def test_htmldate_votes_only_for_undeclared_pages(no_htmldate):
    assert _day(PAGE, None, {}, ["No date written."]) == "2001-01-01"
    assert _day(PAGE, None, {"json_ld": "2023-05-02"}, ["No date written."]) == "2023-05-02"
    assert _day(PAGE, None, {}, ["No date written."], fallbacks=False) is None


def test_published_line_and_local_day():
    found = text_dates(["Home", "Posted on 5th March 2024 at 23:30", "Related: April 1, 2024"])
    assert [(s, d.date().isoformat()) for s, d in found] == [
        ("text_first", "2024-03-05"), ("text_published", "2024-03-05"), ("text_other", "2024-03-05"),
        ("text_other", "2024-04-01")]
    assert parse_date("2023-09-06T23:30:00-05:00").date().isoformat() == "2023-09-06"  # the day the page wrote
    assert parse_date("2023-10-12T19:38:01.0870000Z").date().isoformat() == "2023-10-12"
    assert parse_date("not a date") is None and parse_date(None) is None


def _brute_force(paragraphs: list[str]) -> list[bool]:
    """printed_twice without its shortcuts: every paragraph's shingles counted against the whole text."""
    from collections import Counter

    from newsfuse.extract.repeats import _WORD, BLOCK_SHARE, COPY_MIN_WORDS, COPY_SHINGLE

    def grams(text: str) -> list[tuple[str, ...]]:
        words = _WORD.findall(text.lower())
        return [tuple(words[i:i + COPY_SHINGLE]) for i in range(len(words) - COPY_SHINGLE + 1)]

    own = [grams(p) if len(_WORD.findall(p)) >= COPY_MIN_WORDS else [] for p in paragraphs]
    counts, kept = Counter(grams("\n".join(paragraphs))), [True] * len(paragraphs)
    for i in sorted(range(len(paragraphs)), key=lambda i: -len(own[i])):
        if own[i]:
            mine = Counter(own[i])
            if sum(1 for g in own[i] if counts[g] > mine[g]) >= BLOCK_SHARE * len(own[i]):
                kept[i] = False
                counts.subtract(mine)
    return kept


@pytest.mark.parametrize("copy", [True, False])
def test_printed_twice_matches_the_brute_force(copy):
    body = [f"Paragraph {i} says the council approved money for schools, roads and the harbour in year {i} "
            f"after a long debate that ran late into the night with many speakers from every ward, and the mayor "
            f"said the plan number {i} would be reviewed again next spring once the first contracts for the "
            f"bridges and the ferry landing had been signed by the county." for i in range(8)]
    paragraphs = [*body, " ".join(body)] if copy else body
    words = [re.findall(r"\w+", p.lower()) for p in paragraphs]
    assert min(map(len, words)) >= 50  # every paragraph is long enough to be compared
    assert printed_twice(paragraphs, words) == _brute_force(paragraphs)
    assert all(printed_twice(paragraphs, words)[:8]) and (printed_twice(paragraphs, words)[-1] is not copy)


def _days(lines: list[str], start: int = 0) -> list[tuple[str, str]]:
    return [(s, d.date().isoformat()) for s, d in text_dates(lines, start=start)]


def test_numeric_dates_take_the_pages_own_order():
    assert _days(["Posted 17.05.2021"])[0] == ("text_first", "2021-05-17")  # dots: day first
    assert _days(["3/4/2025"])[0] == ("text_first", "2025-03-04")  # slashes: month first by default
    assert _days(["Essay - Published: 2025.12.17 |"])[0] == ("text_first", "2025-12-17")
    # the page shows its order elsewhere: 11.24.2025 can only be month first, so 09.10.2024 is 10 September
    assert _days(["09.10.2024", "Older: 11.24.2025"])[0] == ("text_first", "2024-09-10")
    # a page writing "16 February 2026" puts the day first in 03/10/2023 as well
    assert _days(["03/10/2023", "News of 16 February 2026"])[0] == ("text_first", "2023-10-03")
    assert _days(["Version 1.2.3.2024 and 10/45/2024 are no dates"]) == []


def test_written_dates_are_searched_from_just_above_the_headline():
    lines = ["Sign up for our ride on 21st June 2026", *["menu"] * 20, "12 November 2025", "The headline", "Body."]
    assert _days(lines)[0] == ("text_first", "2026-06-21")
    start = dates.text_start(lines.index("The headline"))
    assert _days(lines, start)[0] == ("text_first", "2025-11-12")
    page = lxml.html.fromstring("<html><body><p>Other story</p><h1>The headline</h1><p>Body.</p></body></html>")
    assert dates.headline_line(page, ["Other story", "The headline", "Body."]) == 1
    assert dates.text_start(None) == 0 and dates.text_start(2) == 0


def test_time_element_nearest_the_headline_wins():
    page = lxml.html.fromstring(
        "<html><body><ul><li><time datetime='2025-12-17'>12/17/2025</time> Other story</li></ul>"
        "<h1>The headline</h1><p>By Jane <time datetime='2017-03-01T12:00:00Z'>03/01/2017</time></p>"
        "<aside><time datetime='2025-01-31'>01/31/2025</time></aside></body></html>")
    visible = ["12/17/2025", "Other story", "The headline", "By Jane", "03/01/2017", "01/31/2025"]
    assert dates.time_tag(page) == "2025-12-17"  # without the text: the first one
    assert dates.time_tag(page, visible, dates.headline_line(page, visible)) == "2017-03-01T12:00:00Z"


def test_meta_dates_may_be_written_json_ld_dates_must_be_iso(no_htmldate):
    assert dates.parse_meta_date("July 17, 2025").date().isoformat() == "2025-07-17"
    assert _day(PAGE, None, {"meta": "July 17, 2025"}, ["No date written."]) == "2025-07-17"
    assert _day(PAGE, None, {"json_ld": "Aug 21, 2025"}, ["No date written."]) == "2001-01-01"  # htmldate's
