"""Story -> Brief: cited summary, quotes, entities, timeline, unique, disagreements."""
from .build import build_brief
from .html_page import render_html
from .render import escape_markdown, render_markdown
from .summary import Weights, choose_headline, summarize

__all__ = ["Weights", "build_brief", "choose_headline", "escape_markdown", "render_html", "render_markdown",
           "summarize"]
