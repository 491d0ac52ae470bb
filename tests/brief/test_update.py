"""What is new in a story (``newsfuse brief STORY --since 1d``): the window's articles, summarised without what
earlier articles already stated, every sentence cited to the window's articles only."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from newsfuse.api import parse_since
from newsfuse.brief.update import update_brief, window_start
from newsfuse.errors import ConfigError
from newsfuse.nlp import supports
from newsfuse.records import Article

from ..cli.test_end_to_end import newsfuse
from ..conftest import DATA, shared_or_fail


def day(n: int) -> datetime:
    return datetime(2024, 3, n, 12, tzinfo=timezone.utc)


def test_only_what_earlier_articles_did_not_say():
    old = "The harbour bridge closed on Monday after inspectors found cracks in two of its main cables."
    new = "Engineers said on Wednesday that the repairs to the cables would take at least six weeks to finish."
    story = [Article(id="a", text=old, published=day(4)),
             Article(id="b", text=f"{old} {new}", published=day(6))]
    brief, window = update_brief("s", story, timedelta(days=1))
    assert [a.id for a in window] == ["b"]
    assert [c.text for c in brief.summary] == [new] and brief.summary[0].sources == ("b",)
    everything, window = update_brief("s", story, datetime(2024, 3, 1))
    assert len(window) == 2 and old in [c.text for c in everything.summary]


def test_articles_without_a_publication_time_are_placed_by_when_they_were_stored():
    story = [Article(id="a", text="x"), Article(id="b", text="y", published=day(2))]
    assert window_start(story, timedelta(days=1), {"a": day(9)}) == day(8) + timedelta(microseconds=1)
    assert window_start(story, timedelta(days=1)) == day(1) + timedelta(microseconds=1)
    assert window_start([Article(id="c", text="z")], timedelta(days=1)) is None


def test_since_takes_durations_and_iso_dates():
    assert parse_since("12h") == timedelta(hours=12) and parse_since("2w") == timedelta(weeks=2)
    assert parse_since("1d") == timedelta(days=1)
    assert parse_since("2024-05-01") == datetime(2024, 5, 1, tzinfo=timezone.utc)
    with pytest.raises(ConfigError, match="duration"):
        parse_since("yesterday")


def bp_spill(last: str) -> list[Article]:
    """Timeline17's BP oil spill articles (every outlet) from the blowout to ``last``, oldest first."""
    rows = [json.loads(line) for line in shared_or_fail(DATA / "stories" / "timeline17" / "articles.jsonl")
            .read_text(encoding="utf-8").splitlines()]
    return [Article(id=r["id"], title=None, text=r["text"], published=datetime.fromisoformat(r["published"]))
            for r in rows if r["storyline"] == "bpoil" and "2010-04-20" <= r["published"] <= last]


def test_a_day_of_a_long_running_story_on_timeline17():
    story = bp_spill("2010-04-27")
    brief, window = update_brief("bp", story, timedelta(days=1))
    assert {a.published.date().isoformat() for a in window} == {"2010-04-27"} and len(window) == 6
    earlier = [a for a in story if a not in window]
    texts = {a.id: a.text for a in story}
    assert brief.summary
    for cited in brief.summary:
        assert set(cited.sources) <= {a.id for a in window}
        assert all(supports(cited.text, texts[s]) for s in cited.sources)
        assert not any(supports(cited.text, a.text) for a in earlier)
    assert all(e.date >= "2010-04-27"[:len(e.date)] for e in brief.timeline)


def test_cli_brief_since_a_day(tmp_path):
    articles = tmp_path / "bp.jsonl"
    articles.write_text("".join(json.dumps({"id": a.id, "text": a.text, "published": a.published.isoformat(),
                                            "url": f"https://news.example/{a.id}"}) + "\n"
                                for a in bp_spill("2010-04-22")))
    db = str(tmp_path / "bp.db")
    newsfuse("run", str(articles), "--db", db, "--workers", "1")
    out = newsfuse("brief", "--all", "--since", "1d", "--format", "json", "--db", db).stdout
    briefs = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert briefs and any(b["summary"] for b in briefs)
