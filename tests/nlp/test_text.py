"""Sentence splitting, word tokens and the citation support test."""
from hypothesis import given, strategies as st

from newsfuse.nlp import split_sentences, supports, trim_dateline, word_tokens


def test_glued_sentences_split():
    text = "as Russia looks to North Korea for munitions for the Ukraine war.National Security Council spokesman"
    assert split_sentences(text) == ["as Russia looks to North Korea for munitions for the Ukraine war.",
                                     "National Security Council spokesman"]


def test_never_merges_across_blank_lines():
    text = "A heading without a full stop\n\nThe body starts here. It goes on."
    assert split_sentences(text) == ["A heading without a full stop", "The body starts here.", "It goes on."]


def test_abbreviations_and_initials_do_not_split():
    text = "Mr. Smith met John F. Kennedy in the U.S. Senate. He left."
    assert split_sentences(text) == ["Mr. Smith met John F. Kennedy in the U.S. Senate.", "He left."]


def test_quote_close_ends_sentence():
    text = 'He added that the letters were "more at the surface level.” The leaders met.'
    assert split_sentences(text)[1] == "The leaders met."


def test_dateline_trimmed():
    assert trim_dateline("LONDON (AP) — Britain said on Monday that it would act.") == \
        "Britain said on Monday that it would act."
    assert trim_dateline("North Korea — which denies it — sold shells.") == "North Korea — which denies it — sold shells."


def test_word_tokens():
    assert word_tokens("U.S.-led West's") == ["u", "s", "led", "west", "s"]


def test_supports_definition():
    doc = "The White House said Russia is looking for artillery shells from North Korea."
    assert supports("Russia is looking for artillery shells.", doc)  # every trigram found
    assert not supports("Iran sold drones to Russia last year.", doc)
    assert not supports("", doc)  # no n-grams: coverage 0
    # unigram route: all words present in another order (no shared trigram)
    assert supports("shells artillery Russia Korea North", doc)


def test_supports_exact_arithmetic():
    doc = "one two three four five six"
    assert supports("one two three four nine", doc)  # c3 = 2/3 >= 0.5
    assert not supports("one two three nine ten", doc)  # c3 = 1/3, c1 = 3/5
    assert supports("one two four five six three seven", doc)  # c3 = 1/5, c1 = 6/7 >= 0.85
    assert not supports("one two four five six seven eight", doc)  # c3 = 1/5, c1 = 5/7


words = st.lists(st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True), min_size=1, max_size=30)


@given(before=words, sentence=words, after=words)
def test_supports_verbatim(before, sentence, after):
    text = " ".join(sentence) + "."
    document = " ".join(before) + ". " + text + " " + " ".join(after)
    assert supports(text, document)
