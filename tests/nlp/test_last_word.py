"""``text._last_word`` walks back from a sentence's final period; it must capture exactly what the regex it
replaced, ``([\\w.]+)\\.$`` searched in ``text[start:end]``, captures (None where that does not match)."""
import random
import re

from newsfuse.nlp.text import _last_word

REGEX = re.compile(r"([\w.]+)\.$")


def expected(text: str, start: int, end: int) -> str | None:
    match = REGEX.search(text[start:end])
    return match.group(1) if match else None


def test_cases_a_splitter_meets():
    for text in ["He left the U.S.", "Mr.", ".", "..", "a..", "end.\n", "end.\n\n", "x_y.", "état.", "٣٤.", "no period",
                 "two words.", "", "e.g.", "³.", "ǅ.", "a b .", "über.\n"]:
        for start in range(len(text) + 1):
            for end in range(start, len(text) + 1):
                assert _last_word(text, start, end) == expected(text, start, end), (text, start, end)


def test_random_strings():
    rng = random.Random(11)
    alphabet = "ab.Z_ 1\n'é٣-"
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        start = rng.randint(0, len(text))
        end = rng.randint(start, len(text))
        assert _last_word(text, start, end) == expected(text, start, end), (text, start, end)
