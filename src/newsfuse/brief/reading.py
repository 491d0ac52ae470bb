"""Which paragraphs the entity recogniser reads: all of a small story, the leads and quotations of a large one.

spaCy's entity recogniser is most of a brief's cost (about 40 ms per 260 words). A story's repeated paragraphs
(wire copies) are read once, and a story whose distinct paragraphs exceed the budget is read lead first: every
article's first paragraph, then the paragraphs with quotations (and the one before, where a pronoun's speaker is
named), then second paragraphs, third paragraphs, and so on while the budget lasts. The choice depends on the
story alone, never on what an earlier brief left in the cache, so a rerun gives the same brief.
"""
from __future__ import annotations

from typing import Sequence

from ..nlp import paragraph_spans
from ..nlp.quotes import has_quotation
from ..records import Article

Reading = dict[str, "frozenset[int] | None"]  # article id -> paragraph indices to read (None: all)


def paragraphs_to_read(articles: Sequence[Article], words: int) -> Reading:
    """Per article, the indices of the paragraphs to read within a budget of ``words`` distinct words (0: all)."""
    paragraphs = {a.id: [" ".join(a.text[s:e].split()) for s, e in paragraph_spans(a.text)] for a in articles}
    distinct = {p: len(p.split()) for ps in paragraphs.values() for p in ps}
    if not words or sum(distinct.values()) <= words:
        return {a.id: None for a in articles}
    queue = []
    for order, article in enumerate(articles):
        ps = paragraphs[article.id]
        quoting = [has_quotation(p) for p in ps]
        for i in range(len(ps)):
            before_quote = i + 1 < len(ps) and quoting[i + 1]
            rank = 0 if i == 0 else 1 if quoting[i] else 2 if before_quote else 2 + i
            queue.append((rank, i, order, article.id))
    chosen: dict[str, set[int]] = {a.id: set() for a in articles}
    read: set[str] = set()
    used = 0
    for _, i, _, aid in sorted(queue):
        text = paragraphs[aid][i]
        if text not in read:
            if used + distinct[text] > words:
                continue
            read.add(text)
            used += distinct[text]
        chosen[aid].add(i)
    return {aid: frozenset(ids) for aid, ids in chosen.items()}


__all__ = ["Reading", "paragraphs_to_read"]
