"""HTML -> main text and metadata: one lxml parse, trafilatura on it, metadata read from the same tree.

Comments are left out (they are not the article, and leaving them out scores higher on WCXB). Metadata the reader
already set on the Page wins over what the page declares (see ``metadata.py``; trafilatura's own metadata pass
is not used: it took half the extraction time and found fewer right titles, authors and dates).

Evidence-based second pass: when the page shows many pieces of prose that trafilatura's text lacks (at least one
text piece of ``PROSE_WORDS`` or more words with a word absent from the text for every ``1 / RECALL_LINES`` words
of the text), it often stopped at a widget in the middle of the article or left out a section, so trafilatura
runs again with ``favor_recall`` (and ``fast``: its fallback extractors added nothing on these pages) and that
text wins when it is at least ``RECALL_GAIN`` times longer. On the 791 WCXB dev articles this second run happens
on about one page in six. It used to run when the text held under half of the page's visible words (with
``RECALL_GAIN`` 1.2; 0.938 -> 0.944 then); the missed-prose trigger runs about as often (142 pages vs 136) and
finds the pages where the recall text wins better: sum of F1 +0.97 (even pages +0.62, odd +0.35; chosen on the
even half), 0.9490 -> 0.9502 (see ``_missed_prose``).

The light pass after trafilatura removes ``***`` masking and a body printed twice, and nothing else: measured on
the 791 WCXB dev articles, also dropping furniture lines lowered the word F1 (0.93806 -> 0.93787), and so did
dropping repeated sentences (-> 0.93764), because trafilatura has already removed most furniture and pages
legitimately repeat disclaimers and table rows. A copy is therefore only a long run of repeated paragraphs or a
near-exact long paragraph (``textclean.tidy_with_words``: 0.9435 -> 0.9452). What trafilatura left out of the
page's visible text is recorded as ``("boilerplate", line)`` removals.

When the page's JSON-LD ``articleBody`` is ``BODY_GAIN`` times longer than trafilatura's first text, it replaces
the extracted text (``_declared_body``; 0.9452 -> 0.9459; compared with the first text rather than a longer recall
text since the missed-prose trigger: 0.9502 -> 0.9504). Otherwise the section headings trafilatura dropped between
two kept blocks go back in (``headings.restore_headings``, about +0.0008); then the headline printed as the first
line goes (``headings.drop_headline``, about +0.0008) and so does a trailing author box
(``furniture.drop_author_bio``, about +0.0003): 0.9459 -> 0.9479 for the three. Then a trailing furniture section
under its own heading ("Related articles", "About the author", ...) and a run of crumbs on top go (``tails.py``):
0.9479 -> 0.9490.
Furniture lines (``classify_line``) are still kept: without number-only lines they would add only +0.0001 for
1 ms a page. The page is parsed by ``parse_html``: trafilatura's own tree, in less time.
"""
from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from datetime import datetime

import trafilatura
from lxml.etree import XPath
from lxml.html import HtmlElement, fromstring
from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, HTML_PARSER, fromstring_bytes, load_html

from ..config import ExtractConfig
from .boilerplate import BOILERPLATE  # also: visible page text the HTML extractor left out of the article
from .furniture import FURNITURE, drop_author_bio
from .headings import drop_headline, restore_headings
from .metadata import PageMetadata, parse_date, read_metadata
from .tails import drop_lead_crumbs, drop_tail_section
from .textclean import TITLE_REPEAT, CleanedText, tidy_with_words

PROSE_WORDS = 8  # a visible text piece this long is prose (menus, buttons and labels are shorter)
RECALL_LINES = 0.02  # missed prose pieces per word of the text that make trafilatura run again with favor_recall
RECALL_GAIN = 1.1  # and the recall text wins when this many times longer
BODY_GAIN = 1.5  # JSON-LD articleBody this many times longer than the extracted text replaces it

_MARKUP = re.compile(r"<\s*[a-zA-Z!/]")
_WORD = re.compile(r"\w+")
_VISIBLE_TEXT = XPath("//body//*/text()[normalize-space()]"  # blank nodes skipped in libxml2: a third less time
                      "[not(parent::script or parent::style or parent::noscript or parent::template)]",
                      smart_strings=False)  # a text node's parent only: checking every ancestor cost 3x the time
