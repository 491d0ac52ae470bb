"""Entities found once per article, when it is stored, instead of at every brief of its story.

The pipeline annotates each new article on the workers, right after extraction (``annotate_articles``), and the
store keeps the spans with it. A brief first hands the stored spans to the entity cache (``seed_annotations``),
so the recogniser only reads what no annotation covers. Which paragraphs an article's annotation covers is
:func:`newsfuse.brief.reading.article_paragraphs`, the same rule the brief reads by, so a brief built from
stored annotations equals one built from scratch (``newsfuse summarize`` over JSONL).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from ..config import BriefConfig
from ..nlp.model import entity_spans_many, model_id, remember_spans
from ..records import Annotations, Article
from .reading import article_paragraphs


def annotate_articles(articles: Sequence[Article], config: BriefConfig = BriefConfig()) -> list[Article]:
    """The articles with their ``entities`` found by their language's model (those already annotated by it are
    kept as they are)."""
    todo = [a for a in articles if a.entities is None or a.entities.model != model_id(a.language)]
    if not todo:
        return list(articles)
    reading = [article_paragraphs(a.text, config.article_ner_words) for a in todo]
    spans = entity_spans_many([a.text for a in todo] + [a.title or "" for a in todo],
                              reading + [None] * len(todo), [a.language for a in todo] * 2)
    found = {a.id: replace(a, entities=Annotations(
        model=model_id(a.language), paragraphs=None if read is None else tuple(sorted(read)),
        text=spans[k], title=spans[len(todo) + k])) for k, (a, read) in enumerate(zip(todo, reading))}
    return [found.get(a.id, a) for a in articles]


def seed_annotations(articles: Sequence[Article]) -> int:
    """Give the entity cache the stored spans of these articles; returns how many articles had usable ones."""
    used = 0
    for article in articles:
        found = article.entities
        if found is None or found.model != model_id(article.language):
            continue
        remember_spans(article.text, found.paragraphs, found.text, article.language)
        if article.title:
            remember_spans(article.title, None, found.title, article.language)
        used += 1
    return used


__all__ = ["annotate_articles", "seed_annotations"]
