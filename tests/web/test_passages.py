"""The passage finder (web/passages.py) against the plain one it replaces, on real prose: the AllSides roundups
(three outlets' accounts of one event) and the multilingual crisis articles (non-ASCII text, its own lowering)."""
from __future__ import annotations

import json
import random

import pytest

from newsfuse.web import passages
from newsfuse.web.passages import Passage, best_passage, sentences

from ..conftest import DATA, shared_or_fail


def reference_passage(claim: str, text: str) -> Passage | None:
    """The finder as it was before articles were analysed once: every sentence tokenised for every claim."""
    def words(part: str) -> frozenset[str]:
        found = {t.lower() for t in passages._TOKEN.findall(part)}
        return frozenset((found - passages._STOP) or found)

    wanted = words(claim)
    candidates = sentences(text)
    if not wanted or not candidates:
        return None
    sets = [words(s) for s in candidates]
    scores = [passages._overlap(wanted, s) for s in sets]
    best = max(range(len(candidates)), key=lambda i: (scores[i], -i))
    if scores[best] == 0:
        return None
    start, end = passages._widen(wanted, sets, best, scores[best])
    cover = len(wanted & frozenset().union(*sets[start:end + 1])) / len(wanted)
    return Passage(start, end, " ".join(candidates[start:end + 1]), round(cover, 3))


def claims(text: str, rng: random.Random) -> list[str]:
    """Each sentence as an extractive summary copies it, two neighbours run together, a cut half, a reworded one."""
    found = list(sentences(text))
    if len(found) > 12:
        start = rng.randrange(len(found) - 11)
        found = found[start:start + 12]
    out = found + [f"{a} {b}" for a, b in zip(found, found[1:])]
    for sentence in found:
        words = sentence.split()
        out.append(" ".join(words[:max(1, len(words) // 2)]))
        out.append(" ".join(rng.sample(words, len(words))).upper())
    return out


def roundups() -> list[list[str]]:
    path = shared_or_fail(DATA / "stories" / "allsides-roundups.jsonl")
    return [[d["text"] for d in json.loads(line)["docs"] if d.get("text")]
            for line in path.read_text(encoding="utf-8").splitlines()[::3]]


def crisis_stories(count: int = 6) -> list[list[str]]:
    path = shared_or_fail(DATA / "multilingual" / "crisis.jsonl")
    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()[::50][:count * 3]]
    return [texts[i:i + 3] for i in range(0, len(texts) - 2, 3)]


@pytest.mark.parametrize("stories", [roundups, crisis_stories], ids=["allsides", "crisis"])
def test_same_passages_as_the_plain_finder(stories):
    rng = random.Random(23)
    compared = verbatim = 0
    for texts in stories():
        for source in texts:
            for claim in claims(source, rng):
                for text in texts:
                    assert best_passage(claim, text) == reference_passage(claim, text), (claim, text[:200])
                    compared += 1
                    verbatim += claim in sentences(text)
    assert compared > 2_000 and verbatim > 150, (compared, verbatim)


def test_a_repeated_sentence_cites_its_first_copy():
    text = "Rain fell on Monday.\nThe council met on Tuesday. Rain fell on Monday!\nRain, fell on monday."
    assert best_passage("Rain fell on Monday.", text) == Passage(0, 0, "Rain fell on Monday.", 1.0)
    assert reference_passage("rain FELL on Monday", text) == best_passage("rain FELL on Monday", text)
