"""Briefs as Markdown (for download) and new stories as an Atom feed. Article text is escaped for each format."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any
from xml.etree import ElementTree as ET

from ..records import Article, Brief, brief_from_json
from .views import safe_url

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|])")
ATOM = "http://www.w3.org/2005/Atom"


def markdown(brief: Brief, articles: list[Article]) -> str:
    """The brief as Markdown: the project's renderer when there is one (fed inert text), else the one here."""
    try:
        from ..brief import render_markdown
    except ImportError:
        return render_markdown_fallback(brief, articles)
    safe_brief = brief_from_json(_inert_json(brief.to_json()))
    safe_articles = [replace(a, title=_inert(a.title), site=_inert(a.site), url=safe_url(a.url), text="")
                     for a in articles]
    return render_markdown(safe_brief, safe_articles)


def _inert(text: str | None) -> str | None:
    """No raw HTML and no link syntax survives in Markdown; viewers show the same characters."""
    if text is None:
        return None
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`\[\]])", r"\\\1", text)


def _inert_json(value: Any) -> Any:
    if isinstance(value, str):
        return _inert(value)
    if isinstance(value, list):
        return [_inert_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _inert_json(v) for k, v in value.items()}
    return value


def _md(text: str | None) -> str:
    """Untrusted text inert in Markdown: no markup, no raw HTML, one line."""
    text = " ".join((text or "").split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def render_markdown_fallback(brief: Brief, articles: list[Article]) -> str:
    numbers = {a.id: n for n, a in enumerate(articles, start=1)}

    def cite(ids: tuple[str, ...]) -> str:
        return "".join(f"[{numbers[i]}]" if i in numbers else "[?]" for i in ids)

    lines = [f"# {_md(brief.headline) or 'Untitled story'}", ""]
    lines += [f"- {_md(c.text)} {cite(c.sources)}" for c in brief.summary] or ["_No summary._"]
    if brief.quotes:
        lines += ["", "## Quotes", ""]
        lines += [f"- “{_md(q.text)}” — {_md(q.speaker) or 'unattributed'} {cite(q.sources)}" for q in brief.quotes]
    if brief.timeline:
        lines += ["", "## Timeline", ""]
        lines += [f"- **{_md(e.date)}** {_md(e.text)} {cite(e.sources)}" for e in brief.timeline]
    if brief.entities:
        lines += ["", "## People, organisations and places", ""]
        lines += [f"- {_md(e.name)} ({_md(e.label)}, {e.count})" for e in brief.entities]
    if brief.unique:
        lines += ["", "## Only in one source", ""]
        lines += [f"- {_md(u.text)} {cite((u.source,))}" for u in brief.unique]
    if brief.disagreements:
        lines += ["", "## Where sources disagree", ""]
        for d in brief.disagreements:
            claims = "; ".join(f"{cite((a,))} {_md(v)}" for a, v in d.claims)
            lines.append(f"- {_md(d.text)} ({_md(d.kind)}): {claims}")
    lines += ["", "## Sources", ""]
    lines += [_source_line(n, a) for a, n in ((a, numbers[a.id]) for a in articles)]
    return "\n".join(lines) + "\n"


def _source_line(number: int, article: Article) -> str:
    title = _md(article.title) or "untitled"
    site = _md(article.site) or "unknown source"
    url = safe_url(article.url)
    link = f" <{url.replace('>', '%3E')}>" if url else ""
    return f"{number}. {site}: {title}{link}"


def atom_feed(stories: list[dict[str, Any]], base_url: str) -> bytes:
    """An Atom feed of stories (newest activity first); ``base_url`` ends with a slash."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "title", "newsfuse: new stories")
    _sub(feed, "id", base_url + "feed.xml")
    ET.SubElement(feed, f"{{{ATOM}}}link", href=base_url + "feed.xml", rel="self")
    ET.SubElement(feed, f"{{{ATOM}}}link", href=base_url, rel="alternate")
    newest = max((s["last_seen"] for s in stories if s["last_seen"]), default=None)
    _sub(feed, "updated", newest or datetime.now(timezone.utc).isoformat(timespec="seconds"))
    for story in stories:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        link = f"{base_url}stories/{story['id']}"
        _sub(entry, "title", story["headline"] or "Untitled story")
        _sub(entry, "id", link)
        ET.SubElement(entry, f"{{{ATOM}}}link", href=link, rel="alternate")
        _sub(entry, "updated", story["last_seen"] or story["first_seen"] or "1970-01-01T00:00:00+00:00")
        if story["first_seen"]:
            _sub(entry, "published", story["first_seen"])
        sites = ", ".join(story["sites"][:8])
        summary = f"{story['articles']} articles, {story['sources']} independent sources ({sites})."
        _sub(entry, "summary", (story.get("teaser") or "") + " " + summary)
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        _sub(author, "name", "newsfuse")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = _xml_text(text)
    return element


def _xml_text(text: str) -> str:
    """Drop the control characters XML 1.0 cannot carry (ElementTree escapes the rest)."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", text.strip())
