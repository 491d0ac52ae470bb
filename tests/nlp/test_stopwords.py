"""Stop words per language (nlp/stopwords.py): English keeps scikit-learn's list, other languages spaCy's."""
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from newsfuse.nlp.stopwords import stop_words


def test_english_and_unknown_languages_keep_the_english_list():
    assert stop_words() is ENGLISH_STOP_WORDS
    assert stop_words(["en", "en-GB", None, "und"]) is ENGLISH_STOP_WORDS
    assert stop_words(["tlh"]) is ENGLISH_STOP_WORDS  # no list in spaCy for this language


def test_each_language_its_own_list_and_a_mix_their_union():
    french, spanish = stop_words(["fr-CA"]), stop_words(["es"])
    assert {"de", "la", "les", "une"} <= french and "paris" not in french and "les" not in ENGLISH_STOP_WORDS
    assert {"el", "los", "una"} <= spanish and "the" not in spanish
    assert stop_words(["en", "fr"]) == ENGLISH_STOP_WORDS | french
