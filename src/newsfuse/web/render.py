"""Briefs as Markdown (for download) and new stories as an Atom feed. Article text is escaped for each format."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any
from xml.etree import ElementTree as ET

from ..records import Article, Brief

ATOM = "http://www.w3.org/2005/Atom"


def markdown(brief: Brief, articles: list[Article], duplicate_of: dict[str, str | None] | None = None) -> str:
    """The brief as Markdown, through the project's renderer, which escapes every article string."""
    from ..brief import render_markdown

    return render_markdown(brief, articles, duplicate_of=duplicate_of)



def atom_feed(stories: list[dict[str, Any]], base_url: str, title: str = "newsfuse: new stories",
              path: str = "feed.xml") -> bytes:
    """An Atom feed of stories (newest activity first) at ``base_url + path``; ``base_url`` ends with a slash."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "title", title)
    _sub(feed, "id", base_url + path)
    ET.SubElement(feed, f"{{{ATOM}}}link", href=base_url + path, rel="self")
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
        if story["first_seen"] and story.get("first_seen_source") != "stored":  # a stored time is no publication
            _sub(entry, "published", story["first_seen"])
        sites = ", ".join(story["outlets"][:8])
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
