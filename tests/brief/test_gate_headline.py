"""The story headline: the most central original title (#21).

Gate: on the 100 BASIL events of events-dated (three outlets each, an editor's one-line description of the event
in ``event_name``), the chosen headline's content words cover more of the description, on average, than the
founding (earliest) article's title does. Floors in tests/floors.toml [brief]."""
import json
import re
from collections import defaultdict
from datetime import datetime, timezone

import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from newsfuse.brief import choose_headline
from newsfuse.records import Article

from ..conftest import DATA, shared_or_fail

_WORD = re.compile(r"\w+")


def words(text: str | None) -> set[str]:
    return {w for w in _WORD.findall((text or "").lower()) if w not in ENGLISH_STOP_WORDS}


def coverage(title: str | None, description: str) -> float:
    wanted = words(description)
    return len(words(title) & wanted) / len(wanted) if wanted else 0.0


def article(id: str, title: str, day: int = 1) -> Article:
    return Article(id=id, title=title, text=title + ".", published=datetime(2024, 1, day, tzinfo=timezone.utc))


def test_the_most_central_original_title_wins_and_copies_do_not_vote():
    story = [article("a", "Mayor opens harbour bridge", 1), article("b", "Harbour bridge opens to traffic", 2),
             article("c", "Harbour bridge opens after two years", 3)]
    assert choose_headline(story, []) == "Harbour bridge opens to traffic"
    copy = article("d", "Mayor opens harbour bridge early", 4)
    assert choose_headline(story + [copy], [], {"d": "a"}) == "Harbour bridge opens to traffic"
    only_copies = [article("e", "Copied title", 1)]
    assert choose_headline(only_copies, [], {"e": "x"}) == "Copied title"


@pytest.mark.gate
def test_gate_headline_covers_the_event_at_least_as_the_founding_title(floors):
    rows = [json.loads(line) for line in shared_or_fail(DATA / "stories" / "events-dated.jsonl").read_text()
            .splitlines()]
    events: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        if row["set"] == "basil":
            events[row["event"]].append(row)
    chosen = founding = 0.0
    for members in events.values():
        members.sort(key=lambda r: (r["published"], r["id"]))
        story = [Article(id=r["id"], title=r["title"], text=r["text"]) for r in members]
        description = members[0]["event_name"]
        chosen += coverage(choose_headline(story, []), description)
        founding += coverage(members[0]["title"], description)
    chosen, founding = chosen / len(events), founding / len(events)
    print(f"BASIL, {len(events)} events: headline covers {chosen:.3f} of the event description's words, the "
          f"founding title {founding:.3f}")
    assert chosen >= founding
    assert chosen >= floors["brief"]["headline_event_coverage_floor"]
