"""Markdown rendering of a brief, with [1][2] citations that map to the articles.

Every string that comes from an article (sentences, quotes, names, titles, sites, URLs) is escaped: ``<`` and
``>`` become entities, Markdown's link and emphasis characters get a backslash, a ``javascript:``-like scheme loses
its colon, and only http(s) URLs become links. Whatever a page says, the brief renders as text.
"""
from __future__ import annotations

import re
from typing import Mapping, Sequence
from urllib.parse import urlsplit

from ..records import Article, Brief

_MARKUP = re.compile(r"[\\`*_\[\]<>|]")
_SCHEME = re.compile(r"(?i)\b(javascript|vbscript|data|file)\s*:")
_ENTITIES = {"<": "&lt;", ">": "&gt;"}


def escape_markdown(text: str | None) -> str:
    """``text`` on one line, safe to put in Markdown: it renders as the same words and never as markup."""
    folded = " ".join(str(text or "").split())
    folded = _MARKUP.sub(lambda m: _ENTITIES.get(m.group(), "\\" + m.group()), folded)
    return _SCHEME.sub(lambda m: m.group(1) + "&#58;", folded)


def web_url(url: str | None) -> str | None:
    """``url`` when it is an http or https URL with a host (the only links a brief renders), else None."""
    if not url or any(c.isspace() or c in "<>\"'`" for c in url.strip()):
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def lineage(brief: Brief, articles: Sequence[Article],
            duplicate_of: Mapping[str, str | None] | None = None) -> dict[str, str | None]:
    """Article id -> the id it copies ("" when it is a copy of an unknown article), only for copies.

    From ``duplicate_of`` when given, else from the ``copies`` the brief's citations record.
    """
    ids = {a.id for a in articles}
    if duplicate_of is not None:
        return {a.id: (duplicate_of[a.id] if duplicate_of[a.id] in ids else "")
                for a in articles if duplicate_of.get(a.id)}
    copies = {c for item in (*brief.summary, *brief.quotes) for c in item.copies}
    return {aid: "" for aid in copies if aid in ids}


def support_note(independent: int | None, sources: Sequence[str]) -> str:
    """"(1 independent source)" when copies make the citations look like more support than there is."""
    if independent is None or independent >= len(sources):
        return ""
    return f"({independent} independent source{'' if independent == 1 else 's'})"


def _label(article: Article) -> str:
    title = escape_markdown(article.title or article.url or article.id)
    url = web_url(article.url)
    parts = [title] + [p for p in (escape_markdown(article.outlet), f"<{url}>" if url else escape_markdown(article.url))
                       if p and p != title]
    return " — ".join(parts)


def render_markdown(brief: Brief, articles: Sequence[Article],
                    duplicate_of: Mapping[str, str | None] | None = None) -> str:
    """The brief as Markdown: headline, cited summary (and each language's, when the story holds several), quotes,
    entities, timeline, unique, disagreements, sources
    (with which ones copy which, from ``duplicate_of`` when given, else from the brief's citations)."""
    number = {a.id: i for i, a in enumerate(articles, 1)}
    md = escape_markdown

    def cite(ids: Sequence[str], independent: int | None = None) -> str:
        marks = "".join(f"[{number[i]}]" for i in sorted(ids, key=lambda i: number.get(i, 0)) if i in number)
        return f"{marks} {support_note(independent, ids)}".strip()

    lines = [f"# {md(brief.headline or brief.story)}", ""]
    lines += [" ".join(f"{md(c.text)} {cite(c.sources, c.independent)}".strip() for c in brief.summary), ""]
    if brief.languages:
        lines += ["## In each language", ""]
        for part in brief.languages:
            lines += [f"**{md(part.language)}** ({part.articles} article{'s' if part.articles != 1 else ''}): "
                      + " ".join(f"{md(c.text)} {cite(c.sources, c.independent)}".strip() for c in part.summary), ""]
    if brief.quotes:
        lines += ["## Quotes", ""] + [f"- “{md(q.text)}” — {md(q.speaker) or 'unattributed'} "
                                      f"{cite(q.sources, q.independent)}" for q in brief.quotes] + [""]
    if brief.entities:
        lines += ["## Who and where", ""] + [
            f"- **{md(e.name)}** ({md(e.label)}, {e.count})"
            + (f" also: {', '.join(md(v) for v in e.variants)}" if e.variants else "") for e in brief.entities] + [""]
    if brief.timeline:
        lines += ["## Timeline", ""] + [_event(e, cite) for e in brief.timeline] + [""]
    if brief.unique:
        lines += ["## Only in one source", ""] + [f"- {md(u.text)} {cite([u.source])}" for u in brief.unique] + [""]
    if brief.disagreements:
        lines += ["## Disagreements", ""]
        for d in brief.disagreements:
            claims = "; ".join(f"{md(value)} {cite([aid])}" for aid, value in d.claims)
            lines.append(f"- {md(d.kind)}: {claims} — “{md(d.text)}”")
        lines.append("")
    copies = lineage(brief, articles, duplicate_of)
    lines += ["## Sources", ""] + [f"{number[a.id]}. {_label(a)}{_copy_note(a.id, copies, number)}" for a in articles]
    return "\n".join(lines).rstrip() + "\n"


def _event(event, cite) -> str:
    phrase = f" (“{escape_markdown(event.phrase)}”)" if event.phrase and event.phrase != event.date else ""
    when = escape_markdown(event.date) + ("" if event.resolved else " (relative)")
    return f"- **{when}**{phrase}: {escape_markdown(event.text)} {cite(event.sources)}"


def _copy_note(aid: str, copies: Mapping[str, str | None], number: Mapping[str, int]) -> str:
    if aid not in copies:
        return ""
    original = copies[aid]
    return f" (copy of [{number[original]}])" if original in number else " (copy)"


__all__ = ["escape_markdown", "lineage", "render_markdown", "support_note", "web_url"]
