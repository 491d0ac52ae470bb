"""Readers: text, html, jsonl, warc -> Page (or Drop, naming the file and the reason)."""
from .files import iter_paths, page_from_object, parse_time, read_file, read_paths

__all__ = ["iter_paths", "page_from_object", "parse_time", "read_file", "read_paths"]
