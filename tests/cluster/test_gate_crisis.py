"""Gate (issue #24): crisis.jsonl through the live path, one run per day into one store, as ``newsfuse run`` places
articles (``newsfuse.cluster.evaluate.live``): 3,284 dated en/es/fr/it articles of four storylines (the 3,352 less
the 68 records filed under two storylines), each with the language newsfuse identifies from its text.

Measured and printed: storyline purity (the share of articles whose story holds only their storyline; floor in
tests/floors.toml [multilingual]), stories per storyline and per language, stories holding more than one language,
and the cross-language links: of the pairs of articles of one storyline, published in the same ISO week, in two
different languages, the share that share a story, per language pair. The whole set runs (about 50 s of the live
path and 9 s of language identification on an idle machine), once per module.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations

import pytest

from newsfuse.cluster import evaluate
from newsfuse.config import ClusterConfig

from ..crisis import crisis_articles


@pytest.fixture(scope="module")
def crisis_live():
    articles, gold = crisis_articles()
    return articles, gold, evaluate.live(list(articles), ClusterConfig())


def cross_language_links(articles, gold, predicted) -> dict[tuple[str, str], tuple[int, int]]:
    """Per language pair (sorted), (pairs sharing a story, pairs) over same-storyline, same-ISO-week articles."""
    cells: dict[tuple, Counter] = defaultdict(Counter)  # (storyline, week) -> (language, story) -> articles
    for a in articles:
        week = a.published.isocalendar()[:2]
        cells[gold[a.id], week][a.language, predicted[a.id]] += 1
    out: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for counts in cells.values():
        per_language = Counter()
        for (language, _), n in counts.items():
            per_language[language] += n
        for x, y in combinations(sorted(per_language), 2):
            out[x, y][1] += per_language[x] * per_language[y]
            out[x, y][0] += sum(n * counts.get((y, story), 0) for (lx, story), n in counts.items() if lx == x)
    return {pair: (shared, total) for pair, (shared, total) in sorted(out.items())}


@pytest.mark.gate
def test_gate_crisis_live_purity(crisis_live, floors):
    articles, gold, predicted = crisis_live
    purity = evaluate.purity(predicted, gold)
    languages = {a.id: a.language for a in articles}
    storylines: dict[str, set[str]] = defaultdict(set)
    spoken: dict[str, set[str]] = defaultdict(set)
    for item, story in predicted.items():
        storylines[story].add(gold[item])
        spoken[story].add(languages[item])
    pure = {item: storylines[predicted[item]] == {gold[item]} for item in gold}
    for name, label in (("storyline", gold), ("language", languages)):
        for value in sorted(set(label.values()), key=str):
            items = [i for i in gold if label[i] == value]
            sizes = sorted(Counter(predicted[i] for i in items).values(), reverse=True)
            print(f"crisis {name} {value}: {len(items)} articles in {len(sizes)} stories, largest {sizes[:3]}, "
                  f"purity {sum(pure[i] for i in items) / len(items):.4f}")
    several = sum(len(v) > 1 for v in spoken.values())
    print(f"crisis live: purity {purity:.4f}, {len(spoken)} stories for {len(gold)} articles, {several} with more "
          "than one language")
    assert purity >= floors["multilingual"]["crisis_live_purity_floor"]


@pytest.mark.gate
def test_gate_crisis_cross_language_links(crisis_live, floors):
    articles, gold, predicted = crisis_live
    links = cross_language_links(articles, gold, predicted)
    for (x, y), (shared, total) in links.items():
        print(f"crisis cross-language {x}-{y}: {shared} of {total} same-storyline same-week pairs share a story "
              f"({shared / total if total else 0:.4f})")
    shared, total = map(sum, zip(*links.values()))
    print(f"crisis cross-language, all pairs: {shared / total:.4f}")
    assert shared / total >= floors["multilingual"]["crisis_cross_language_floor"]


def test_cross_language_links_counts_pairs():
    """Two storylines in one week, one in the next: only same-storyline, same-week pairs of two languages count."""
    from datetime import datetime, timezone

    from newsfuse.records import Article

    def article(n, language, day):
        return Article(id=str(n), text="x", language=language,
                       published=datetime(2011, 3, day, tzinfo=timezone.utc))

    articles = [article(1, "en", 14), article(2, "es", 15), article(3, "es", 16), article(4, "fr", 15),
                article(5, "en", 22), article(6, "es", 23)]
    gold = {"1": "libya", "2": "libya", "3": "libya", "4": "syria", "5": "libya", "6": "libya"}
    predicted = {"1": "a", "2": "a", "3": "b", "4": "a", "5": "c", "6": "c"}
    assert cross_language_links(articles, gold, predicted) == {("en", "es"): (2, 3)}
