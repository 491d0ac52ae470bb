"""build_brief: one story's articles -> a Brief (summary, headline, quotes, entities, timeline, unique,
disagreements, and a summary per language when the story holds several)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Mapping, Sequence

from sklearn import config_context

from ..config import BriefConfig
from ..nlp import entity_spans_many
from ..nlp.language import language_tag
from ..records import Article, Brief, LanguageSummary
from .annotate import seed_annotations
from .disagree import disagreements
from .reading import paragraphs_to_read
from .sections import entities, quotes, unique
from .sentences import family, story_sentences
from .summary import choose_headline, concept_weights, summarize
from .timeline import build_timeline

_OLDEST = datetime.min.replace(tzinfo=timezone.utc)


def _recent(articles: Sequence[Article], limit: int) -> list[Article]:
    """The ``limit`` most recently published articles (undated ones count as oldest), in their given order."""
    if len(articles) <= limit:
        return list(articles)
    keep = sorted(range(len(articles)), key=lambda i: articles[i].published or _OLDEST, reverse=True)[:limit]
    return [articles[i] for i in sorted(keep)]


def by_language(articles: Sequence[Article]) -> dict[str, list[Article]]:
    """The articles by language (primary subtag), the language of most articles first (ties: alphabetical); those
    of no known language go with the first. Empty when the articles are in one language or none is known."""
    spoken: dict[str, list[Article]] = {}
    for article in articles:
        spoken.setdefault(language_tag(article.language) or "", []).append(article)
    unknown = {a.id for a in spoken.pop("", [])}
    if len(spoken) < 2:
        return {}
    ordered = dict(sorted(spoken.items(), key=lambda item: (-len(item[1]), item[0])))
    first = next(iter(ordered))
    main = {a.id for a in ordered[first]} | unknown
    ordered[first] = [a for a in articles if a.id in main]  # story order kept
    return ordered


def language_summaries(articles: Sequence[Article], words: int,
                       duplicate_of: Mapping[str, str | None] | None = None) -> list[LanguageSummary]:
    """For a story in several languages (``by_language``), each language's cited summary of its own articles, the
    main language first; empty for a story in one language."""
    return [LanguageSummary(language, len(members), tuple(summarize(members, words, duplicate_of=duplicate_of)))
            for language, members in by_language(articles).items()]


def build_brief(story_id: str, articles: Sequence[Article], duplicate_of: Mapping[str, str | None] = {},
                config: BriefConfig = BriefConfig()) -> Brief:
    """The brief of one story. Every summary sentence cites exactly the articles that ``supports`` it.

    ``duplicate_of`` maps an article id to the article it copies (None for originals): copies are cited too,
    but count once when weighing how many sources state something, and have no unique passages of their own.
    scikit-learn's argument and finiteness checks are skipped: its inputs here are built by this package, and the
    checks cost about a tenth of a brief.
    """
    with config_context(assume_finite=True, skip_parameter_validation=True):
        return _build(story_id, articles, duplicate_of, config)


def _build(story_id: str, articles: Sequence[Article], duplicate_of: Mapping[str, str | None],
           config: BriefConfig) -> Brief:
    articles = [a for a in _recent(articles, config.max_articles) if a.text and a.text.strip()]
    if not articles:
        return Brief(story=story_id, headline="")
    seed_annotations(articles)
    reading = paragraphs_to_read(articles, config.ner_words, config.article_ner_words)
    titles = [a.title for a in articles if a.title]
    entity_spans_many([a.text for a in articles] + titles, [reading[a.id] for a in articles] + [None] * len(titles),
                      [a.language for a in articles] + [a.language for a in articles if a.title])
    sentences = story_sentences(articles, duplicate_of)
    weight = concept_weights(articles, duplicate_of)
    languages = language_summaries(articles, config.words, duplicate_of)
    summary = list(languages[0].summary) if languages else summarize(
        articles, config.words, duplicate_of=duplicate_of, sentences=sentences, weight=weight)
    found, names = entities(articles, config.max_entities, reading)
    # What only one outlet reports, and where outlets disagree, need a second independent source to compare with.
    several = len({family(a.id, duplicate_of) for a in articles}) > 1
    return Brief(
        story=story_id,
        headline=choose_headline(articles, summary, duplicate_of),
        summary=tuple(summary),
        quotes=tuple(quotes(articles, names, config.max_quotes, reading, duplicate_of)),
        entities=tuple(found),
        timeline=tuple(build_timeline(articles, config.max_events, reading=reading)),
        unique=tuple(unique(articles, sentences, duplicate_of, weight, config.unique_per_source)) if several else (),
        disagreements=tuple(disagreements(articles, sentences, duplicate_of)) if several else (),
        languages=tuple(languages),
    )


__all__ = ["build_brief", "by_language", "language_summaries"]
