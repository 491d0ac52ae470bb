"""Date expressions in Spanish, French and Italian (nlp/date_words.py through find_dates): each phrase below is
found whole and resolved against the publication day; the English patterns found none of the non-numeric ones."""
from datetime import date

import pytest

from newsfuse.nlp import find_dates
from newsfuse.nlp.date_words import fold

PUBLISHED = date(2011, 3, 20)  # a Sunday

CASES = {
    "es": [("12 de marzo de 2011", "2011-03-12"), ("El lunes pasado", "2011-03-14"), ("ayer", "2011-03-19"),
           ("hace tres días", "2011-03-17"), ("en 2010", "2010"), ("año pasado", "2010"),
           ("1º de mayo", "2011-05-01"), ("en febrero", "2011-02"), ("15/03/2011", "2011-03-15"),
           ("mes pasado", "2011-02")],
    "fr": [("3 février", "2011-02-03"), ("1er mars 2011", "2011-03-01"), ("lundi dernier", "2011-03-14"),
           ("hier", "2011-03-19"), ("aujourd’hui", "2011-03-20"), ("il y a deux semaines", "2011-03-06"),
           ("l'an dernier", "2010"), ("en mars", "2011-03"), ("mercredi", "2011-03-16"), ("8 mai", "2011-05-08")],
    "it": [("5 aprile 2011", "2011-04-05"), ("lunedì scorso", "2011-03-14"), ("ieri", "2011-03-19"),
           ("tre giorni fa", "2011-03-17"), ("nel 2010", "2010"), ("a marzo", "2011-03"), ("l'anno scorso", "2010"),
           ("quest'anno", "2011"), ("1° maggio", "2011-05-01"), ("sabato", "2011-03-19"),
           ("2011-02-11", "2011-02-11")],
}


@pytest.mark.parametrize("language", sorted(CASES))
def test_phrases_found_and_resolved(language):
    text = ". ".join(f"Pasó {phrase} así" for phrase, _ in CASES[language])
    found = [(m.text, m.value) for m in find_dates(text, PUBLISHED, language=language)]
    assert found == CASES[language]


def test_words_that_look_like_english_months_are_not_dates():
    """"mar" (sea), "sept" (seven), "mars" and "mai" without a day, year or preposition."""
    assert find_dates("El mar estaba en calma.", PUBLISHED, language="es") == []
    assert find_dates("Sept personnes sont mortes; Mars est une planète.", PUBLISHED, language="fr") == []


def test_fold_keeps_every_offset():
    text = "Él llegó aujourd’hui; E\u0301 stays; İstanbul"
    assert len(fold(text)) == len(text) and fold("Él aujourd’hui") == "el aujourd'hui"
