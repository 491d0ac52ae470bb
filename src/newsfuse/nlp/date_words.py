"""Date expressions in Spanish, French and Italian: per-language month, weekday and relative words.

Each language has one pattern for the phrases anchored in the calendar ("12 de marzo de 2011", "le 1er février",
"il 5 aprile", "en 2011", "el lunes pasado", "il y a trois jours", "ieri", "15/03/2011"). A matched phrase is
rewritten word by word into the English phrase the English resolver reads ("12 march 2011", "last monday",
"3 days ago", "yesterday"), so one set of rules places every language's dates. A small table, not a date library:
these three languages write dates in a few fixed shapes, and the table keeps ``find_dates`` as fast as in English.
"""
from __future__ import annotations

import re
import unicodedata

_ENGLISH_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                   "october", "november", "december")
_ENGLISH_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_UNITS = ("day", "week", "month", "year")

# Per language, accents folded: months, weekdays, (day, week, month, year) forms, relative words -> English,
# numbers in words, the words before a number of units ago (``ago_before``) or after it (``ago_after``), and the
# prepositions that make a bare month or year a date.
_TABLES: dict[str, dict] = {
    "es": {
        "months": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre|setiembre",
                   "octubre", "noviembre", "diciembre"),
        "days": ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo"),
        "units": ("dias?", "semanas?", "mes|meses", "anos?"),
        "relative": {"ayer": "yesterday", "anteayer": "2 days ago", "hoy": "today", "pasado": "last",
                     "pasada": "last", "ultimo": "last", "proximo": "next", "proxima": "next", "este": "this",
                     "esta": "this"},
        "numbers": {"un": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
                    "ocho": 8, "nueve": 9, "diez": 10},
        "ago_before": r"hace", "ago_after": None, "prepositions": r"en|desde|de|hasta|a\s+partir\s+de",
    },
    "fr": {
        "months": ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre",
                   "novembre", "decembre"),
        "days": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
        "units": ("jours?", "semaines?", "mois", "ans?|annees?"),
        "relative": {"hier": "yesterday", "avant-hier": "2 days ago", "aujourd'hui": "today", "dernier": "last",
                     "derniere": "last", "passe": "last", "prochain": "next", "prochaine": "next", "cette": "this",
                     "ce": "this"},
        "numbers": {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
                    "huit": 8, "neuf": 9, "dix": 10},
        "ago_before": r"il\s+y\s+a", "ago_after": None, "prepositions": r"en|depuis|d[eu]|jusqu'en|fin|debut",
    },
    "it": {
        "months": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
                   "ottobre", "novembre", "dicembre"),
        "days": ("lunedi", "martedi", "mercoledi", "giovedi", "venerdi", "sabato", "domenica"),
        "units": ("giorn[oi]", "settiman[ae]", "mes[ei]", "ann[oi]"),
        "relative": {"ieri": "yesterday", "l'altro ieri": "2 days ago", "oggi": "today", "scorso": "last",
                     "scorsa": "last", "passato": "last", "prossimo": "next", "prossima": "next",
                     "quest'anno": "this year", "questo": "this", "questa": "this"},
        "numbers": {"un": 1, "uno": 1, "una": 1, "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "sei": 6,
                    "sette": 7, "otto": 8, "nove": 9, "dieci": 10},
        "ago_before": None, "ago_after": r"fa", "prepositions": r"in|nel|dal|del|dall'|nell'|fino\s+al|a",
    },
}
_YEAR = r"(?:19|20)\d{2}"
_ORDINAL = r"(?:er|eme|º|°|o)?"  # 1er mars, 1º de mayo, 1° maggio


class _FoldTable(dict):
    """str.translate's table, filled as characters are met: each character lowercased without its accents."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        lower = char.lower()
        base = "".join(c for c in unicodedata.normalize("NFD", lower) if not unicodedata.combining(c))
        self[code] = "'" if char in "\u2019\u02bc" else base if len(base) == 1 else lower if len(lower) == 1 else char
        return self[code]


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lowercase without accents, with one apostrophe (the tables are written so), one character for one, so the
    spans found in the folded text are the original's."""
    return text.translate(_FOLD)


def _alternatives(words) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


