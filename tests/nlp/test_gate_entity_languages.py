"""Gate (issue #24): entities in French, Spanish and Italian news, by the recogniser newsfuse uses for each
language (nlp/model.py: French by the French pipeline, the others by the English one), beside the English pipeline
on the same text (the yardstick: what newsfuse did before it read French with a French model).

Gold: tests/data/entities/crisis-names.json, the names (people, organisations, places) a person marked in the
opening 70 words of 32 crisis.jsonl articles (20 French, 6 Spanish, 6 Italian). Scored per language as sets of
names per paragraph (case and surrounding punctuation ignored): precision, recall and F1 of the names found by
``entity_mentions`` (the PERSON, ORG, GPE and LOC mentions a brief lists). Floor in tests/floors.toml
[multilingual]; the Spanish and Italian figures are printed (no pipeline of their own: see docs/languages.md).
"""
from __future__ import annotations

import json

import pytest

from newsfuse.nlp import entity_mentions

from ..conftest import DATA, TEST_DATA, shared_or_fail

WORDS = 70


def _paragraph(text: str) -> str:
    first = next(p for p in text.split("\n") if len(p.split()) >= 25)
    return " ".join(first.split()[:WORDS])


def _norm(name: str) -> str:
    return name.strip(" .,;:\"'«»“”").lower()


@pytest.fixture(scope="module")
def labelled() -> list[tuple[str, str, list[set[str]]]]:
    """(language, paragraph, gold names as sets of accepted readings) per labelled article."""
    gold = json.loads((TEST_DATA / "entities" / "crisis-names.json").read_text(encoding="utf-8"))["names"]
    rows = {}
    for line in shared_or_fail(DATA / "multilingual" / "crisis.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["id"] in gold:
            rows[row["id"]] = row
    assert set(rows) == set(gold), "every labelled article is in crisis.jsonl"
    return [(rows[i]["language"], _paragraph(rows[i]["text"]), [{_norm(x) for x in name.split("|")} for name in names])
            for i, names in gold.items()]


def names(reader_language: str | None = None):
    """A reader: the names ``entity_mentions`` finds in a paragraph, read as ``reader_language`` (None: as the
    paragraph's own language)."""
    def read(paragraph: str, language: str) -> set[str]:
        return {_norm(m.name) for m in entity_mentions(paragraph, language=reader_language or language)}
    return read


def score(cases, read) -> dict[str, tuple[float, float, float]]:
    """Per language: P, R, F1 of the names ``read(paragraph, language)`` finds."""
    tally: dict[str, list[int]] = {}
    for language, paragraph, gold in cases:
        found = read(paragraph, language)
        counts = tally.setdefault(language, [0, 0, 0, 0])
        counts[0] += sum(1 for name in found if any(name in readings for readings in gold))  # right names found
        counts[1] += len(found)
        counts[2] += sum(1 for readings in gold if readings & found)  # gold names found
        counts[3] += len(gold)
    out = {}
    for language, (right, found, hit, total) in tally.items():
        p, r = right / found if found else 0.0, hit / total if total else 1.0
        out[language] = (p, r, 2 * p * r / (p + r) if p + r else 0.0)
    return out


@pytest.mark.gate
def test_gate_french_entities(labelled, floors):
    own, english = score(labelled, names()), score(labelled, names("en"))
    for language in sorted(own):
        (p, r, f), (ep, er, ef) = own[language], english[language]
        print(f"entities {language}: newsfuse P/R/F1 {p:.3f}/{r:.3f}/{f:.3f}; English pipeline {ep:.3f}/{er:.3f}/{ef:.3f}")
    assert own["fr"][2] >= floors["multilingual"]["french_entities_f1_floor"]
    assert own["fr"][2] > english["fr"][2], "the French pipeline reads French better than the English one"
    for language in ("es", "it"):  # no pipeline of their own: read by the English one, as before
        assert own[language] == english[language]


def test_score_counts_wrong_and_missed_names():
    cases = [("fr", "...", [{"emmanuel macron"}, {"lyon", "la ville de lyon"}]), ("es", "...", [{"madrid"}])]
    found = {"fr": {"emmanuel macron", "marseille"}, "es": set()}
    out = score(cases, lambda paragraph, language: found[language])
    assert out["fr"] == (0.5, 0.5, 0.5) and out["es"] == (0.0, 0.0, 0.0)
