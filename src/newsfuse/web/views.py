"""View models: plain dicts and lists the templates and the JSON API render. Every string stays untrusted text."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from ..records import Article
from ..store import SqliteStore
from ..store import read
from . import charts
from .passages import best_passage, paragraphs


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s) with a host; None for javascript:, data:, relative and broken URLs."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ch in url for ch in "\r\n\t\x00 \"<>`"):
        return None
    return url.strip()


def short_time(value: str | datetime | None) -> str:
    """``2023-09-05 14:02`` from an ISO string or datetime; '' when unknown."""
    if value is None or value == "":
        return ""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return text[:16].replace("T", " ")


def story_view(store: SqliteStore, story_id: str) -> dict[str, Any]:
    """A story with its brief, each citation carrying the passage that supports it in the cited source."""
    story = read.story(store, story_id)
    brief = read.brief_json(store, story["id"]) or {}
    texts = {a.id: a for a in store.articles(m["id"] for m in story["articles"])}
    numbers = {m["id"]: n for n, m in enumerate(story["articles"], start=1)}
    by_id = {m["id"]: m for m in story["articles"]}
    for member in story["articles"]:
        member["number"] = numbers[member["id"]]
        member["safe_url"] = safe_url(member["url"])
        member["copy_of"] = by_id.get(member["duplicate_of"] or "")
    refs = _refs(story["articles"], numbers)
    story["brief"] = brief or None
    story["headline"] = brief.get("headline") or story["headline"]
    story["summary"] = [_cited(i, s["text"], s.get("sources", ()), refs, texts)
                        for i, s in enumerate(brief.get("summary", []))]
    story["languages"] = [dict(part, summary=[_cited(f"{part['language']}{i}", s["text"], s.get("sources", ()), refs,
                                                     texts) for i, s in enumerate(part.get("summary", []))])
                          for n, part in enumerate(brief.get("languages", [])) if n]  # the first is the summary
    story["main_language"] = (brief.get("languages") or [{}])[0].get("language")
    story["quotes"] = [dict(q, refs=_ref_list(q.get("sources", ()), refs)) for q in brief.get("quotes", [])]
    story["entities"] = brief.get("entities", [])
    story["timeline"] = [dict(e, refs=_ref_list(e.get("sources", ()), refs)) for e in brief.get("timeline", [])]
    story["unique"] = [dict(u, ref=refs.get(u.get("source"))) for u in brief.get("unique", [])]
    story["related"] = related(store, story["id"])
    story["coverage"] = charts.coverage(story["articles"])
    story["lineage"] = charts.lineage(story["articles"])
    story["disagreements"] = [dict(d, claims=[{"ref": refs.get(c[0]), "value": c[1]} for c in d.get("claims", [])])
                              for d in brief.get("disagreements", [])]
    return story


def related(store: SqliteStore, story_id: str) -> list[dict[str, Any]]:
    """Other stories of the story's storyline (``pipeline.related_of``): ``{id, headline, similarity}``."""
    from ..pipeline import related_of

    found = related_of(store, [story_id]).get(story_id, [])
    if not found:
        return []
    marks = ",".join("?" * len(found))
    headlines = {r["id"]: r["headline"] for r in store.db.execute(
        f"SELECT id, headline FROM stories WHERE id IN ({marks})", [other for other, _ in found])}
    return [{"id": other, "headline": headlines[other], "similarity": score}
            for other, score in found if other in headlines]


def _refs(members: list[dict[str, Any]], numbers: dict[str, int]) -> dict[str, dict[str, Any]]:
    return {m["id"]: {"id": m["id"], "number": numbers[m["id"]], "site": m["outlet"] or "unknown source",
                      "title": m["title"], "relation": m["relation"]} for m in members}


def _ref_list(sources: Any, refs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [refs.get(s) or {"id": s, "number": None, "site": "article not in story", "title": None}
            for s in sources]


def _cited(index: int | str, text: str, sources: Any, refs: dict[str, dict[str, Any]],
           texts: dict[str, Article]) -> dict[str, Any]:
    """A summary sentence and, per cited source, the exact passage found in that source's text."""
    citations = []
    for ref in _ref_list(sources, refs):
        article = texts.get(ref["id"])
        passage = best_passage(text, article.text) if article else None
        citations.append(dict(ref, anchor=f"c{index}-{ref['number'] or 0}",
                              passage=passage.text if passage else None,
                              sentence=passage.start if passage else None,
                              coverage=passage.coverage if passage else 0.0))
    return {"text": text, "citations": citations}


def article_view(store: SqliteStore, article_id: str) -> dict[str, Any]:
    """An article's metadata, its text as paragraphs of numbered sentences, and its lineage."""
    article = store.article(article_id)
    body, number = [], 0
    for para in paragraphs(article.text):
        body.append([(number + i, s) for i, s in enumerate(para)])
        number += len(para)
    data = article.to_json()
    data["outlet"] = article.outlet
    data["stored"] = store.stored_at([article_id]).get(article_id)
    data.update(read.lineage(store, article_id))
    data["safe_url"] = safe_url(article.url)
    data["paragraphs"] = body
    return data


def snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    """An FTS snippet (matches between \\x02 and \\x03) as (text, is_match) pieces, for escaping-safe markup."""
    parts: list[tuple[str, bool]] = []
    for chunk in snippet.split("\x02"):
        match, _, rest = chunk.partition("\x03")
        if rest or _:
            parts.append((match, True))
            if rest:
                parts.append((rest, False))
        elif chunk:
            parts.append((chunk, False))
    return parts


def plain_snippet(snippet: str) -> str:
    """The snippet for JSON: matches in [brackets], as ``store.search`` gives them."""
    return snippet.replace("\x02", "[").replace("\x03", "]")


__all__ = ["article_view", "plain_snippet", "safe_url", "short_time", "snippet_parts", "story_view"]
