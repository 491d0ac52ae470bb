"""The two seed pages (clean copies in tests/data/brief) through build_brief."""
import json
from datetime import datetime, timezone

import pytest

from newsfuse.brief import build_brief, render_markdown, summarize
from newsfuse.config import BriefConfig
from newsfuse.nlp import supports, word_tokens
from newsfuse.records import Article

from ..conftest import TEST_DATA


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    rows = [json.loads(line) for line in (TEST_DATA / "brief" / "seeds-clean.jsonl").read_text().splitlines()]
    return [Article(id=r["id"], title=r["title"], text=r["text"], site=r["source"]) for r in rows]


@pytest.fixture(scope="module")
def brief(articles):
    return build_brief("seeds", articles)


def test_summary_cites_exactly_the_supporting_articles(brief, articles):
    assert brief.summary
    for cited in brief.summary:
        assert set(cited.sources) == {a.id for a in articles if supports(cited.text, a.text)}, cited.text
    assert any(len(c.sources) == 2 for c in brief.summary)


def test_summary_within_budget(brief):
    assert sum(len(word_tokens(c.text)) for c in brief.summary) <= BriefConfig().words


def test_unique_passages(brief):
    seed000 = " ".join(u.text for u in brief.unique if u.source == "seed000")
    seed002 = " ".join(u.text for u in brief.unique if u.source == "seed002")
    assert "Air defense forces said they shot down 28 Russian cruise missiles" in seed000
    assert "more at the surface level" in seed002


def test_podalyak_quote(brief):
    quote = next(q for q in brief.quotes if q.text.startswith("The war is increasingly"))
    assert quote.text == "The war is increasingly moving to Russia’s territory and it cannot be stopped"
    assert quote.speaker == "Mykhailo Podalyak"
    assert quote.sources == ("seed000",)


def test_entities_merged(brief, articles):
    by_name = {e.name: e for e in brief.entities}
    assert "Kim Jong Un" in by_name and "Vladimir Putin" in by_name
    assert "Kim" not in by_name and "Putin" not in by_name
    assert "Putin" in by_name["Vladimir Putin"].variants  # the seed002 title says "Putin"
    counts = [e.count for e in brief.entities]
    assert counts == sorted(counts, reverse=True)


def test_timeline_resolves_with_published_date(articles):
    dated = [Article(id=a.id, title=a.title, text=a.text, published=datetime(2023, 9, 6, tzinfo=timezone.utc))
             for a in articles]
    events = build_brief("seeds", dated).timeline
    assert ("2023-09-06", True) in {(e.date, e.resolved) for e in events}
    assert "2022" in {e.date for e in events}
    resolved = [e.date for e in events if e.resolved]
    assert resolved == sorted(resolved)


def test_summarize_signature(articles):
    cited = summarize(articles, 40)
    assert cited and sum(len(word_tokens(c.text)) for c in cited) <= 40


def test_render_markdown(brief, articles):
    text = render_markdown(brief, articles)
    assert text.startswith("# ")
    assert "[1][2]" in text
    assert "Mykhailo Podalyak" in text
    assert "## Sources" in text


def test_disagreement_on_numbers():
    a = Article(id="a", text="Air defense forces said they shot down 28 Russian cruise missiles overnight in Kyiv.")
    b = Article(id="b", text="Air defense forces said they shot down 30 Russian cruise missiles overnight in Kyiv.")
    [found] = build_brief("s", [a, b]).disagreements
    assert found.kind == "number"
    assert dict(found.claims) == {"a": "28 missiles", "b": "30 missiles"}


def test_empty_story():
    assert build_brief("empty", []).summary == ()


def test_disagreement_on_casualties_between_outlets():
    wire = Article(id="wire", site="Wire", text=(
        "KABUL, Afghanistan (AP) — A suicide bomber struck a crowded market in Kabul on Tuesday, killing at least 12 "
        "people and wounding 30 others, officials said.\n\nThe attack happened shortly after noon near the main "
        "mosque, according to the Interior Ministry spokesman. No group immediately claimed responsibility."))
    local = Article(id="local", site="Local", text=(
        "A suicide bombing at a busy Kabul market on Tuesday killed 19 people and wounded 30 others, police said.\n\n"
        "Witnesses described chaos as ambulances rushed to the scene. The Taliban condemned the attack."))
    [found] = build_brief("kabul", [wire, local]).disagreements
    assert found.kind == "number"
    assert dict(found.claims) == {"wire": "12 people", "local": "19 people"}  # the 30 wounded agree
    assert build_brief("kabul", [wire, local], {"local": "wire"}).disagreements == ()  # a copy is no second outlet
