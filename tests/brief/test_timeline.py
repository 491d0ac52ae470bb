"""The date-wise timeline (brief/timeline.py) on small cases; tests/brief/test_gate_timeline.py scores it."""
from datetime import datetime, timezone

from newsfuse.brief.timeline import build_timeline, dated_sentences, rank_dates
from newsfuse.records import Article


def article(id: str, text: str, day: int) -> Article:
    return Article(id=id, text=text, published=datetime(2024, 3, day, 9, tzinfo=timezone.utc))


def test_a_day_still_named_later_outranks_one_named_that_evening():
    story = [article("a", "The dam burst on March 2, flooding the valley below the town of Elm.", 2),
             article("b", "Talks on new rules are due to open on March 20 in the capital city.", 3),
             article("c", "Rescuers said on Monday the town was still cut off since the dam burst on March 2.", 11),
             article("d", "The mayor met ministers on March 10 about the cost of repairing the dam and roads.", 10)]
    ranked = dict(rank_dates(dated_sentences(story), days_only=True))
    assert max(ranked, key=ranked.get) == "2024-03-02"  # named twice, once nine days on
    assert "2024-03-20" not in ranked  # only named ahead of time: a plan, not an event
    assert ranked["2024-03-10"] > 1  # named on its day by an article published that day counts twice


def test_each_entry_is_a_sentence_naming_its_date_cited_to_every_article_that_states_it():
    text = "Police closed the old harbour bridge on Tuesday after divers found cracks in a pillar."
    story = [article("a", text, 6), article("b", text + " Traffic moved to the ring road.", 7),
             article("c", "Engineers said in 2022 that the bridge needed repairs within five years.", 7)]
    events = build_timeline(story, dates=5)
    by_date = {e.date: e for e in events}
    assert by_date["2024-03-05"].text == text and by_date["2024-03-05"].phrase == "on Tuesday"
    assert by_date["2024-03-05"].sources == ("a", "b")
    assert "2022" in by_date and [e.date for e in events] == sorted(e.date for e in events)
    assert all(len(e.date) == 10 for e in build_timeline(story, dates=5, days_only=True))
