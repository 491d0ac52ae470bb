"""newsfuse: raw news pages from many outlets in; deduplicated stories with cited briefs out.

Quick start::

    import newsfuse
    report = newsfuse.run(["examples/"], "newsfuse.db")
    for story in newsfuse.export("newsfuse.db"):
        print(story["headline"], [s["text"] for s in story["brief"]["summary"]])
"""
from .api import brief, cluster, dedup, export, extract, read_jsonl, run, stories, summarize
from .config import Config, load_config
from .errors import NewsfuseError
from .records import Article, Brief, Cited, Drop, Duplicate, Page, Story

__version__ = "0.1.0"
__all__ = [
    "Article", "Brief", "Cited", "Config", "Drop", "Duplicate", "NewsfuseError", "Page", "Story", "brief",
    "cluster", "dedup", "export", "extract", "load_config", "read_jsonl", "run", "stories", "summarize",
]