# (the blank test first, then the parent's tag for the text nodes left: the same nodes in the same order as with
# the parent element tested first, in a sixth less time, 0.72 -> 0.60 ms a page on 300 WCXB articles)
_COUNT_ELEMENTS = XPath("count(//*)")
_INVALID_XML = tuple(map(chr, (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF)))  # as trafilatura's


@dataclass(frozen=True, slots=True)
class HtmlExtraction:
    """What was found in one page, with the text through the light pass."""

    text: str
    title: str | None = None
    url: str | None = None
    site: str | None = None
    author: str | None = None
    published: datetime | None = None
    language: str | None = None
    removed: tuple[tuple[str, str], ...] = ()
    words: int = 0  # \w+ words in ``text``


def looks_like_html(content: str) -> bool:
    """Whether ``content`` holds any markup at all."""
    return bool(_MARKUP.search(content[:100_000]))


class TooComplex(Exception):
    """A page with more elements than ``ExtractConfig.max_elements``."""


def extract_html(html: str, url: str | None, config: ExtractConfig) -> HtmlExtraction | None:
    """Main text and metadata of one page, or None when trafilatura finds no main text.

    Raises whatever trafilatura or lxml raise on broken input; ``extract_page`` turns that into a Drop.
    """
    tree = parse_html(html)
    if tree is None:
        return None
    elements = int(_COUNT_ELEMENTS(tree))  # in libxml2: iterating made an lxml proxy for every element
    if elements > config.max_elements:
        raise TooComplex(f"{elements} elements > extract.max_elements {config.max_elements}")
    text, words, visible, tokens, first = main_text(tree, url, config)
    if not text.strip():
        return None
    found: PageMetadata = read_metadata(tree, url, visible=visible)
    text, edits = _edit(tree, text, found, words, first)
    if config.clean_text:
        cleaned, words = tidy_with_words(text, furniture=False)
    else:
        cleaned, words = CleanedText(None, text), _WORD.findall(text.lower())
    return HtmlExtraction(
        text=cleaned.text, title=found.title, url=found.url, site=found.site, author=found.author,
        published=found.published, language=found.language,
        removed=_left_out(visible, tokens, set(words)) + edits + cleaned.removed, words=len(words),
    )


def parse_html(html: str) -> HtmlElement | None:
    """trafilatura's ``load_html`` of a page, the same tree, in a third less time: its first step deletes the
    characters XML forbids with a regex over the whole page (1.3 ms a page on WCXB, a fifth of the parse); here
    a quick look for them (0.5 ms) skips that step on pages that have none (nearly all), and the rest of its
    repairs and checks for a string are done as it does them. Other inputs go to ``load_html`` itself."""
    if not isinstance(html, str) or any(char in html for char in _INVALID_XML):
        return load_html(html)
    beginning = html[:50].lower()
    if "doctype" in beginning:  # the repairs of trafilatura.utils.repair_faulty_html after its regex
        first, _, rest = html.partition("\n")
        html = DOCTYPE_TAG.sub("", first, count=1) + "\n" + rest
    for line in html[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            html = FAULTY_HTML.sub(r"\1>", html, count=1)
            break
    tree, as_bytes = None, False
    try:
        tree = fromstring(html, parser=HTML_PARSER)
    except ValueError:  # a string with an encoding declaration: parsed as bytes
        tree, as_bytes = fromstring_bytes(html), True
    except Exception:  # noqa: BLE001 - as load_html: lxml failed on the string, the bytes get a try
        pass
    if (tree is None or len(tree) < 1) and not as_bytes:
        tree = fromstring_bytes(html)
    if tree is not None and "html" not in beginning and len(tree) < 2:
        return None  # load_html's rejection test: not (well-formed) HTML
    return tree


def _edit(tree: HtmlElement, text: str, found: PageMetadata, words: list[str],
          first: int | None = None) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The extracted text after the edits measured on WCXB (see the module docstring): the declared body when it is
    much longer than trafilatura's first text (``first``: its word count), else trafilatura's with its dropped
    headings restored; then without the headline on top and a trailing author box (``words``: the lowercased words
    of ``text``). Returns the text and what was removed, as (reason, line) pairs."""
    declared = _declared_body(found.body, text, first)
    text = restore_headings(tree, text, words) if declared is text else declared
    text, headline = drop_headline(text, found.title)
    removed = [(TITLE_REPEAT, headline)] if headline else []
    lines, bio = drop_author_bio(text.split("\n"), found.author)
    lines, tail = drop_tail_section(lines)
    lines, crumbs = drop_lead_crumbs(lines)
    removed.extend((FURNITURE, line.strip()) for line in crumbs + bio + tail if line.strip())
    return "\n".join(lines), tuple(removed)


def main_text(tree: HtmlElement, url: str | None,
              config: ExtractConfig) -> tuple[str, list[str], list[str], list[list[str]], int]:
    """trafilatura's main text of a parsed page (second pass with ``favor_recall`` on evidence, see the module
    docstring), its lowercased words, the page's visible text lines, the lowercased words of each (compared in
    ``_left_out``), and the word count of trafilatura's first text (``_declared_body`` compares with it)."""
    text = _trafilatura(tree, url, config)
    visible = [line for line in (" ".join(s.split()) for s in _VISIBLE_TEXT(tree)) if line]
    tokens = [_WORD.findall(line.lower()) for line in visible]
    words = _WORD.findall(text.lower())
    first = len(words)
    if not words or _missed_prose(tokens, words) >= RECALL_LINES * len(words):
        recall = _trafilatura(tree, url, config, favor_recall=True)  # fast: as good here, and a third the time
        recall_words = _WORD.findall(recall.lower())
        if len(recall_words) >= RECALL_GAIN * max(len(words), 1):
            text, words = recall, recall_words
    return text, words, visible, tokens, first


