"""Which language a text is written in.

``identify_language(text)`` asks py3langid (a naive Bayes classifier over byte n-grams of 97 languages; its model
ships in the package, 4.6 MB) about a sample of the text: its first ``SAMPLE_CHARS`` characters, from which the
letters of every script but the sample's main one are taken out. A French report quoting Arabic tweets is French:
scored on bytes, a few lines of Arabic (two bytes a letter) outweigh a page of French.

``article_language(text, declared)`` is the language newsfuse stores for an article. What the page or the reader
declares (``<html lang>``, og:locale, a ``language`` field) is a hint: the identified language wins when the
identifier gives it a probability of at least ``CONFIDENT``; below that (a text too short to tell, a mix) the
declared language stays; with nothing declared the answer is unknown (None). Languages are ISO 639 codes as
py3langid names them (two letters where there is one: ``en``, ``es``; else three: ``ary``); a declared tag keeps
its primary subtag only (``en-US`` and ``en_GB`` are ``en``), so one language has one name in the store.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

SAMPLE_CHARS = 2000
CONFIDENT = 0.9
# Letters by script. CJK is one group: Japanese writes Han and kana in one sentence, Korean may use Han.
_SCRIPTS = {
    "latin": "A-Za-z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff",
    "greek": "\u0370-\u03ff\u1f00-\u1fff",
    "cyrillic": "\u0400-\u052f",
    "armenian": "\u0530-\u058f",
    "hebrew": "\u0590-\u05ff\ufb1d-\ufb4f",
    "arabic": "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff",
    "indic": "\u0900-\u0dff",
    "southeast_asian": "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff",
    "georgian": "\u10a0-\u10ff",
    "ethiopic": "\u1200-\u139f",
    "cjk": "\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff",
}
_RUNS = {name: re.compile(f"[{letters}]+") for name, letters in _SCRIPTS.items()}
_OTHERS = {name: re.compile("[" + "".join(v for k, v in _SCRIPTS.items() if k != name) + "]+") for name in _SCRIPTS}
_TAG = re.compile(r"\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*$")
_NOT_LANGUAGES = frozenset({"und", "mul", "zxx", "mis"})


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    """py3langid's model with probabilities that sum to one, loaded once per process (about 1 s)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def main_script_sample(text: str) -> str:
    """The first ``SAMPLE_CHARS`` characters of ``text`` with the letters of scripts other than the one with most
    letters there replaced by spaces (digits, punctuation and letters of unlisted scripts stay)."""
    sample = text[:SAMPLE_CHARS]
    counts = {name: sum(map(len, runs.findall(sample))) for name, runs in _RUNS.items()}
    main = max(counts, key=counts.__getitem__)
    if counts[main] == sum(counts.values()):
        return sample  # one script (or none listed): nothing to take out
    return _OTHERS[main].sub(" ", sample)


def identify_language(text: str) -> tuple[str | None, float]:
    """The most probable language of ``text`` and its probability; (None, 0.0) for a text without letters."""
    sample = main_script_sample(text)
    if not any(char.isalpha() for char in sample):
        return None, 0.0
    language, probability = _identifier().classify(sample)
    return language, probability


def language_tag(value: str | None) -> str | None:
    """The primary subtag of a declared language, lowercased ("en-US" -> "en", "fr_FR" -> "fr"); None for an empty,
    malformed or non-language tag ("und", "x-default")."""
    match = _TAG.match(value or "")
    tag = match.group(1).lower() if match else None
    return None if tag in _NOT_LANGUAGES else tag


def article_language(text: str, declared: str | None = None) -> str | None:
    """The language stored for an article: the identified one when its probability is at least ``CONFIDENT``,
    else the declared one (its primary subtag), else None."""
    language, probability = identify_language(text)
    if language is not None and probability >= CONFIDENT:
        return language
    return language_tag(declared)


__all__ = ["CONFIDENT", "SAMPLE_CHARS", "article_language", "identify_language", "language_tag",
           "main_script_sample"]
