"""Lineage: the earliest article is the original, late older arrivals re-point the group; what copies add."""
import numpy as np

from newsfuse.dedup import Deduplicator, Fingerprint, added_passages, find_duplicates
from newsfuse.dedup.state import _HEADER_V1, cut_hashes

from .test_dedup import FURNITURE, art, embedding, text_of, tweak, wikiref  # noqa: F401 (fixture)


def test_older_article_arriving_late_becomes_the_original(wikiref):
    text = text_of(wikiref, "malaysia.airlines.flight.34")
    dedup = Deduplicator()
    dedup.add(art("second", tweak(text), 5))
    dedup.add(art("third", FURNITURE.format(tweak(text, 90, 11)), 9))
    assert dedup.repointed() == []
    link = dedup.add(art("first", text, 1))
    assert (link.duplicate_of, link.relation) == (None, "original")
    changed = {d.id: (d.duplicate_of, d.relation) for d in dedup.repointed()}
    assert changed == {"first": (None, "original"), "second": ("first", "near"), "third": ("first", "contains")}
    assert dedup.repointed() == []
    assert dedup.link("second").duplicate_of == "first"
    assert dedup.add(art("fourth", tweak(text, 70, 5), 12)).duplicate_of == "first"
    assert sum(dedup.counts.values()) == 4 and dedup.counts["original"] == 1


def test_late_wire_story_that_is_older_becomes_the_original_of_the_article_embedding_it(wikiref):
    wire, local = embedding(wikiref)
    dedup = Deduplicator()
    dedup.add(art("local", local, 3))
    dedup.add(art("wire", wire, 1))
    assert (dedup.link("wire").duplicate_of, dedup.link("local").duplicate_of) == (None, "wire")
    assert dedup.link("local").relation == "contains"


def test_on_a_tie_the_contained_article_is_the_original(wikiref):
    wire, local = embedding(wikiref)
    # Same time: ids sort "a-local" first, so it arrives first; the wire it contains still becomes the original.
    links = {d.id: (d.duplicate_of, d.relation) for d in find_duplicates([art("a-local", local), art("z-wire", wire)])}
    assert links == {"a-local": ("z-wire", "contains"), "z-wire": (None, "original")}


def test_repointing_survives_a_state_round_trip(wikiref):
    text = text_of(wikiref, "michelle.obama.127")
    first = Deduplicator()
    first.add(art("b", tweak(text), 5))
    stored = [("b", first.export_state("b"))]
    fresh = Deduplicator()
    fresh.load(stored)
    fresh.add(art("a", text, 1))
    assert {d.id: d.duplicate_of for d in fresh.repointed()} == {"a": None, "b": "a"}


def test_version_1_state_still_loads(wikiref):
    text = text_of(wikiref, "ParisAttacks2015 (5)")
    from newsfuse.dedup import shingle_hashes

    full = shingle_hashes(text, 5)
    v1 = _HEADER_V1.pack(b"NFD1", 5, 0, 1.0, 0, 0, len(full), 0) + full.astype("<u4").tobytes()
    fp = Fingerprint.from_bytes(v1)
    assert np.array_equal(fp.shingles, cut_hashes(full))
    dedup = Deduplicator()
    dedup.load([("old", v1)])
    assert dedup.add(art("copy", tweak(text), 1)).duplicate_of == "old"


def test_added_passages_are_what_the_copy_adds(wikiref):
    wire, local = embedding(wikiref)
    added = added_passages(local, wire)
    assert " ".join(added).split() == local.replace(wire, " ").split()
    assert added_passages(wire, local) == []
    text = text_of(wikiref, "malaysia.airlines.flight.34")
    copy = "Advertisement\n" + tweak(text) + "\nIn a statement, the airline said it would cooperate fully."
    assert added_passages(copy, text) == ["Advertisement", "In a statement, the airline said it would cooperate fully."]
