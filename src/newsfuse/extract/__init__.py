"""HTML -> text + metadata; text-level cleaning. Page -> Article | Drop.

``extract_page(page, config)`` is the entry point. By ``page.kind``:

- ``"html"``: trafilatura finds the main text (``html.py``), the page's JSON-LD, meta tags and bylines give the
  metadata (``metadata.py``), then a light pass restores dropped headings, drops the headline and a trailing
  author box, and removes ``***`` masking and a body printed twice;
- ``"text"``: page text a scraper saved goes through the line-level cleaner (``clean_text``);
- ``"article"``: text that is already clean keeps its metadata and only loses ``***`` masking.

Every article's ``language`` is identified from its text (``nlp.language.article_language``); the language the
page or the reader declares is kept only where the text is too short or too mixed to tell.

Bad content never raises: it becomes a ``Drop`` whose reason is one of the ``DROP_*`` constants.
"""
from __future__ import annotations

import re
from dataclasses import replace

from ..config import ExtractConfig
from ..nlp.language import article_language
from ..records import Article, Drop, Page, to_utc
from .furniture import AD_MARKER, COMMENT_PROMPT, COUNTER, FURNITURE, classify_line
from .html import TooComplex, extract_html, looks_like_html
from .repeats import REPEATED_BLOCK, REPEATED_SENTENCE, split_glued, split_sentences
from .textclean import (HEADER, MASKING, REMOVAL_REASONS, TITLE_REPEAT, TRANSCRIPT, CleanedText, clean_text,
                        tidy_text)

DROP_EMPTY = "empty"  # no text at all, before or after cleaning
DROP_TOO_SHORT = "too_short"  # fewer than config.min_words words
DROP_TOO_LONG = "too_long"  # more than config.max_words words
DROP_TOO_COMPLEX = "too_complex"  # HTML with more than config.max_elements elements
DROP_NOT_HTML = "not_html"  # an html page with no markup, from which trafilatura found nothing
DROP_EXTRACT_FAILED = "extract_failed"  # trafilatura found no main text, or failed on the page
DROP_UNKNOWN_KIND = "unknown_kind"  # page.kind is not html, text or article
DROP_REASONS = (DROP_EMPTY, DROP_TOO_SHORT, DROP_TOO_LONG, DROP_TOO_COMPLEX, DROP_NOT_HTML, DROP_EXTRACT_FAILED,
                DROP_UNKNOWN_KIND)

_WORD = re.compile(r"\w+")
_DEFAULT = ExtractConfig()


def extract_page(page: Page, config: ExtractConfig = _DEFAULT) -> Article | Drop:
    """Turn one Page into an Article, or a Drop saying why not."""
    if not page.content or not page.content.strip():
        return Drop(page.path, DROP_EMPTY)
    if page.kind != "html" and (words := len(page.content.split())) > 2 * config.max_words:
        return Drop(page.path, DROP_TOO_LONG, f"{words} words > extract.max_words {config.max_words}")
    if page.kind == "html":
        result, words = _from_html(page, config)
        return result if isinstance(result, Drop) else _check_length(result, page, config, words)
    if page.kind == "text":
        result = _from_text(page, config)
    elif page.kind == "article":
        result = _from_article(page, config)
    else:
        return Drop(page.path, DROP_UNKNOWN_KIND, f"kind {page.kind!r}; expected html, text or article")
    return result if isinstance(result, Drop) else _check_length(result, page, config)


def _from_html(page: Page, config: ExtractConfig) -> tuple[Article | Drop, int | None]:
    """The Article (or Drop) of an html page, and its text's word count when known."""
    try:
        found = extract_html(page.content, page.url, config)
    except TooComplex as exc:
        return Drop(page.path, DROP_TOO_COMPLEX, str(exc)), None
    except Exception as exc:  # noqa: BLE001 - trafilatura/lxml failures on one page become a Drop, not a crash
        return Drop(page.path, DROP_EXTRACT_FAILED, f"{type(exc).__name__}: {exc}"[:200]), None
    if found is None:
        if not looks_like_html(page.content):
            return Drop(page.path, DROP_NOT_HTML, "no markup"), None
        return Drop(page.path, DROP_EXTRACT_FAILED, "trafilatura found no main text"), None
    return Article(
        id=page.id,
        text=found.text,
        title=page.title or found.title,
        url=page.url or found.url,
        site=page.site or found.site,
        author=page.author or found.author,
        published=to_utc(page.published) or found.published,
        language=page.language or found.language,
        path=page.path,
        removed=found.removed,
    ), found.words


def _from_text(page: Page, config: ExtractConfig) -> Article:
    cleaned = clean_text(page.content) if config.clean_text else tidy_text(page.content, furniture=False,
                                                                             repeats=False, copies=False)
    return _article(page, cleaned)


def _from_article(page: Page, config: ExtractConfig) -> Article:
    return _article(page, tidy_text(page.content, furniture=False, repeats=False, transcripts=False,
                                      copies=False))


def _article(page: Page, cleaned: CleanedText) -> Article:
    return Article(
        id=page.id, text=cleaned.text, title=page.title or cleaned.title, url=page.url, site=page.site,
        author=page.author, published=to_utc(page.published), language=page.language, path=page.path,
        removed=cleaned.removed,
    )


def _check_length(article: Article, page: Page, config: ExtractConfig, words: int | None = None) -> Article | Drop:
    """The article with its identified language, or a Drop when it has too few or too many words (``words``: their
    count, when known)."""
    words = len(_WORD.findall(article.text)) if words is None else words
    if words == 0:
        return Drop(page.path, DROP_EMPTY, "no text left after cleaning")
    if words < config.min_words:
        return Drop(page.path, DROP_TOO_SHORT, f"{words} words < min_words {config.min_words}")
    if words > config.max_words:
        return Drop(page.path, DROP_TOO_LONG, f"{words} words > extract.max_words {config.max_words}")
    return replace(article, language=article_language(article.text, article.language))


__all__ = [
    "AD_MARKER", "COMMENT_PROMPT", "COUNTER", "DROP_EMPTY", "DROP_EXTRACT_FAILED", "DROP_NOT_HTML", "DROP_REASONS",
    "DROP_TOO_COMPLEX", "DROP_TOO_LONG", "DROP_TOO_SHORT", "DROP_UNKNOWN_KIND", "FURNITURE", "HEADER", "MASKING", "REMOVAL_REASONS", "REPEATED_BLOCK",
    "REPEATED_SENTENCE", "TITLE_REPEAT", "TRANSCRIPT", "CleanedText", "classify_line", "clean_text", "extract_page",
    "split_glued", "split_sentences", "tidy_text",
]
