"""Metadata from one parsed page, the boilerplate pass on scraped text, and a body printed twice."""
from __future__ import annotations

import lxml.html

from newsfuse.extract.boilerplate import drop_boilerplate
from newsfuse.extract.metadata import choose_title, read_metadata
from newsfuse.extract.repeats import drop_printed_twice

PARAGRAPHS = [f"Paragraph {i} of the report says the council approved the budget for schools and roads today."
              for i in range(12)]


def test_json_ld_and_byline():
    page = lxml.html.fromstring(
        '<html lang="en"><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": "Budget passes",'
        ' "datePublished": "2024-03-05T23:30:00-05:00", "publisher": {"name": "The Daily"}}</script></head>'
        "<body><h1>Budget passes</h1><p>By Jane Doe and John Roe</p><p>Text.</p></body></html>")
    lines = ["Budget passes", "By Jane Doe and John Roe", "Text."]
    found = read_metadata(page, visible=lines)
    assert (found.title, found.site, found.language) == ("Budget passes", "The Daily", "en")
    assert found.published.date().isoformat() == "2024-03-05"  # the day the page wrote, not shifted by the zone
    assert found.author == "Jane Doe and John Roe"


def test_title_prefers_the_visible_headline_that_agrees():
    assert choose_title(["Budget passes after debate"], ["Budget passes after debate | The Daily"]) == \
        "Budget passes after debate"
    assert choose_title(["Blog"], ["Packing Tips Guide - Travel Co"]) == "Packing Tips Guide"
    assert choose_title("Budget passes", []) == "Budget passes"  # a lone heading of a page declaring nothing


def test_title_skips_a_heading_naming_the_site():
    headings = ["Budget Travel With Gabby", "Budget Traveler's Guide To Travel Insurance", "Follow Me"]
    declared = ["Budget Traveler's Guide To Travel Insurance - Budget Travel With Gabby"]
    assert choose_title(headings, declared, ["Budget Travel With Gabby"]) == headings[1]
    # "Site: Headline" declared: the heading "Site" names the site even without og:site_name
    assert choose_title(["Engora Data Blog"], ["Small adventures with small language models",
                                               "Engora Data Blog: Small adventures with small language models"]) == \
        "Small adventures with small language models"


def test_title_needs_real_agreement_and_keeps_its_separators():
    declared = ["You Need to Download This! The Ultimate Wedding Planning Checklist"]
    assert choose_title(["First Steps", "Planning"], declared) == declared[0]  # one shared word is not agreement
    assert choose_title([], ["Best Movers in New York (2025) – Top Local & Long-Distance Movers | Checkpoint"]) == \
        "Best Movers in New York (2025) – Top Local & Long-Distance Movers"
    assert choose_title(["How to sleep through the night | Patient Education | Children's Hospital"], []) == \
        "How to sleep through the night"  # a heading loses short " | Section" tails


def test_title_repairs_mojibake_and_full_width():
    assert choose_title(["A DIY Investor\u00e2\u0080\u0099s Guide"], []) == "A DIY Investor\u2019s Guide"
    assert choose_title(["How Does Mapping Work\uff1f"], []) == "How Does Mapping Work?"
    assert choose_title(["Caf\u00e9 M\u00fcller reopens"], []) == "Caf\u00e9 M\u00fcller reopens"  # no mojibake


def test_boilerplate_keeps_the_article_region():
    page = ["Home", "News", "Sport", *PARAGRAPHS[:3], "A short heading", *PARAGRAPHS[3:], *["Link"] * 14,
            "Teaser for another story that is long enough to read as a sentence."]
    kept, dropped = drop_boilerplate(page)
    assert kept == [*PARAGRAPHS[:3], "A short heading", *PARAGRAPHS[3:]]
    assert "Home" in dropped and dropped[-1].startswith("Teaser")


def test_run_on_copy_goes_and_paragraphs_stay():
    kept, dropped = drop_printed_twice([*PARAGRAPHS, " ".join(PARAGRAPHS)])
    assert kept == PARAGRAPHS and len(dropped) == 1
