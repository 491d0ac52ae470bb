"""Date phrases resolved against the published date."""
from datetime import datetime, timezone

import pytest

from newsfuse.nlp import find_dates, resolve_date

WEDNESDAY = datetime(2023, 9, 6, 15, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("phrase, expected", [
    ("last year", "2022"), ("Late last year", "2022"), ("in March", "2023-03"), ("In March this year", "2023-03"),
    ("on Wednesday", "2023-09-06"), ("Monday", "2023-09-04"), ("yesterday", "2023-09-05"),
    ("two weeks ago", "2023-08-23"), ("last month", "2023-08"), ("in December", "2022-12"),
    ("March 3", "2023-03-03"), ("March 3, 2021", "2021-03-03"), ("2019", "2019"), ("next Friday", "2023-09-08"),
])
def test_resolved_against_published(phrase, expected):
    assert resolve_date(phrase, WEDNESDAY) == expected


def test_relative_left_unresolved_without_published():
    assert resolve_date("last year") is None
    assert resolve_date("on Wednesday") is None
    assert resolve_date("Sept. 11, 2001") == "2001-09-11"


def test_find_dates_keeps_calendar_phrases_only():
    text = ("The White House on Wednesday said it has new intelligence. Late last year, officials said. "
            "An 18-month investigation ended. He may go.")
    found = {d.text: d.value for d in find_dates(text, WEDNESDAY)}
    assert found == {"on Wednesday": "2023-09-06", "Late last year": "2022"}
    assert all(not d.resolved for d in find_dates(text))
