"""Which paragraphs the entity recogniser reads: all of a small story, the leads and quotations of a large one.

spaCy's entity recogniser is most of a brief's cost (about 40 ms per 260 words). Two budgets bound it, both
filled in the same order of value: every article's first paragraph, then the paragraphs with quotations (and the
one before, where a pronoun's speaker is named), then second paragraphs, third paragraphs, and so on.

- Per article (``BriefConfig.article_ner_words``): the paragraphs of one article that may be read at all. It
  depends on the article alone, so the pipeline reads them once, when it stores the article, on the workers
  (see :mod:`newsfuse.brief.annotate`), and every later brief of a growing story reuses what was found.
- Per story (``BriefConfig.ner_words``): distinct words read over the whole story; a story's repeated paragraphs
  (wire copies) are read once.

The choice depends on the story alone, never on what an earlier brief left in the cache, so a rerun gives the
same brief.
"""
from __future__ import annotations

from typing import Sequence

from ..nlp import paragraph_spans
from ..nlp.quotes import has_quotation
from ..records import Article

Reading = dict[str, "frozenset[int] | None"]  # article id -> paragraph indices to read (None: all)


def _paragraphs(text: str) -> list[str]:
    return [" ".join(text[s:e].split()) for s, e in paragraph_spans(text)]


def _words(paragraph: str) -> int:
    """``len(paragraph.split())`` of a paragraph of :func:`_paragraphs` (words joined by single spaces)."""
    return paragraph.count(" ") + 1 if paragraph else 0


def _ranks(paragraphs: list[str]) -> list[int]:
    """Per paragraph, its place in the reading order (lower is read first)."""
    quoting = [has_quotation(p) for p in paragraphs]
    ranks = []
    for i in range(len(paragraphs)):
        before_quote = i + 1 < len(paragraphs) and quoting[i + 1]
        ranks.append(0 if i == 0 else 1 if quoting[i] else 2 if before_quote else 2 + i)
    return ranks


def article_paragraphs(text: str, words: int) -> frozenset[int] | None:
    """The indices of the paragraphs of one article to read within ``words`` words (None: all; 0: no limit)."""
    return _within(_paragraphs(text), words)


def _within(paragraphs: list[str], words: int) -> frozenset[int] | None:
    """:func:`article_paragraphs` of an article's paragraphs (see :func:`_paragraphs`)."""
    sizes = [_words(p) for p in paragraphs]
    if not words or sum(sizes) <= words:
        return None
    chosen, used = set(), 0
    for _, i in sorted((rank, i) for i, rank in enumerate(_ranks(paragraphs))):
        if used + sizes[i] <= words or not chosen:
            chosen.add(i)
            used += sizes[i]
    return frozenset(chosen)


def paragraphs_to_read(articles: Sequence[Article], words: int, article_words: int = 0) -> Reading:
    """Per article, the indices of the paragraphs to read: at most ``article_words`` words of each article
    (:func:`article_paragraphs`), and ``words`` distinct words over the story (0: no limit)."""
    paragraphs = {a.id: _paragraphs(a.text) for a in articles}
    allowed = {a.id: _within(paragraphs[a.id], article_words) for a in articles}
    distinct = {p: _words(p) for a in articles for i, p in enumerate(paragraphs[a.id])
                if allowed[a.id] is None or i in allowed[a.id]}
    if not words or sum(distinct.values()) <= words:
        return allowed
    queue = []
    for order, article in enumerate(articles):
        for i, rank in enumerate(_ranks(paragraphs[article.id])):
            if allowed[article.id] is None or i in allowed[article.id]:
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


__all__ = ["Reading", "article_paragraphs", "paragraphs_to_read"]
