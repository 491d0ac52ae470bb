"""A brief as one standalone HTML page: inline CSS, no scripts, nothing fetched.

Citations are footnote links to the numbered source list, which shows each source's lineage (which copies which).
Every string from an article goes through ``html.escape``; only http(s) URLs become links, and the page's
Content-Security-Policy forbids scripts and remote loads, in case a string ever slipped through.
"""
from __future__ import annotations

from html import escape
from typing import Mapping, Sequence

from ..records import Article, Brief, Event
from .render import lineage, support_note, web_url

_CSS = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d1d1f;background:#fff;margin:0}
main{max-width:46rem;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.1rem;margin:2rem 0 .5rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
ul,ol{padding-left:1.4rem}li{margin:.3rem 0}
sup a{text-decoration:none;font-size:.75em}.support,.meta{color:#666;font-size:.85em}
blockquote{margin:0;font-style:italic}.label{font-size:.75em;color:#555;border:1px solid #ccc;
border-radius:3px;padding:0 .25rem}time{font-weight:600}:target{background:#fff6cc}
""".strip()
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'"


class _Page:
    """Numbers sources and writes citation marks; every article string is escaped here or by the caller."""

    def __init__(self, articles: Sequence[Article]):
        self.number = {a.id: i for i, a in enumerate(articles, 1)}

    def cite(self, ids: Sequence[str], independent: int | None = None) -> str:
        marks = "".join(f'<sup><a href="#source-{self.number[i]}">[{self.number[i]}]</a></sup>'
                        for i in sorted(ids, key=lambda i: self.number.get(i, 0)) if i in self.number)
        note = support_note(independent, ids)
        return marks + (f' <span class="support">{escape(note)}</span>' if note else "")


def _section(title: str, items: Sequence[str], tag: str = "ul") -> list[str]:
    """A titled list; an item that is already a list element (``<li id=...>``) is not wrapped again."""
    if not items:
        return []
    return [f"<section><h2>{escape(title)}</h2><{tag}>"] + [
        item if item.startswith("<li") else f"<li>{item}</li>" for item in items] + [f"</{tag}>", "</section>"]


def _event(event: Event, page: _Page) -> str:
    date = escape(event.date)
    when = f'<time datetime="{date}">{date}</time>' if event.resolved else f"<time>{date}</time> (relative)"
    phrase = f" (“{escape(event.phrase)}”)" if event.phrase and event.phrase != event.date else ""
    return f"{when}{phrase}: {escape(event.text)} {page.cite(event.sources)}"


def _source(article: Article, page: _Page, copies: Mapping[str, str | None]) -> str:
    title = escape(article.title or article.url or article.id)
    url = web_url(article.url)
    head = f'<a href="{escape(url)}" rel="nofollow noopener noreferrer">{title}</a>' if url else title
    meta = [escape(p) for p in (article.outlet, article.url if not url else None) if p]
    if article.id in copies:
        original = copies[article.id]
        meta.append(f'copy of <a href="#source-{page.number[original]}">[{page.number[original]}]</a>'
                    if original in page.number else "a copy")
    elif copies:
        meta.append("original")
    return f'<li id="source-{page.number[article.id]}">{head}' + (
        f' <span class="meta">— {" · ".join(meta)}</span>' if meta else "") + "</li>"


def render_html(brief: Brief, articles: Sequence[Article],
                duplicate_of: Mapping[str, str | None] | None = None) -> str:
    """The brief as a self-contained HTML page: cited summary (and each language's, when the story holds several),
    quotes, entities, timeline, unique passages,
    disagreements and the numbered sources with their lineage (from ``duplicate_of`` when given, else from the
    copies the brief's citations record)."""
    page = _Page(articles)
    title = escape(brief.headline or brief.story)
    summary = " ".join(f"{escape(c.text)} {page.cite(c.sources, c.independent)}" for c in brief.summary)
    body = [f"<h1>{title}</h1>"] + ([f'<section class="summary"><p>{summary}</p></section>'] if summary else [])
    body += _section("In each language", [
        f'<strong lang="{escape(part.language)}">{escape(part.language)}</strong> ({part.articles} article'
        f'{"" if part.articles == 1 else "s"}): <span lang="{escape(part.language)}">'
        + " ".join(f"{escape(c.text)} {page.cite(c.sources, c.independent)}" for c in part.summary) + "</span>"
        for part in brief.languages])
    body += _section("Quotes", [f"<blockquote>“{escape(q.text)}”</blockquote> — "
                                f"{escape(q.speaker) if q.speaker else 'unattributed'} "
                                f"{page.cite(q.sources, q.independent)}" for q in brief.quotes])
    body += _section("Who and where", [
        f'<strong>{escape(e.name)}</strong> <span class="label">{escape(e.label)}</span> {e.count} mention'
        f'{"" if e.count == 1 else "s"}' + (f' <span class="meta">also: {escape(", ".join(e.variants))}</span>'
                                            if e.variants else "") for e in brief.entities])
    body += _section("Timeline", [_event(e, page) for e in brief.timeline])
    body += _section("Only in one source", [f"{escape(u.text)} {page.cite([u.source])}" for u in brief.unique])
    body += _section("Disagreements", [
        f"{escape(d.kind)}: " + "; ".join(f"{escape(value)} {page.cite([aid])}" for aid, value in d.claims)
        + f" — “{escape(d.text)}”" for d in brief.disagreements])
    copies = lineage(brief, articles, duplicate_of)
    body += _section("Sources", [_source(a, page, copies) for a in articles], "ol")
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">', f"<title>{title}</title>",
        f"<style>{_CSS}</style>", "</head>", "<body>", "<main>", *body, "</main>", "</body>", "</html>", ""])


__all__ = ["render_html"]
