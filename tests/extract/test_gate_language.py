"""Gate: language identification (``nlp.language``) against labelled and declared languages.

- crisis.jsonl (../shared/data/multilingual), en/es/fr/it, its ``language`` field as gold: every 2nd of the 3,352
  articles (1,676), since all of them take over 30 s on a loaded machine (``bench/language.py`` scores all). Two
  figures: the identifier's answer (``identify_language``), and the language stored for an article that declares
  none (``article_language(text)``: None, unknown, where the identifier is less than ``CONFIDENT`` sure, counts as
  wrong).
- WCXB dev: its ground truth has no language field, so the reference is the language the page declares in
  ``<html lang>`` (primary subtag), on the gold main text of the 1,420 pages that declare one (of 1,476 with text):
  the identifier's answer, and the language stored (``article_language(text, declared)``).

Floors in ``[language]`` of tests/floors.toml. Run with ``-s`` to see the figures and the confusion tables.
"""
from __future__ import annotations

import gzip
import json
import re
import time
from collections import Counter

import pytest

from newsfuse.config import ExtractConfig
from newsfuse.extract import extract_page
from newsfuse.nlp.language import CONFIDENT, article_language, identify_language, language_tag
from newsfuse.records import Article, Page

from ..conftest import DATA, shared_or_fail

CRISIS = DATA / "multilingual" / "crisis.jsonl"
WCXB = DATA / "extraction" / "wcxb-dev"
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([^\"'\s>]+)", re.IGNORECASE)


def _confusion(pairs: list[tuple[str, str | None]]) -> str:
    """Rows: the reference language; columns: the answers given (None: unknown)."""
    counts = Counter(pairs)
    rows = sorted({gold for gold, _ in pairs})
    columns = rows + sorted({str(got) for _, got in pairs} - set(rows))
    lines = ["gold \\ got " + "".join(f"{c:>7}" for c in columns)]
    for gold in rows:
        cells = (counts[(gold, None if c == "None" else c)] for c in columns)
        lines.append(f"{gold:<11}" + "".join(f"{n:>7}" for n in cells))
    return "\n".join(lines)


@pytest.mark.gate
def test_language_on_crisis(floors):
    rows = [json.loads(line) for line in shared_or_fail(CRISIS).open(encoding="utf-8")]
    assert len(rows) == 3352
    rows = rows[::2]
    start = time.perf_counter()
    found = [identify_language(row["text"]) for row in rows]
    seconds = time.perf_counter() - start
    gold = [row["language"] for row in rows]
    identified = sum(g == language for g, (language, _) in zip(gold, found)) / len(rows)
    stored = [language if p >= CONFIDENT else None for language, p in found]
    assert stored[:100] == [article_language(row["text"]) for row in rows[:100]]  # the same rule
    stored_share = sum(g == s for g, s in zip(gold, stored)) / len(rows)
    floor = floors["language"]
    print(f"\ncrisis.jsonl, {len(rows)} articles in {seconds:.1f}s: identified {identified:.4f}, stored without a "
          f"declared language {stored_share:.4f} (floors {floor['crisis_identified_floor']}, "
          f"{floor['crisis_stored_floor']})\n{_confusion(list(zip(gold, stored)))}")
    assert identified >= floor["crisis_identified_floor"]
    assert stored_share >= floor["crisis_stored_floor"]


@pytest.mark.gate
def test_language_on_wcxb_declared(floors):
    pairs, stored = [], []
    for truth_path in sorted((shared_or_fail(WCXB) / "ground-truth").glob("*.json")):
        gold = (json.loads(truth_path.read_text(encoding="utf-8")).get("ground_truth") or {}).get("main_content")
        if not (gold or "").strip():
            continue
        with gzip.open(WCXB / "html" / f"{truth_path.stem}.html.gz") as page:
            match = _HTML_LANG.search(page.read(20_000).decode("utf-8", errors="replace"))
        declared = language_tag(match.group(1)) if match else None
        if declared:
            language, probability = identify_language(gold)
            pairs.append((declared, language))
            stored.append((declared, language if probability >= CONFIDENT else declared))
    identified = sum(a == b for a, b in pairs) / len(pairs)
    kept = sum(a == b for a, b in stored) / len(stored)
    floor = floors["language"]
    print(f"\nWCXB dev, {len(pairs)} pages declaring a language: identified = declared {identified:.4f}, stored = "
          f"declared {kept:.4f} (floors {floor['wcxb_identified_floor']}, {floor['wcxb_stored_floor']})\n"
          f"identified:\n{_confusion(pairs)}\nstored:\n{_confusion(stored)}")
    assert len(pairs) > 1400
    assert identified >= floor["wcxb_identified_floor"]
    assert kept >= floor["wcxb_stored_floor"]


def test_extract_page_stores_the_identified_language():
    text = ("Le gouvernement a annoncé mardi un plan de reconstruction des digues du port, endommagées par la tempête "
            "de la semaine dernière. Les travaux commenceront en octobre et dureront deux ans, selon le ministère.")
    page = Page(id="fr", path="fr.html", kind="html", url="https://example.org/fr", language="en-US",
                content=f'<html lang="en-US"><body><article><h1>Digues</h1><p>{text}</p></article></body></html>')
    article = extract_page(page)
    assert isinstance(article, Article) and article.language == "fr"  # the text wins over a template's lang
    short = extract_page(Page(id="s", path="s.txt", kind="article", language="pt-BR", content="Boa noite"),
                         ExtractConfig(min_words=1))
    assert isinstance(short, Article) and short.language == "pt"  # too short to tell: the declared language
