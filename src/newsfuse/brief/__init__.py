"""Story -> Brief: cited summary, quotes, entities, timeline, unique, disagreements.

The names load from their modules on first use (PEP 562), so a reader that needs one light module does not import
scikit-learn and SciPy with the package: the web's brief download renders Markdown with ``render`` alone.
"""
from importlib import import_module
from typing import TYPE_CHECKING, Any

_HOMES = {"annotate_articles": "annotate", "seed_annotations": "annotate", "build_brief": "build",
          "render_html": "html_page", "escape_markdown": "render", "render_markdown": "render", "Weights": "summary",
          "choose_headline": "summary", "summarize": "summary"}

if TYPE_CHECKING:
    from .annotate import annotate_articles, seed_annotations
    from .build import build_brief
    from .html_page import render_html
    from .render import escape_markdown, render_markdown
    from .summary import Weights, choose_headline, summarize


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))


__all__ = ["Weights", "annotate_articles", "build_brief", "choose_headline", "escape_markdown", "render_html",
           "render_markdown", "seed_annotations", "summarize"]
