"""Markdown rendering of a brief, with [1][2] citations that map to the articles."""
from __future__ import annotations

from typing import Sequence

from ..records import Article, Brief


def _label(article: Article) -> str:
    title = article.title or article.url or article.id
    parts = [title] + [p for p in (article.site, article.url) if p and p != title]
    return " — ".join(parts)


def render_markdown(brief: Brief, articles: Sequence[Article]) -> str:
    """The brief as Markdown: headline, cited summary, quotes, entities, timeline, unique, disagreements."""
    number = {a.id: i for i, a in enumerate(articles, 1)}

    def cite(ids: Sequence[str]) -> str:
        return "".join(f"[{number[i]}]" for i in sorted(ids, key=lambda i: number.get(i, 0)) if i in number)

    lines = [f"# {brief.headline or brief.story}", ""]
    lines += [" ".join(f"{c.text} {cite(c.sources)}".strip() for c in brief.summary), ""]
    if brief.quotes:
        lines += ["## Quotes", ""] + [f"- “{q.text}” — {q.speaker or 'unattributed'} {cite(q.sources)}"
                                      for q in brief.quotes] + [""]
    if brief.entities:
        lines += ["## Who and where", ""] + [
            f"- **{e.name}** ({e.label}, {e.count})" + (f" also: {', '.join(e.variants)}" if e.variants else "")
            for e in brief.entities] + [""]
    if brief.timeline:
        lines += ["## Timeline", ""] + [f"- **{e.date}**{'' if e.resolved else ' (relative)'}: {e.text} "
                                        f"{cite(e.sources)}" for e in brief.timeline] + [""]
    if brief.unique:
        lines += ["## Only in one source", ""] + [f"- {u.text} {cite([u.source])}" for u in brief.unique] + [""]
    if brief.disagreements:
        lines += ["## Disagreements", ""]
        for d in brief.disagreements:
            claims = "; ".join(f"{value} {cite([aid])}" for aid, value in d.claims)
            lines.append(f"- {d.kind}: {claims} — “{d.text}”")
        lines.append("")
    lines += ["## Sources", ""] + [f"{number[a.id]}. {_label(a)}" for a in articles]
    return "\n".join(lines).rstrip() + "\n"


__all__ = ["render_markdown"]