def _compile(table: dict) -> re.Pattern:
    month = r"(?:" + "|".join(table["months"]) + r")"
    day = r"(?:" + "|".join(table["days"]) + r")"
    number = r"(?:\d{1,3}|" + _alternatives(table["numbers"]) + r")"
    unit = r"(?:" + "|".join(table["units"]) + r")"
    relative_words = _alternatives(re.escape(w) for w in table["relative"])
    parts = [
        r"\d{1,2}" + _ORDINAL + r"\s+(?:de\s+)?" + month + r"(?:,?\s+(?:de\s+|del\s+)?" + _YEAR + r")?",
        month + r"\s+(?:de\s+|del\s+)?" + _YEAR,
        r"(?:" + table["prepositions"] + r")\s+(?:(?:el|le|il|l')\s*)?(?:" + month + r"|" + _YEAR + r")",
        r"(?:(?:el|le|il)\s+)?" + day + r"(?:\s+(?:" + relative_words + r"))?",
        r"(?:" + relative_words + r")\s+" + unit,
        r"(?:l')?" + unit + r"\s+(?:" + relative_words + r")",
        r"\d{1,2}[/.-]\d{1,2}[/.-]" + _YEAR,
        r"\d{4}-\d{2}-\d{2}",
        _alternatives(re.escape(w) for w, english in table["relative"].items()
                      if english in ("yesterday", "today", "2 days ago", "this year")),
    ]
    if table["ago_before"]:
        parts.append(table["ago_before"] + r"\s+" + number + r"\s+" + unit)
    if table["ago_after"]:
        parts.append(number + r"\s+" + unit + r"\s+" + table["ago_after"])
    return re.compile(r"(?<![\w'])(?:" + "|".join(parts) + r")(?!\w)")


_PATTERNS = {language: _compile(table) for language, table in _TABLES.items()}
LANGUAGES = frozenset(_TABLES)


def date_spans(text: str, language: str) -> list[tuple[int, int]]:
    """(start, end) of the date phrases of ``text`` in ``language`` (one of LANGUAGES)."""
    return [(m.start(), m.end()) for m in _PATTERNS[language].finditer(fold(text))]


def _word_table(table: dict) -> dict[str, str]:
    words = {w: _ENGLISH_MONTHS[i] for i, names in enumerate(table["months"]) for w in names.split("|")}
    words.update({w: _ENGLISH_DAYS[i] for i, w in enumerate(table["days"])})
    words.update({w: str(n) for w, n in table["numbers"].items()})
    return words


_WORDS = {language: _word_table(table) for language, table in _TABLES.items()}
_UNIT_RES = {language: [(re.compile(r"^(?:" + form + r")$"), english)
                        for form, english in zip(table["units"], _UNITS)] for language, table in _TABLES.items()}


def month_names(language: str) -> frozenset[str]:
    """The month names of ``language`` (one of LANGUAGES, or "en"), accents folded."""
    table = _TABLES.get(language)
    names = _ENGLISH_MONTHS if table is None else [w for names in table["months"] for w in names.split("|")]
    return frozenset(names)


def english_phrase(phrase: str, language: str) -> str:
    """The English phrase ``resolve_date`` reads for a phrase ``date_spans`` found: "12 de marzo de 2011" ->
    "12 march 2011", "el lunes pasado" -> "last monday", "il y a trois jours" -> "3 days ago", "15/03/2011" ->
    "15 march 2011" (day first, as these languages write it)."""
    text = fold(" ".join(phrase.split()))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    if numeric := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text):
        day, month, year = (int(g) for g in numeric.groups())
        return f"{day} {_ENGLISH_MONTHS[month - 1]} {year}" if 1 <= month <= 12 else ""
    table = _TABLES[language]
    for words, english in table["relative"].items():
        if " " in words and words in text:
            return english
    out, unit, ago = [], None, bool(table["ago_before"] and re.match(table["ago_before"], text)
                                     or table["ago_after"] and re.search(r"\s" + table["ago_after"] + r"$", text))
    for word in re.findall(r"[\w']+", text):
        if word in table["relative"]:
            out.insert(0, table["relative"][word])  # "el año pasado" -> "last year"
            continue
        word = re.sub(r"^(\d+)" + _ORDINAL + "$", r"\1", re.sub(r"^\w+'", "", word))  # l'anno, 1er
        if found := next((english for form, english in _UNIT_RES[language] if form.match(word)), None):
            unit = found
        elif word in _WORDS[language] or word.isdigit():
            out.append(_WORDS[language].get(word, word))
    if ago and unit and out:
        return f"{out[-1]} {unit}s ago"
    if "may" in out:  # the English resolver reads "may" as the month only before a number or alone
        out.remove("may")
        out.insert(sum(w in ("last", "next", "this") for w in out), "may")
    return " ".join(out + ([unit] if unit else []))


__all__ = ["LANGUAGES", "date_spans", "english_phrase", "fold", "month_names"]
