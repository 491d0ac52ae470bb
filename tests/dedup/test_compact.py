"""The compact index: Elias-Fano shingle sets, the article table, state versions 3/2/1, memory per article."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from newsfuse.dedup import Deduplicator, Fingerprint, shingle_hashes
from newsfuse.dedup import eliasfano
from newsfuse.dedup.bands import MISS, BandIndex, band_limits
from newsfuse.dedup.shingles import word_bytes, words
from newsfuse.dedup.state import _HEADER, MAGIC_V2, RELATIONS, _pack24, cut_hashes
from newsfuse.dedup.table import ArticleTable, KeyTable
from newsfuse.errors import InputError

from .test_dedup import art, text_of, tweak, wikiref  # noqa: F401 (fixture)


@settings(max_examples=200, deadline=None)
@given(st.sets(st.integers(0, 2**24 - 1), max_size=3000))
def test_elias_fano_round_trip(values):
    array = np.array(sorted(values), dtype=np.uint32)
    coded = eliasfano.encode(array)
    assert len(coded) == eliasfano.encoded_size(len(array))
    assert eliasfano.decode(coded, len(array)).tolist() == array.tolist()


@pytest.mark.parametrize("count", [1, 2, 255, 256, 257, 1 << 16, 1 << 18])
def test_elias_fano_edges_and_size(count):
    rng = np.random.default_rng(count)
    array = np.unique(np.append(rng.integers(0, 1 << 24, count), (1 << 24) - 1)).astype(np.uint32)
    coded = eliasfano.encode(array)
    assert np.array_equal(eliasfano.decode(coded, len(array)), array)
    # within 3 bits per value of log2(2**24 / n): 500 values take ~17 bits each, not 24
    assert len(coded) * 8 <= len(array) * (np.log2(2**24 / len(array)) + 3) + 16


def test_elias_fano_rejects_a_blob_with_too_few_values():
    coded = eliasfano.encode(np.arange(0, 5000, 10, dtype=np.uint32))
    with pytest.raises(ValueError, match="holds"):
        eliasfano.decode(bytes(len(coded)), 500)


def test_key_table_grows_and_keeps_every_entry():
    table, rng = KeyTable(capacity=8), np.random.default_rng(3)
    keys = rng.integers(0, 2**63, 5000).tolist() + [12345] * 3  # one key under three rows
    for row, key in enumerate(keys):
        table.add(key, row)
    assert table.count == len(keys) and len(table._keys) >= 2 * len(keys)
    assert all(table.find(key) == [row] for row, key in enumerate(keys[:5000]))
    assert sorted(table.find(12345)) == [5000, 5001, 5002]
    assert table.find(7) == []


def test_article_table_rows_ids_and_urls():
    table = ArticleTable()
    ids = ["a", "é-ünïcode", "surrogate-\udcff", "", "b" * 300]
    for at, article_id in enumerate(ids):
        table.append(article_id, url_key=99 if at in (1, 3) else 0, text_key=at, published=at,
                     shingles=np.arange(at * 10, dtype=np.uint32))
    assert [table.row(i) for i in ids] == [0, 1, 2, 3, 4] and table.row("c") is None
    assert [table.article_id(r) for r in range(5)] == ids
    assert table.first_with_url(99) == 1 and table.first_with_url(98) is None
    assert table.shingles(4).tolist() == list(range(40))


def _v2(fp: Fingerprint) -> bytes:
    """State as version 2 wrote it (3 bytes a hash)."""
    root = (fp.original or "").encode()
    return _HEADER.pack(MAGIC_V2, fp.shingle_words, RELATIONS.index(fp.relation), fp.similarity, fp.url_key,
                        fp.text_key, fp.published, len(fp.shingles), len(root)) + root + _pack24(fp.shingles)


def test_version_2_state_still_loads_and_keeps_its_lineage(wikiref):
    text = text_of(wikiref, "ParisAttacks2015 (5)")
    first = Deduplicator()
    first.add(art("orig", text))
    first.add(art("copy", tweak(text), 1))
    old = {i: _v2(Fingerprint.from_bytes(first.export_state(i))) for i in ("orig", "copy")}
    assert Fingerprint.from_bytes(old["copy"]).to_bytes() == first.export_state("copy")
    fresh = Deduplicator()
    assert fresh.load(old.items()) == 2
    assert fresh.link("copy") == first.link("copy")
    assert fresh.add(art("again", tweak(text, offset=3), 2)).duplicate_of == "orig"
    assert fresh.export_state("orig") == first.export_state("orig")  # version 3 from here on
    with pytest.raises(InputError, match="bad_dedup_state"):
        Fingerprint.from_bytes(old["orig"][:-1], "x")


def test_state_is_elias_fano_coded(wikiref):
    text = text_of(wikiref, "ParisAttacks2015 (5)")
    dedup = Deduplicator()
    dedup.add(art("orig", text))
    data, shingles = dedup.export_state("orig"), cut_hashes(shingle_hashes(text, 5))
    assert data[:4] == b"NFD3" and len(data) == 40 + eliasfano.encoded_size(len(shingles))
    assert len(data) < 40 + 2.5 * len(shingles)  # version 2 took 3 bytes a shingle
    with pytest.raises(InputError, match="bad_dedup_state"):
        Fingerprint.from_bytes(data[:40] + bytes(len(data) - 40), "zeroed")  # no high bits: corrupt


def test_a_copy_stored_before_its_original_is_linked_on_load(wikiref):
    text = text_of(wikiref, "michelle.obama.127")
    first = Deduplicator()
    first.add(art("b", tweak(text), 5))
    first.add(art("c", tweak(text, offset=3), 6))
    first.add(art("a", text, 1))  # older: the group re-points to it
    assert {d.id: d.duplicate_of for d in first.repointed()} == {"a": None, "b": "a", "c": "a"}
    stored = [(i, first.export_state(i)) for i in ("b", "c", "a")]  # the store's order after re-pointing
    fresh = Deduplicator()
    fresh.load(stored)
    assert [fresh.link(i) for i in "abc"] == [first.link(i) for i in "abc"]
    fresh.add(art("z", text, 0))  # older still: the whole loaded group re-points
    assert {d.id: d.duplicate_of for d in fresh.repointed()} == {"z": None, "a": "z", "b": "z", "c": "z"}


def test_a_copy_whose_original_was_never_stored_keeps_its_link(wikiref):
    text = text_of(wikiref, "michelle.obama.127")
    first = Deduplicator()
    first.add(art("a", text, 1))
    first.add(art("b", tweak(text), 5))
    fresh = Deduplicator()
    fresh.load([("b", first.export_state("b"))])
    assert fresh.link("b").duplicate_of == "a"
    link = fresh.add(art("c", tweak(text, offset=3), 6))
    assert (link.duplicate_of, link.relation) == ("a", "near")
    assert fresh.add(art("d", text, 0)).duplicate_of == "a"  # the missing original cannot be re-pointed


def test_index_memory_per_article(wikiref):
    """Arrays of the index (article table and band runs) per 500-word article, the buffer flushed: the
    roadmap's 2 KB. RSS growth at scale is measured by bench/dedup.py --million."""
    words = " ".join(row["text"] for row in wikiref.values()).split()
    dedup, n = Deduplicator(), 1000
    for i in range(n):
        start = (i * 997) % (len(words) - 500)
        dedup.add(art(f"{i:016x}", " ".join(words[start:start + 500])))
    dedup._bands.flush()
    assert dedup._bands.nbytes() == 8 * 64 * n
    assert dedup.nbytes() / n < 1800


