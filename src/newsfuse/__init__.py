"""newsfuse: raw news pages from many outlets in; deduplicated stories with cited briefs out.

Quick start::

    import newsfuse
    report = newsfuse.run(["examples/"], "newsfuse.db")
    for story in newsfuse.export("newsfuse.db"):
        print(story["headline"], [s["text"] for s in story["brief"]["summary"]])
"""
import sys as _sys
from types import FunctionType, ModuleType

from .api import brief, cluster, dedup, export, extract, language_summaries, read_jsonl, run, stories, summarize
from .config import Config, load_config
from .errors import NewsfuseError
from .records import Article, Brief, Cited, Drop, Duplicate, LanguageSummary, Page, Story


class _Package(ModuleType):
    """Four API functions share their names with subpackages: extract, dedup, cluster, brief. Importing such a
    subpackage makes the import system set it as an attribute of this package, replacing the function, so once
    ``newsfuse.run(...)`` has imported ``newsfuse.extract``, ``newsfuse.extract(paths)`` would raise "'module'
    object is not callable". The functions stay; the subpackages remain importable by name
    (``from newsfuse.extract import ...``, ``importlib.import_module("newsfuse.extract")``)."""

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, ModuleType) and isinstance(self.__dict__.get(name), FunctionType):
            return
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package

__version__ = "0.1.0"
__all__ = [
    "Article", "Brief", "Cited", "Config", "Drop", "Duplicate", "LanguageSummary", "NewsfuseError", "Page", "Story",
    "brief", "cluster", "dedup", "export", "extract", "language_summaries", "load_config", "read_jsonl", "run",
    "stories", "summarize",
]
