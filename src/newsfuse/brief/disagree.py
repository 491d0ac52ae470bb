"""Disagreements: sentences from different sources that tell the same fact with different numbers or dates.

Two sentences are aligned when their TF-IDF cosine (over crude word stems, so "killing" meets "killed") is high.
Numbers are compared by the word that follows them ("28 missiles" vs "30 missiles", "12 people" vs "19 people");
dates by their resolved values where both resolve and one is not a coarser form of the other ("2023" agrees with
"2023-03"). Each sentence's dates are read in its article's language (``find_dates``: Spanish, French and Italian
words too), and the alignment leaves out the stop words of the story's languages; numbers are compared in English
sentences in English, Spanish, French and Italian, each with its own number words and counted nouns, two sentences
of one language at a time ("28 missiles" / "28 misiles" / "28 missili"; "30 morts" against "35 morts").
"""
from __future__ import annotations

import re
from functools import lru_cache, partial
from typing import Mapping, Sequence

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from ..nlp import find_dates
from ..nlp.date_words import fold, month_names
from ..nlp.language import language_tag
from ..nlp.stopwords import stop_words
from ..records import Article, Disagreement
from .sentences import Sentence, family

ALIGNED = 0.5  # cosine at or above which two sentences state the same fact
_WORDS = "one two three four five six seven eight nine ten eleven twelve dozen hundred thousand".split()
_COUNTED = r"[a-z]+s|people|persons|children|men|women|dead|injured|wounded|killed|missing"
# Per language (accents folded): number words, and what a counted noun looks like (its plural ending, or a word
# for the dead, wounded and missing). In Spanish, French and Italian the noun comes right after the number, as
# adjectives mostly follow it ("30 personas muertas"; English allows two words between: "28 Russian cruise
# missiles"), and the articles un/une/uno/una are not numbers ("una vez", "un sens"). Month names are never
# counted nouns ("12 mars" is a date), nor stop words ("2011 che"), except the nouns some stop lists hold
# (``_COUNTED_STOPS``: "30 persone", "tres dias").
_COUNTS = {
    "en": (_WORDS, _COUNTED),
    "es": ("dos tres cuatro cinco seis siete ocho nueve diez once doce docena docenas decenas cien cientos "
           "mil millones".split(), r"[a-z]+s"),
    "fr": ("deux trois quatre cinq six sept huit neuf dix onze douze douzaine douzaines dizaine dizaines "
           "centaine centaines cent mille millions".split(), r"[a-z]+[sx]|mort|blesse|disparu"),
    "it": ("due tre quattro cinque sei sette otto nove dieci undici dodici dozzina decina decine centinaia "
           "cento mille mila milioni".split(), r"[a-z]+[ie]"),
}
_COUNTED_STOPS = {"es": {"dias", "veces", "estados"}, "it": {"anni", "giorni", "mesi", "miliardi", "milioni", "ore",
                                                               "persone", "volte"}}
_THOUSANDS = {"en": ",", "es": ".", "fr": ".\u00a0\u202f ", "it": "."}  # digit-group separators (fr also spaces)


def _number_pattern(language: str) -> re.Pattern:
    words, counted = _COUNTS[language]
    groups = "[" + re.escape(_THOUSANDS[language]) + "]"
    digits = r"\d{1,3}(?:" + groups + r"\d{3})+(?:[.,]\d+)?(?!\d)|\d+(?:[.,]\d+)?"
    between = r"(?:[a-z-]+\s+){0,2}?" if language == "en" else ""
    return re.compile(r"\b(" + digits + "|" + "|".join(words) + r")\s+" + between + "(" + counted + r")\b", re.I)


_NUMBER = {language: _number_pattern(language) for language in _COUNTS}
_SUFFIX = re.compile(r"(?:ings|ing|ers|er|ed|es|s)$")


def _stems(text: str, stops: frozenset[str] = stop_words()) -> list[str]:
    """Lowercased content words (``stops`` left out) with a crude suffix cut ("bombing", "bomber" -> "bomb"), so
    retellings align."""
    words = [w for w in re.findall(r"\w+", text.lower()) if w not in stops]
    return [w if len(w) <= 4 or w.isdigit() else _SUFFIX.sub("", w) or w for w in words]


