"""Timeline-summarisation measures, as the ``tilse`` toolkit defines them (Martschat & Markert 2017, "Improving
ROUGE for Timeline Summarization", EACL; tilse/evaluation/rouge.py and dates.py), for one reference timeline.

- date selection F1: precision |P & R| / |P|, recall |P & R| / |R| of the predicted and reference dates (days);
- concat ROUGE-n: every daily summary of each timeline joined into one document, then ROUGE-n P/R/F1;
- alignment-based ROUGE-n, the ``align_date_content_costs_many_to_one`` variant ("align+ m:1"): each predicted
  date (for precision) and each reference date (for recall) is mapped to the date of the other timeline with the
  lowest cost ``(1 - 1 / (|days apart| + 1)) * (1 - approximate ROUGE-1 F1 of the two summaries)``; the matched
  n-gram counts are weighted by ``1 / (|days apart| + 1)``, and micro-averaged over dates.

ROUGE here is counted as ROUGE-1.5.5 counts with tilse's options (``-m`` Porter stemming, ``-s`` stop words removed):
lowercased alphanumeric tokens, stop words removed, Porter stems (NLTK's), clipped n-gram counts. The stop list is
scikit-learn's English list (318 words), not ROUGE's SMART list (571): absolute figures can differ from the Perl
script's by a little; every system in a test is scored the same way. tilse itself is not installable here (it
needs pyrouge and the Perl ROUGE-1.5.5).

For Spanish, French and Italian (``language``, the multilingual gate) tokens are lowercased ``\\w+`` words, spaCy's
stop list of that language removed, NLTK's Snowball stem of that language: ROUGE's English tokens would cut
"février" in two and its stop list leaves "de", "la", "il" in.
"""
from __future__ import annotations

import re
from collections import Counter
from datetime import date
from functools import lru_cache
from typing import Mapping, Sequence

from nltk.stem.porter import PorterStemmer
from nltk.stem.snowball import SnowballStemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from newsfuse.nlp.stopwords import stop_words

Timeline = Mapping[date, Sequence[str]]  # a date -> its summary's sentences

_STEM = PorterStemmer()
_TOKEN = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    return _STEM.stem(word) if len(word) > 3 else word  # ROUGE-1.5.5 stems words of more than 3 characters


_SNOWBALL = {"es": "spanish", "fr": "french", "it": "italian"}


@lru_cache(maxsize=3)
def _other_language(language: str) -> tuple[SnowballStemmer, frozenset[str]]:
    return SnowballStemmer(_SNOWBALL[language]), stop_words([language])


@lru_cache(maxsize=50_000)
def rouge_tokens(text: str, language: str = "en") -> tuple[str, ...]:
    if language != "en":
        stemmer, stops = _other_language(language)
        return tuple(stemmer.stem(w) for w in re.findall(r"[^\W_]+", text.lower()) if w not in stops)
    return tuple(_stem(w) for w in _TOKEN.findall(text.lower()) if w not in ENGLISH_STOP_WORDS)


def grams(sentences: Sequence[str], n: int, language: str = "en") -> Counter:
    """n-grams of each sentence (they do not cross sentences, as ROUGE's sentence lines do not)."""
    out: Counter = Counter()
    for sentence in sentences:
        tokens = rouge_tokens(sentence, language)
        out.update(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return out


def overlap(pred: Counter, ref: Counter) -> int:
    return sum(min(c, ref[g]) for g, c in pred.items() if g in ref)


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def date_f1(pred: Timeline, ref: Timeline) -> float:
    hits = len(set(pred) & set(ref))
    return f1(hits / len(pred) if pred else 0.0, hits / len(ref) if ref else 0.0)


def concat_rouge(pred: Timeline, ref: Timeline, n: int, language: str = "en") -> float:
    p = grams([s for d in sorted(pred) for s in pred[d]], n, language)
    r = grams([s for d in sorted(ref) for s in ref[d]], n, language)
    hit = overlap(p, r)
    return f1(hit / sum(p.values()) if p else 0.0, hit / sum(r.values()) if r else 0.0)


_PTB = re.compile(r"\w+|[^\w\s]")


def _words(summary: Sequence[str]) -> Counter:
    """Tokens as tilse's whitespace split sees Timeline17's Penn-Treebank-tokenized text: words and punctuation."""
    return Counter(w for s in summary for w in _PTB.findall(s))


def _approx_rouge1(pred: Counter, ref: Counter) -> float:
    """tilse's approximation of ROUGE-1 F1 for the alignment costs (tokens, no stemming), of the summaries'
    token counts."""
    match = overlap(pred, ref)
    return f1(match / sum(pred.values()) if pred else 0.0, match / sum(ref.values()) if ref else 0.0)


def _nearest(source: Sequence[date], target: Sequence[date], source_words: Mapping[date, Counter],
             target_words: Mapping[date, Counter]) -> list[date]:
    """For each source date, the target date of least date x content cost (the first on a tie, as argmin). The
    content factor is symmetric, so it does not matter which side is the prediction."""
    out = []
    for s in source:
        costs = [(1 - 1 / (abs(s.toordinal() - t.toordinal()) + 1)) * (1 - _approx_rouge1(source_words[s],
                                                                                          target_words[t]))
                 for t in target]
        out.append(target[min(range(len(costs)), key=costs.__getitem__)])
    return out


def align_rouge(pred: Timeline, ref: Timeline, n: int, language: str = "en") -> float:
    """align+ m:1 ROUGE-n F1."""
    pred_dates, ref_dates = sorted(pred), sorted(ref)
    if not pred_dates or not ref_dates:
        return 0.0
    pred_words = {d: _words(pred[d]) for d in pred_dates}
    ref_words = {d: _words(ref[d]) for d in ref_dates}
    pred_grams = {d: grams(pred[d], n, language) for d in pred_dates}
    ref_grams = {d: grams(ref[d], n, language) for d in ref_dates}
    p_num = p_den = r_num = r_den = 0.0
    for d, target in zip(pred_dates, _nearest(pred_dates, ref_dates, pred_words, ref_words)):
        p_num += overlap(pred_grams[d], ref_grams[target]) / (abs(d.toordinal() - target.toordinal()) + 1)
        p_den += sum(pred_grams[d].values())
    for d, source in zip(ref_dates, _nearest(ref_dates, pred_dates, ref_words, pred_words)):
        r_num += overlap(pred_grams[source], ref_grams[d]) / (abs(d.toordinal() - source.toordinal()) + 1)
        r_den += sum(ref_grams[d].values())
    return f1(p_num / p_den if p_den else 0.0, r_num / r_den if r_den else 0.0)


def score_timeline(pred: Timeline, ref: Timeline, language: str = "en") -> dict[str, float]:
    return {"date_f1": date_f1(pred, ref), "ar1": align_rouge(pred, ref, 1, language),
            "ar2": align_rouge(pred, ref, 2, language), "cr1": concat_rouge(pred, ref, 1, language),
            "cr2": concat_rouge(pred, ref, 2, language)}
