"""The line-level cleaner: each furniture class, glued sentences, repeats, a Latin-1 page, idempotence."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from newsfuse.extract import (AD_MARKER, COMMENT_PROMPT, COUNTER, FURNITURE, REMOVAL_REASONS, CleanedText,
                              classify_line, clean_text, split_glued, split_sentences, tidy_text)
from newsfuse.extract.repeats import printed_twice
from newsfuse.extract.textclean import COPY_SHARE, tidy_with_words

from ..conftest import TEST_DATA

BODY = ("The council approved the new budget on Tuesday after a long debate about school funding.\n\n"
        "Members voted eleven to four in favour, and the mayor said the plan would be reviewed next year.")


@pytest.mark.parametrize("line, reason", [
    ("Skip to content", FURNITURE), ("Watch on Demand", FURNITURE), ("NOWCAST vlog News at 10pm Weeknights", FURNITURE),
    ("Evening News at 6:30 p.m.", FURNITURE), ("Share this article", FURNITURE), ("Follow us on Facebook", FURNITURE),
    ("Subscribe to our newsletter", FURNITURE), ("Facebook Twitter Email", FURNITURE),
    ("We use cookies to improve your experience. Accept all", FURNITURE),
    ("© 2023 Hearst Television Inc. All rights reserved.", FURNITURE), ("Copyright 2024 The Daily", FURNITURE),
    ("Advertisement", AD_MARKER), ("ADVERTISEMENT", AD_MARKER), ("Story continues below advertisement", AD_MARKER),
    ("Leave A Reply", COMMENT_PROMPT), ("Your email address will not be published.", COMMENT_PROMPT),
    ("Required fields are marked *", COMMENT_PROMPT), ("12 Comments", COMMENT_PROMPT),
    ("0 136", COUNTER), ("***", COUNTER), ("1 / 12", COUNTER),
])
def test_furniture_classes(line, reason):
    assert classify_line(line) == reason


@pytest.mark.parametrize("line", [
    "The advertisement ran in three newspapers before the election.",
    "Share prices fell sharply on Monday.",
    "He said the cookies were baked at 10pm every weeknight for the market stall in the old town square.",
    "| 2013 | 13.1% |",
    "North Korea and Russia",
])
def test_content_lines_are_kept(line):
    assert classify_line(line) is None


def test_cleaner_removes_each_class_with_its_reason():
    page = ("The Daily\nSkip to content\nCouncil approves the budget after long debate\nAdvertisement\n" + BODY
            + "\n0 136\nShare this article\nLeave a Reply\nYour email address will not be published.\n"
            "© 2023 The Daily Example")
    cleaned = clean_text(page)
    assert cleaned.title == "Council approves the budget after long debate"
    assert cleaned.text == BODY
    reasons = [reason for reason, _ in cleaned.removed]
    assert {"header", "ad_marker", "counter", "furniture", "comment_prompt"} <= set(reasons)
    assert set(reasons) <= set(REMOVAL_REASONS)


@pytest.mark.parametrize("glued, split", [
    ("the Ukraine war.National Security Council", "the Ukraine war. National Security Council"),
    ('he said."The leaders met', 'he said." The leaders met'),
    ("really?Yes", "really? Yes"),
])
def test_glued_sentences_are_split(glued, split):
    assert split_glued(glued) == split


@pytest.mark.parametrize("text", ["the U.S.-led West", "the U.S. allegations", "the U.S.A", "e.g. this",
                                  "version 2.0Beta", "Dr.Smith"])
def test_abbreviations_are_not_split(text):
    assert split_glued(text) == text


def test_sentences_of_a_run_on_paragraph():
    assert split_sentences("It rained.Then it stopped. The U.S. team left.") == [
        "It rained.", "Then it stopped.", "The U.S. team left."]


def test_body_printed_twice_keeps_the_paragraphs():
    paragraphs = ["First sentence of the story is here.", "Second sentence of the story follows it.",
                  "Third sentence closes the story today."]
    run_on = "".join(paragraphs)
    cleaned = clean_text("A headline about the story\n" + run_on + "\n" + "\n".join(paragraphs))
    assert cleaned.text == "\n\n".join(paragraphs)
    assert cleaned.removed == (("repeated_block", run_on),)


def test_transcript_with_masking_is_dropped():
    transcript = ("Russia's list of friends might be dwindling on *** world stage, and the leader says he sees "
                  "himself holding hands with *** president.")
    cleaned = clean_text("A headline about the story\n" + transcript + "\n" + BODY)
    assert "***" not in cleaned.text and cleaned.text == BODY
    assert ("transcript", transcript) in cleaned.removed


def test_masking_inside_a_word_is_removed_not_the_line():
    cleaned = tidy_text("He called the plan a f***ing disaster in front of the whole council.")
    assert "***" not in cleaned.text and "disaster" in cleaned.text


def test_latin1_page():
    raw = (TEST_DATA / "extract" / "latin1_page.txt").read_bytes().decode("latin-1")
    cleaned = clean_text(raw)
    assert cleaned.title == "La fête de la ville attire des milliers de visiteurs à Genève"
    assert "Zürich" in cleaned.text and "Neuchâtel" in cleaned.text and "crêpes" in cleaned.text
    assert cleaned.text.startswith("Les organisateurs") and "©" not in cleaned.text
    assert "Genève" not in cleaned.text.splitlines()[0][:10]
    assert [r for r, _ in cleaned.removed].count("header") == 3


def test_empty_and_furniture_only():
    assert clean_text("") == CleanedText(None, "", ())
    assert clean_text("Advertisement\n\nSkip to content\n").text == ""


_WORDS = st.sampled_from("the council voted budget school mayor river bridge storm ferry harbour week plan "
                         "said new old report city north south police court".split())
_SENTENCE = st.lists(_WORDS, min_size=2, max_size=12).map(lambda w: " ".join(w).capitalize() + ".")
_HEADING = st.lists(_WORDS, min_size=1, max_size=8).map(lambda w: " ".join(w).title())
_FURNITURE = st.sampled_from(["Advertisement", "Skip to content", "Leave A Reply", "0 136", "Watch on Demand",
                              "Share this article", "*** the *** said the mayor of the city on the river today "
                              "after the storm"])
_PARAGRAPH = st.one_of(st.lists(_SENTENCE, min_size=1, max_size=5).map(" ".join),
                       st.lists(_SENTENCE, min_size=1, max_size=5).map("".join), _HEADING, _FURNITURE)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PARAGRAPH, min_size=0, max_size=12), st.sampled_from(["\n", "\n\n"]))
def test_cleaning_is_idempotent(paragraphs, separator):
    once = clean_text(separator.join(paragraphs))
    twice = clean_text(once.as_page())
    assert (twice.title, twice.text, twice.removed) == (once.title, once.text, ())
    assert "***" not in once.text


@settings(max_examples=200, deadline=None)
@given(st.lists(_PARAGRAPH, min_size=0, max_size=12))
def test_tidying_is_idempotent(paragraphs):
    once = tidy_text("\n".join(paragraphs))
    assert tidy_text(once.text).text == once.text


def test_extracted_text_keeps_legitimate_repeats_and_drops_a_copied_body():
    week = ["Warm up: 10 minutes of easy jogging and drills.", "Cool down: 10 minutes of easy jogging."]
    plan = [f"Week {i}" for i in range(1, 5)]
    lines = [x for heading in plan for x in (heading, f"Run {heading.lower()} intervals at tempo pace.", *week)]
    kept, _ = tidy_with_words("\n".join(lines), furniture=False)  # as after HTML extraction
    assert kept.text.split("\n\n") == lines  # the same lines in every week are the page's, not a copy
    body = [f"Paragraph {i} says the council approved the budget for schools, roads and the harbour." for i in range(5)]
    copied, words = tidy_with_words("\n".join([*body, "-", *body]), furniture=False)
    assert copied.text.split("\n\n") == [*body, "-"] and len(words) == len(re.findall(r"\w+", " ".join(body)))
    assert [r for r, _ in copied.removed] == ["repeated_block"] * 5


def test_near_copies_of_long_paragraphs_stay_after_extraction():
    offer = ("Receive {} off your purchase of three to five qualifying skincare products to create a custom set, "
             "valid online only while supplies last, not combinable with other offers, excluding gift cards, "
             "taxes and shipping, limit one per customer, and the company may modify or cancel the offer at any time.")
    lines = [offer.format(amount) for amount in ("20%", "25%", "30%")]
    assert tidy_with_words("\n".join(lines), furniture=False)[0].text.split("\n\n") == lines
    words = [re.findall(r"\w+", line.lower()) for line in lines]
    assert printed_twice(lines, words) != [True] * 3  # the scraped-text share (0.8) takes them for copies
    assert printed_twice(lines, words, share=COPY_SHARE) == [True] * 3
