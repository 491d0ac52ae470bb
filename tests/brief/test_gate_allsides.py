"""Gate: briefs on the 307 AllSides roundups, scored by ROUGE recall against the neutral roundup.

newsfuse's summarizer must beat a TF-IDF centroid baseline and sumy's LexRank at the same 66-word budget, on
ROUGE-1 and ROUGE-2 recall (lowercased ``\\w+`` tokens, no stemming, clipped counts), and stay above the floors in
tests/floors.toml [brief]. Every citation must pass ``supports``.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Sequence

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from newsfuse.brief import summarize
from newsfuse.nlp import split_sentences, supports, word_tokens
from newsfuse.records import Article

from ..conftest import DATA, shared_or_fail

WORDS = 66


def rouge_recall(summary: str, reference: str, n: int) -> float:
    """Clipped n-gram overlap of lowercased ``\\w+`` tokens over the reference's n-gram count."""
    def grams(text: str) -> Counter:
        w = word_tokens(text)
        return Counter(tuple(w[i:i + n]) for i in range(len(w) - n + 1))
    ref, got = grams(reference), grams(summary)
    total = sum(ref.values())
    return sum(min(c, got[g]) for g, c in ref.items()) / total if total else 0.0


def load_stories(path: Path) -> list[tuple[list[Article], str]]:
    """(articles, reference roundup) per story."""
    stories = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        articles = [Article(id=d["docno"], title=d.get("title"), text=d["text"]) for d in row["docs"]]
        stories.append((articles, row["refs"][0]["text"]))
    return stories


def greedy(ranked: Sequence[str], words: int) -> str:
    """Sentences in rank order, each kept if it still fits in ``words`` tokens."""
    chosen, used = [], 0
    for sentence in ranked:
        n = len(word_tokens(sentence))
        if n and used + n <= words:
            chosen.append(sentence)
            used += n
    return " ".join(chosen)


def pool(articles: Sequence[Article]) -> list[str]:
    return [s for a in articles for s in split_sentences(a.text)]


def centroid_baseline(articles: Sequence[Article], words: int) -> str:
    """Sentences ranked by TF-IDF cosine to the mean sentence vector, greedy to the budget."""
    sentences = pool(articles)
    try:
        matrix = normalize(TfidfVectorizer(stop_words="english").fit_transform(sentences)).toarray()
    except ValueError:
        return greedy(sentences, words)
    scores = matrix @ matrix.mean(axis=0)
    return greedy([sentences[i] for i in np.argsort(-scores, kind="stable")], words)


class _Tokenizer:
    """A sumy tokenizer without NLTK data: newsfuse's sentence splitter and ``\\w+`` words."""

    language = "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(split_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(word_tokens(sentence))


def lexrank_baseline(articles: Sequence[Article], words: int) -> str:
    """sumy's LexRank ranking, greedy to the budget."""
    from sumy.nlp.stemmers import null_stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    class Ranking(LexRankSummarizer):
        def _get_best_sentences(self, sentences, count, rating, *args, **kwargs):
            self.ratings = rating
            return super()._get_best_sentences(sentences, count, rating, *args, **kwargs)

    text = "\n\n".join(a.text for a in articles)
    document = PlaintextParser.from_string(text, _Tokenizer()).document
    summarizer = Ranking(null_stemmer)
    summarizer.stop_words = get_stop_words("english")
    summarizer(document, len(document.sentences))
    ratings = getattr(summarizer, "ratings", {})
    ranked = sorted(document.sentences, key=lambda s: -ratings.get(s, 0))
    return greedy([str(s) for s in ranked], words)


def newsfuse_summary(articles: Sequence[Article], words: int) -> tuple[str, int, int]:
    """The summary text, its citation count and how many citations ``supports`` confirms."""
    cited = summarize(articles, words)
    texts = {a.id: a.text for a in articles}
    total = sum(len(c.sources) for c in cited)
    good = sum(supports(c.text, texts[s]) for c in cited for s in c.sources)
    missing = sum(1 for c in cited for a in articles if a.id not in c.sources and supports(c.text, a.text))
    return " ".join(c.text for c in cited), total, good - missing


def evaluate(stories) -> dict[str, float]:
    """Mean ROUGE-1/2 recall of the three summarizers, and the share of supported citations."""
    scores: dict[str, list[float]] = {}
    cited = supported = 0
    for articles, reference in stories:
        ours, total, good = newsfuse_summary(articles, WORDS)
        cited, supported = cited + total, supported + good
        for name, text in (("newsfuse", ours), ("centroid", centroid_baseline(articles, WORDS)),
                           ("lexrank", lexrank_baseline(articles, WORDS))):
            for n in (1, 2):
                scores.setdefault(f"{name}_rouge{n}", []).append(rouge_recall(text, reference, n))
    figures = {k: float(np.mean(v)) for k, v in scores.items()}
    figures["citations_supported"] = supported / cited if cited else 1.0
    return figures


@pytest.mark.gate
def test_gate_allsides(floors):
    stories = load_stories(shared_or_fail(DATA / "stories" / "allsides-roundups.jsonl"))
    assert len(stories) == 307
    figures = evaluate(stories)
    for name, value in sorted(figures.items()):
        print(f"brief {name}: {value:.4f}")
    floor = floors["brief"]
    for n in (1, 2):
        ours = figures[f"newsfuse_rouge{n}"]
        assert ours > figures[f"centroid_rouge{n}"], f"ROUGE-{n}: newsfuse does not beat the centroid baseline"
        assert ours > figures[f"lexrank_rouge{n}"], f"ROUGE-{n}: newsfuse does not beat LexRank"
        assert ours >= floor[f"rouge{n}_recall"], f"ROUGE-{n} recall {ours:.4f} below floor"
    assert figures["citations_supported"] == 1.0, "a summary sentence cites an article that does not state it"
