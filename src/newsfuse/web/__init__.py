"""Read-only web UI and JSON API over the Store: ``create_app(db_path)`` and ``serve(db, host, port)``."""
from .app import create_app, serve

__all__ = ["create_app", "serve"]
