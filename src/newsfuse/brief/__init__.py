"""Story -> Brief: cited summary, quotes, entities, timeline, unique, disagreements."""
from .annotate import annotate_articles, seed_annotations
from .build import build_brief
from .html_page import render_html
from .render import escape_markdown, render_markdown
from .summary import Weights, choose_headline, summarize

__all__ = ["Weights", "annotate_articles", "build_brief", "choose_headline", "escape_markdown", "render_html",
           "render_markdown", "seed_annotations", "summarize"]
