"""Quotations and their speakers."""
from newsfuse.nlp import extract_quotes


def test_speaker_after_quote_with_apposition():
    text = ("“The war is increasingly moving to Russia’s territory and it cannot be stopped,” Mykhailo Podalyak, "
            "an aide to Ukrainian president Volodymyr Zelenskiy, wrote on social media.")
    [quote] = extract_quotes(text)
    assert quote.text == "The war is increasingly moving to Russia’s territory and it cannot be stopped"
    assert quote.speaker == "Mykhailo Podalyak"


def test_he_added_resolves_to_previous_speaker():
    text = ("National Security Council spokesman John Kirby detailed the finding.\n\n"
            "Kirby said that Russia is looking for additional artillery shells.\n\n"
            "He added that the letters were \"more at the surface level” but that talks were advancing.")
    [quote] = extract_quotes(text)
    assert quote.text == "more at the surface level"
    assert quote.speaker == "John Kirby"  # "He" -> Kirby -> the fullest name in the text


def test_he_said_after_quote():
    text = 'Senator Maria Lopez spoke on Monday. "We will not stop here," she said.'
    [quote] = extract_quotes(text)
    assert quote.speaker == "Maria Lopez"


def test_name_said_before_quote():
    text = 'Kirby said: "Russia is looking for additional artillery shells."'
    [quote] = extract_quotes(text)
    assert quote.speaker == "Kirby"


def test_scare_quotes_are_not_quotations():
    assert extract_quotes('North Korea blamed the “hegemonic policy” of the West.') == []


def test_unattributed_quote():
    [quote] = extract_quotes('The sign read "no entry after dark" in three languages.')
    assert quote.speaker is None
