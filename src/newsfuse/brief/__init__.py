"""Story -> Brief: cited summary, quotes, entities, timeline, unique, disagreements."""
from .build import build_brief
from .render import render_markdown
from .summary import Weights, choose_headline, summarize

__all__ = ["Weights", "build_brief", "choose_headline", "render_markdown", "summarize"]