def numbers(text: str, language: str | None = "en") -> dict[str, str]:
    """{counted noun: number as written} for phrases like "28 Russian cruise missiles" -> {"missiles": "28"}, in
    ``language`` (en, es, fr, it; None is English; other languages give {}): "30 personnes tuées" ->
    {"personnes": "30"}. ``amount`` reads the number."""
    language = language_tag(language) or "en"
    if language not in _NUMBER:
        return {}
    folded = text if language == "en" else fold(text)  # one character for one: spans are the original's
    excluded = month_names(language) | _function_words(language)
    found = {}
    for match in _NUMBER[language].finditer(folded):
        if match.group(2).lower() not in excluded:
            found.setdefault(text[match.start(2):match.end(2)].lower(), text[match.start(1):match.end(1)].lower())
    return found


def amount(value: str, language: str | None = "en") -> str:
    """A number as ``numbers`` found it, its digit groups read in the language's way: "1.500" (es, it), "1 500"
    (fr) and "1,500" (en) -> "1500"; a decimal comma or point and number words are kept as written."""
    language = language_tag(language) or "en"
    separators = re.escape(_THOUSANDS.get(language, ","))
    if re.fullmatch(r"\d{1,3}(?:[" + separators + r"]\d{3})+(?:[.,]\d+)?", value):
        return re.sub("[" + separators + "]", "", value)
    return value


@lru_cache(maxsize=8)
def _function_words(language: str) -> frozenset[str]:
    if language == "en":
        return frozenset()
    return frozenset(fold(w) for w in stop_words([language])) - _COUNTED_STOPS.get(language, set())


def _dates(text: str, published, language: str | None) -> set[str]:
    return {d.value for d in find_dates(text, published, language=language) if d.value}


def _compatible(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def _conflict(a: Sentence, b: Sentence, published: Mapping[str, object],
              language: Mapping[str, str | None]) -> tuple[str, str, str] | None:
    """(kind, value in a, value in b) when the aligned sentences disagree, else None. Numbers are compared between
    two sentences of one language (undeclared: English), each read with its language's counted nouns."""
    tongue = {language.get(a.article) or "en", language.get(b.article) or "en"}
    na, nb = (numbers(a.text, *tongue), numbers(b.text, *tongue)) if len(tongue) == 1 else ({}, {})
    read = partial(amount, language=next(iter(tongue)))
    xa, xb = {read(v) for v in na.values()}, {read(v) for v in nb.values()}
    for noun in sorted(set(na) & set(nb)):
        if read(na[noun]) != read(nb[noun]) and read(na[noun]) not in xb and read(nb[noun]) not in xa:
            return "number", f"{na[noun]} {noun}", f"{nb[noun]} {noun}"
    da = _dates(a.text, published.get(a.article), language.get(a.article))
    db = _dates(b.text, published.get(b.article), language.get(b.article))
    if len(da) == 1 and len(db) == 1:
        x, y = next(iter(da)), next(iter(db))
        if not _compatible(x, y):
            return "date", x, y
    return None


def disagreements(articles: Sequence[Article], sentences: Sequence[Sentence],
                  duplicate_of: Mapping[str, str | None], limit: int = 10) -> list[Disagreement]:
    """Aligned sentence pairs from different independent sources that give different numbers or dates."""
    factual = [s for s in sentences if re.search(r"\d|" + "|".join(_WORDS), s.text, re.I) and s.words >= 6]
    if len(factual) < 2:
        return []
    language = {a.id: language_tag(a.language) for a in articles}
    try:
        stops = stop_words(language.values())
        vectorizer = TfidfVectorizer(tokenizer=partial(_stems, stops=stops), token_pattern=None, lowercase=False)
        vectors = normalize(vectorizer.fit_transform([s.text for s in factual]))
    except ValueError:
        return []
    similarity = (vectors @ vectors.T).tocoo()  # sparse: only aligned pairs matter
    published = {a.id: a.published for a in articles}
    found: list[Disagreement] = []
    pairs = sorted((i, j) for i, j, v in zip(similarity.row, similarity.col, similarity.data) if i < j and v >= ALIGNED)
    for i, j in pairs:
        a, b = factual[i], factual[j]
        if family(a.article, duplicate_of) == family(b.article, duplicate_of):
            continue
        conflict = _conflict(a, b, published, language)
        if conflict:
            kind, x, y = conflict
            found.append(Disagreement(kind, a.text, ((a.article, x), (b.article, y))))
        if len(found) >= limit:
            break
    return found


__all__ = ["ALIGNED", "amount", "disagreements", "numbers"]
