"""The faster scans give exactly what the plain regexes they replace give, on random texts built to hit their edges:
``_echoes`` (``str.find`` instead of one alternation of the names per article) and the dates' lowered pattern (with
its filter on a match's first two letters)."""
import random
import re
from collections import Counter, defaultdict

from newsfuse.nlp import dates, entities
from newsfuse.nlp.entities import Mention
from newsfuse.nlp.model import MAX_CHARS
from newsfuse.nlp.text import paragraph_spans


def _regex_echoes(text, paragraphs, mentions):
    labels = defaultdict(Counter)
    for m in mentions:
        labels[m.name][m.label] += 1
    pattern = re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(n) for n in sorted(labels, key=len, reverse=True))
                         + r")(?![\w])")
    found = []
    for i, (start, end) in enumerate(paragraph_spans(text[:MAX_CHARS])):
        if i not in paragraphs:
            found += [Mention(m.group(), labels[m.group()].most_common(1)[0][0], m.start(), m.end())
                      for m in pattern.finditer(text, start, end)]
    return found


def test_echoes_match_the_alternation():
    rng = random.Random(1)
    pieces = ["Ab", "Ab C", "C", "Ab Cd", ".", " ", "\n\n", "x", "É", "é", "_", "1", "-", "Cd", "b", "A.B.", "A.B"]
    names = ["Ab", "Ab C", "C", "Ab Cd", "Cd", "A.B.", "A.B", "b É", "Éx", "Ab C Ab"]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))
        chosen = {rng.choice(names) for _ in range(rng.randint(1, 5))}
        mentions = [Mention(n, rng.choice(["PERSON", "ORG"]), 0, 1) for n in chosen for _ in range(rng.randint(1, 2))]
        read = set(rng.sample(range(6), rng.randint(0, 4)))
        assert entities._echoes(text, read, mentions) == _regex_echoes(text, read, mentions), (text, chosen, read)


def test_date_scan_matches_the_plain_lowered_pattern():
    plain = re.compile(dates._PATTERN.pattern.lower())
    words = """january february march april may june july august september october november december jan feb mar apr
    jun jul aug sept sep oct nov dec monday tuesday wednesday thursday friday saturday sunday on in since by of late
    early earlier later mid mid- last this next past year month week yesterday today tomorrow tonight a an one two
    three four five six seven eight nine ten day days weeks months years ago 1 12 2019 2020-01-02 1999 st nd th rd ,
    . - x the said 5th""".split()
    rng = random.Random(2)
    for _ in range(20000):
        text = "".join(rng.choice(words) + rng.choice([" ", "  ", "\n", "", ",", ".", "-", "é", "_"])
                       for _ in range(rng.randint(1, 12))).lower()
        spans = [m.span() for m in dates._LOWER_PATTERN.finditer(text)]
        assert spans == [m.span() for m in plain.finditer(text)], text