def test_band_index_finds_shared_keys_in_buffer_and_runs():
    index = BandIndex()
    keys = np.arange(64, dtype=np.uint32) * 7
    index.insert(0, keys)
    index.flush()
    index.insert(1, keys + 1)
    index.insert(2, keys)
    index.insert_many(np.array([3, 4], dtype=np.uint64), np.stack([keys, keys + 2]))
    assert index.query(keys) == {0, 2, 3} and index.query(keys[:1] + 2) == {4}
    assert index.query(np.array([2**32 - 1], dtype=np.uint32)) == set()


def test_band_index_counts_the_keys_each_article_shares():
    index, keys = BandIndex(), np.arange(64, dtype=np.uint32) * 5
    index.insert(0, keys)
    index.flush()
    index.insert(1, np.where(np.arange(64) < 3, keys, keys + 1))
    index.insert(2, keys + 1)
    positions, counts = index.shared(keys, then_insert=3)
    assert positions.tolist() == [0, 1] and counts.tolist() == [64, 3]
    assert index.shared(keys[:2])[1].tolist() == [2, 2, 2]


def test_band_limits_mark_the_counts_a_pair_at_the_threshold_reaches_but_for_a_chance_of_miss():
    limits, bands = band_limits(64), 64
    assert np.all(np.diff(limits) > 0) and limits[-1] == np.inf
    for count in (0, 1, 2, 10):
        p = limits[count]
        at_most = sum(math.comb(bands, k) * p**k * (1 - p) ** (bands - k) for k in range(count + 1))
        assert at_most == pytest.approx(MISS, rel=1e-6)
    # two 500-shingle articles can be linked from Jaccard 0.43 (containment 0.6): 1 or 2 shared bands are unlikely
    assert limits[2] <= 0.43**2 < limits[3]


def test_a_recurring_sentence_is_not_verified_but_a_copy_of_the_same_size_is_linked(wikiref, monkeypatch):
    words = " ".join(row["text"] for row in wikiref.values()).split()
    sentence = " ".join(words[:25])
    dedup, verified = Deduplicator(), []
    check = dedup._verify
    monkeypatch.setattr(dedup, "_verify", lambda new, old: verified.append(1) or check(new, old))
    for i in range(200):  # 200 articles of ~500 words, each carrying the sentence once
        start = 1000 + i * 600
        dedup.add(art(f"s{i:03d}", sentence + " " + " ".join(words[start:start + 475]), hours=i))
    assert dedup.counts["original"] == 200 and len(verified) < 20
    start, verified[:] = 1000 + 7 * 600, []
    copy = " ".join(words[start:start + 330]) + " " + " ".join(words[150_000:150_170])  # 66% of s007
    assert dedup.add(art("copy", copy, hours=300)).duplicate_of == "s007" and len(verified) < 5


def test_query_then_insert_sees_only_earlier_articles_and_indexes_the_new_one():
    index, keys = BandIndex(), np.arange(64, dtype=np.uint32) * 3
    assert index.query(keys, then_insert=0) == set()
    assert index.query(keys, then_insert=1) == {0}
    index.flush()
    assert index.query(keys[:5], then_insert=2) == {0, 1}
    assert index.query(keys[3:4]) == {0, 1, 2} and len(index) == 3


_TRICKY = "aZ_9 \t\n.,'-’“”—–£€•éÉßİıﬁ①½٣\u00a0\u2003\u200b\u0301ǅ𝐀Ⅻ中文\U0001f600"


@given(st.text(alphabet=st.sampled_from(_TRICKY), max_size=30) | st.text(max_size=30))
def test_word_bytes_are_exactly_the_regex_words(text):
    assert word_bytes(text) == [w.encode("utf-8") for w in words(text)]


def test_word_bytes_on_news_text(wikiref):
    for row in wikiref.values():
        assert word_bytes(row["text"]) == [w.encode("utf-8") for w in words(row["text"])]
