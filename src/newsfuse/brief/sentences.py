"""The sentences of a story's articles, with every article that supports each one.

A sentence's ``sources`` are all the articles whose text passes :func:`newsfuse.nlp.supports` for it, so a
citation is never given to an article that does not state the sentence, nor withheld from one that does.
Duplicates (syndicated copies) are sources too, but count once towards ``independent``.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Sequence

from ..nlp import SupportChecker, ngrams, paragraph_spans, sentence_spans, trim_dateline, word_tokens
from ..records import Article

MIN_WORDS = 6
_DANGLING = re.compile(
    r"^(?:he|she|they|it|this|that|these|those|his|her|their|its|however|but|and|also|meanwhile|still|yet|so|"
    r"instead|moreover|furthermore|in addition|additionally|as a result|then|thus|therefore|such|both)\b",
    re.IGNORECASE)
_ENDS = re.compile(r"[.!][\"”’')\]]*$")  # ends like a statement: a full stop or "!", maybe then closing quotes


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of one article: where it sits, and which articles state it."""

    text: str
    article: str  # id of the article it was taken from
    order: int  # article's index in the story
    position: int  # sentence index within its article
    paragraph: int  # paragraph index within its article
    sources: tuple[str, ...]
    independent: int  # sources counted once per duplicate family
    words: int
    tokens: tuple[str, ...]  # its word tokens (see newsfuse.nlp.word_tokens)

    @property
    def dangling(self) -> bool:
        """Starts by referring back ("He added", "This comes as", "However,")."""
        return bool(_DANGLING.match(self.text.lstrip("\"“‘'(")))

    @property
    def question(self) -> bool:
        return self.text.rstrip("\"”’')]").endswith("?")

    @property
    def summarisable(self) -> bool:
        """Long enough, a statement, and ends like a sentence."""
        ends = bool(_ENDS.search(self.text))
        return self.words >= MIN_WORDS and not self.question and ends


def family(article_id: str, duplicate_of: Mapping[str, str | None]) -> str:
    """The original an article copies (following chains), or the article itself."""
    seen = {article_id}
    while (parent := duplicate_of.get(article_id)) and parent not in seen:
        seen.add(parent)
        article_id = parent
    return article_id


def support(sources: Sequence[str], duplicate_of: Mapping[str, str | None]) -> tuple[int, tuple[str, ...]]:
    """(independent sources, the sources that copy another article): what a reader needs to weigh a citation."""
    independent = len({family(s, duplicate_of) for s in sources})
    return independent, tuple(s for s in sources if family(s, duplicate_of) != s)


@lru_cache(maxsize=256)
def text_tokens(text: str) -> tuple[str, ...]:
    """The word tokens of an article's text (see :func:`newsfuse.nlp.word_tokens`), remembered for the last texts
    seen: a brief reads each article's words for the support test, the concepts, the centroid and the quotations."""
    return tuple(word_tokens(text))


def _split(article: Article) -> list[tuple[str, int]]:
    """(sentence, paragraph index) pairs of an article, datelines trimmed."""
    starts = [a for a, _ in paragraph_spans(article.text)]
    out = []
    for start, end in sentence_spans(article.text):
        para = max(0, bisect_right(starts, start) - 1)
        text = trim_dateline(" ".join(article.text[start:end].split()))
        if text:
            out.append((text, para))
    return out


def _sources(checkers: Sequence[tuple[str, SupportChecker]], tokens: Sequence[str], key: str,
             own: str) -> tuple[str, ...]:
    """The ids of the articles that support a sentence of article ``own`` (given as word tokens, and joined by
    spaces in ``key``). Its own article is first searched for the sentence word for word; the trigram set is
    built only for an article that does not carry all the sentence's trigrams."""
    grams3 = None
    found = []
    for aid, check in checkers:
        if not (aid == own and check.has_run(key) or check.has_trigrams(tokens)):
            grams3 = ngrams(tokens, 3) if grams3 is None else grams3
            if not check.covers(tokens, grams3):
                continue
        found.append(aid)
    return tuple(found)


MAX_SENTENCES = 2000  # a brief reads at most this many sentences, spread over the articles (leads first)


def story_sentences(articles: Sequence[Article], duplicate_of: Mapping[str, str | None] | None = None,
                    max_sentences: int = MAX_SENTENCES) -> list[Sentence]:
    """Every sentence of every article (up to a cap), each with all the articles that support it.

    A sentence that several articles carry word for word is kept once, from the first article. Each article
    gives at most ``max_sentences / len(articles)`` (and at least 30) of its first sentences, so a pathological
    page of 40,000 one-line paragraphs cannot make a brief take minutes.
    """
    per_article = max(30, max_sentences // max(1, len(articles)))
    duplicate_of = duplicate_of or {}
    checkers = [(a.id, SupportChecker(a.text, text_tokens(a.text))) for a in articles]
    seen: set[str] = set()
    result = []
    for order, article in enumerate(articles):
        for position, (text, para) in enumerate(_split(article)[:per_article]):
            tokens = word_tokens(text)
            key = " ".join(tokens)
            if not key or key in seen:
                continue
            seen.add(key)
            sources = _sources(checkers, tokens, key, article.id)
            if article.id not in sources:
                continue  # cannot happen for a clean split; never cite what the text does not state
            independent = len({family(s, duplicate_of) for s in sources})
            result.append(Sentence(text, article.id, order, position, para, sources, independent, len(tokens),
                                   tuple(tokens)))
    return result


__all__ = ["MIN_WORDS", "Sentence", "family", "story_sentences", "support", "text_tokens"]
