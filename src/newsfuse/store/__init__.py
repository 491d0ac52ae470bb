"""The store: SQLite by default, behind a small protocol the pipeline uses."""
from .sqlite import SqliteStore, sqlite_path

__all__ = ["SqliteStore", "sqlite_path"]
