"""Entity mentions and variant merging."""
from collections import Counter

from newsfuse.nlp import entity_mentions, merge_names


def test_merge_short_forms_and_spellings():
    counts = Counter({("Kim Jong Un", "PERSON"): 3, ("Kim", "PERSON"): 2, ("Vladimir Putin", "PERSON"): 2,
                      ("Putin", "PERSON"): 4, ("Mykhailo Podalyak", "PERSON"): 1, ("Podolyak", "PERSON"): 1,
                      ("National Rifle Association", "ORG"): 2, ("NRA", "ORG"): 5, ("Russia", "GPE"): 3})
    canon = merge_names(counts)
    assert canon["Kim"] == ("Kim Jong Un", "PERSON")
    assert canon["Putin"] == ("Vladimir Putin", "PERSON")
    assert canon["Podolyak"] == ("Mykhailo Podalyak", "PERSON")
    assert canon["NRA"] == ("National Rifle Association", "ORG")
    assert canon["Russia"] == ("Russia", "GPE")


def test_same_length_spellings_take_the_most_used():
    canon = merge_names(Counter({("Mykhailo Podolyak", "PERSON"): 3, ("Mykhailo Podalyak", "PERSON"): 1}))
    assert canon["Mykhailo Podalyak"] == ("Mykhailo Podolyak", "PERSON")


def test_different_people_stay_apart():
    canon = merge_names(Counter({("Joe Biden", "PERSON"): 1, ("Hunter Biden", "PERSON"): 1,
                                 ("John Kirby", "PERSON"): 1, ("Kerry", "PERSON"): 1}))
    assert canon["Hunter Biden"] == ("Hunter Biden", "PERSON")
    assert canon["Kerry"] == ("Kerry", "PERSON")


def test_mentions_cleaned():
    names = {m.name for m in entity_mentions("The White House's spokesman John Kirby met officials in Pyongyang.")}
    assert {"White House", "John Kirby", "Pyongyang"} <= names


def test_names_found_in_read_paragraphs_are_counted_in_the_unread_ones():
    text = ("Vladimir Putin met Kim Jong Un in Moscow on Tuesday.\n\nThe talks ran late.\n\n"
            "Vladimir Putin later thanked Kim Jong Un, and Moscow's mayor hosted a dinner.\n\nPutins and Moscowites.")
    read = entity_mentions(text, [0], echoes=False)
    assert {m.name for m in read} >= {"Vladimir Putin", "Kim Jong Un", "Moscow"}
    assert all(m.start < text.index("\n") for m in read)
    counted = entity_mentions(text, [0])
    later = [(m.name, m.label) for m in counted if m.start > text.index("The talks")]
    labels = {m.name: m.label for m in read}
    assert later == [(n, labels[n]) for n in ("Vladimir Putin", "Kim Jong Un", "Moscow")]
    assert [m.start for m in counted] == sorted(m.start for m in counted)
    assert entity_mentions(text) == entity_mentions(text, None, echoes=False)  # all read: nothing to add
