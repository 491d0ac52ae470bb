"""The brief's sections beside the summary: quotes, entities, only-in-one-source passages (the timeline is
timeline.py)."""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import Mapping, Sequence

from ..nlp import entity_mentions, extract_quotes, merge_names, word_tokens
from ..records import Article, Entity, Quote, Unique
from .reading import Reading
from .sentences import Sentence, family, support, text_tokens


# One-word compass and generic place words the recogniser tags as places ("the West", "in the North"): not places
# a reader can look up, so not listed.
GENERIC_PLACES = frozenset("""north south east west northeast northwest southeast southwest north-east north-west
south-east south-west midwest center centre central""".split()) - {"midwest"}


def _phrase(tokens: Sequence[str]) -> str:
    return " " + " ".join(tokens) + " "


def entities(articles: Sequence[Article], limit: int = 30,
             reading: Reading | None = None) -> tuple[list[Entity], dict[str, str]]:
    """Entities across the story (in the paragraphs ``reading`` lists, all by default), variants merged, most
    mentioned first; and the variant -> name map."""
    reading = reading or {}
    mentions = {a.id: entity_mentions(a.text, reading.get(a.id), language=a.language)
                + (entity_mentions(a.title, language=a.language) if a.title else []) for a in articles}
    lowercase = set(word_tokens(" ".join(set(re.findall(r"\b[a-z]\w*", " ".join(a.text for a in articles))))))
    known = lowercase | GENERIC_PLACES
    mentions = {aid: [m for m in ms if " " in m.name or m.name.lower() not in known]
                for aid, ms in mentions.items()}  # "Defense" is a word here, not an organisation
    counts = Counter((m.name, m.label) for ms in mentions.values() for m in ms)
    canon = merge_names(counts)
    total: Counter = Counter()
    sources: dict[tuple[str, str], list[str]] = defaultdict(list)
    variants: dict[tuple[str, str], set[str]] = defaultdict(set)
    for article in articles:
        for m in mentions[article.id]:
            key = canon[m.name]
            total[key] += 1
            if article.id not in sources[key]:
                sources[key].append(article.id)
            if m.name != key[0]:
                variants[key].add(m.name)
    ranked = sorted(total, key=lambda k: (-total[k], -len(sources[k]), k[0]))[:limit]
    found = [Entity(name, label, total[(name, label)], tuple(sources[(name, label)]),
                    tuple(sorted(variants[(name, label)]))) for name, label in ranked]
    return found, {variant: name for variant, (name, _) in canon.items()}


def quotes(articles: Sequence[Article], names: Mapping[str, str], limit: int = 12,
           reading: Reading | None = None, duplicate_of: Mapping[str, str | None] | None = None) -> list[Quote]:
    """Direct quotations, each with every article that carries its words; the speaker most often named."""
    reading = reading or {}
    phrases = {a.id: _phrase(text_tokens(a.text)) for a in articles}
    found: dict[str, tuple[str, Counter]] = {}
    for article in articles:
        for q in extract_quotes(article.text, reading.get(article.id), article.language):
            key = _phrase(word_tokens(q.text))
            text, speakers = found.setdefault(key, (q.text, Counter()))
            if q.speaker:
                speakers[names.get(q.speaker, q.speaker)] += 1
    keys = [k for k in found if not any(k != other and k in other for other in found)]
    result = []
    for key in keys:
        text, speakers = found[key]
        sources = tuple(aid for aid, phrase in phrases.items() if key in phrase)
        speaker = speakers.most_common(1)[0][0] if speakers else None
        result.append(Quote(text, speaker, sources, *support(sources, duplicate_of or {})))
    result.sort(key=lambda q: (-(q.independent or 0), -len(q.sources), q.speaker is None))
    return result[:limit]


def _informativeness(tokens: Sequence[str], weight: Mapping) -> float:
    """Content words (of a sentence's tokens) weighted by rarity in the story, with a bonus for numbers."""
    words = set(tokens)  # math.fsum: exact, so the result does not depend on the set's order
    return math.fsum(1.0 / max(1, weight.get((w,), 1)) for w in words) + sum(0.5 for w in words if w.isdigit())


def unique(articles: Sequence[Article], sentences: Sequence[Sentence], duplicate_of: Mapping[str, str | None],
           weight: Mapping, per_source: int = 3) -> list[Unique]:
    """Per source, its most informative passages no other independent source states (consecutive such
    sentences of one paragraph join into one passage)."""
    result = []
    for article in articles:
        mine = family(article.id, duplicate_of)
        if mine != article.id:
            continue  # a copy has nothing of its own
        passages: list[list[Sentence]] = []
        for s in (s for s in sentences if s.article == article.id):
            alone = all(family(src, duplicate_of) == mine for src in s.sources)
            if not alone or s.words < 6:
                continue
            last = passages[-1][-1] if passages else None
            if last and last.paragraph == s.paragraph and last.position == s.position - 1:
                passages[-1].append(s)
            else:
                passages.append([s])
        best = sorted(passages, key=lambda p: -sum(_informativeness(s.tokens, weight) for s in p))[:per_source]
        for passage in sorted(best, key=lambda p: p[0].position):
            result.append(Unique(article.id, " ".join(s.text for s in passage)))
    return result


__all__ = ["GENERIC_PLACES", "entities", "quotes", "unique"]
