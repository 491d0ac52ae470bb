"""What a ``--db`` value names, read without importing any database driver: an SQLite file or a PostgreSQL URL."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def is_postgres_url(db: object) -> bool:
    """True for ``postgresql://...`` and ``postgres://...``: the PostgreSQL store, not an SQLite file."""
    return str(db).startswith(("postgresql://", "postgres://"))


def display_url(url: str) -> str:
    """The URL without its password (in the authority or as a ``password=`` parameter), for messages."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user.split(':', 1)[0]}@{host}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "password"])
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def shown(db: object) -> str:
    """``db`` as messages name it: a path as given, a PostgreSQL URL without its password."""
    return display_url(str(db)) if is_postgres_url(db) else str(db)