def _missed_prose(tokens: list[list[str]], words: list[str]) -> int:
    """How many visible text pieces (``tokens``: the lowercased words of each) of at least ``PROSE_WORDS`` words have
    a word absent from the text (``words``: its lowercased words): prose the extractor left out. Measured on the 791
    WCXB dev articles against the old trigger (text under half the visible words), with the recall text winning at
    1.1 times longer: ``RECALL_LINES`` 0.02 +0.97 summed F1 (142 second runs); 0.015 +0.69 (195), 0.01 +0.98 (285),
    0.025 +0.52 (113); ``PROSE_WORDS`` 6 at 0.025 +0.90 (171), 10 at 0.015 +0.74 (135), 12 at 0.01 +0.50 (155)."""
    kept = set(words)
    return sum(1 for line in tokens if len(line) >= PROSE_WORDS and not kept.issuperset(line))


def _declared_body(body: str | None, text: str, first: int | None = None) -> str:
    """The page's JSON-LD ``articleBody`` instead of the extracted text when it is ``BODY_GAIN`` times longer
    than trafilatura's first text (``first``: its word count; ``text``'s when None): the extractor then stopped
    early (at a table, or a container it took for a footer). Markup in it is not read. On the 24 WCXB dev articles
    with an articleBody, the body scores within 0.01 of the extracted text when both are about as long, and the one
    page whose body is 3.3 times longer goes from 0.39 to 0.99. Compared with the first text, not with a longer
    recall text that replaced it: the declared body is the page's own word on where the article ends (one page,
    0.84 -> 0.997: the recall text ran on into page furniture)."""
    if not body or looks_like_html(body):
        return text
    body = html_lib.unescape(body)
    first = len(_WORD.findall(text)) if first is None else first
    return body if len(_WORD.findall(body)) >= BODY_GAIN * first else text


def _trafilatura(tree: HtmlElement, url: str | None, config: ExtractConfig, favor_recall: bool = False) -> str:
    document = trafilatura.bare_extraction(tree, url=url, include_comments=False, with_metadata=False,
                                           include_tables=config.include_tables, favor_recall=favor_recall,
                                           fast=favor_recall)
    return (document.text or "") if document is not None else ""


def _left_out(visible: list[str], tokens: list[list[str]], kept: set[str]) -> tuple[tuple[str, str], ...]:
    """Visible text pieces (``tokens``: their lowercased words) with words absent from the extracted text (``kept``:
    its lowercased words): what the extractor dropped."""
    return tuple((BOILERPLATE, line) for line, words in zip(visible, tokens) if words and not kept.issuperset(words))


__all__ = ["BOILERPLATE", "HtmlExtraction", "extract_html", "looks_like_html", "main_text", "parse_date"]
