"""The store: SQLite by default, behind a small protocol the pipeline uses."""
from .sqlite import SqliteStore

__all__ = ["SqliteStore"]
