"""Sentences, entities, quotes, dates, language: shared by the stages.

spaCy is loaded lazily, once per process, with only its entity recogniser, and what it finds is remembered per
paragraph; sentence splitting and the citation ``supports`` test need no model.
"""
from .dates import DateMention, find_dates, resolve_date
from .entities import Mention, canonical_names, entity_mentions, merge_names
from .language import article_language, identify_language
from .model import clear_cache, entity_spans, entity_spans_many, load_model, parse, parse_many
from .quotes import QuoteMention, extract_quotes
from .text import (SupportChecker, ngrams, paragraph_spans, sentence_spans, split_sentences, supports,
                   trim_dateline, word_tokens)

__all__ = [
    "DateMention", "Mention", "QuoteMention", "SupportChecker", "article_language", "canonical_names", "clear_cache",
    "entity_mentions", "identify_language",
    "entity_spans", "entity_spans_many", "extract_quotes", "find_dates", "load_model", "merge_names", "ngrams",
    "paragraph_spans", "parse", "parse_many", "resolve_date", "sentence_spans", "split_sentences", "supports",
    "trim_dateline", "word_tokens",
]
