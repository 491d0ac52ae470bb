"""The web UI and JSON API: ``create_app(db_path)`` gives a FastAPI app over a newsfuse store.

Every request reads the store through a read-only connection (another process may be writing it: WAL) that the app
keeps for later requests, a few of them, closed with the app (``SqliteStorePool``, ``PgStorePool``).
All article strings are untrusted: templates autoescape, links go out only to http(s) URLs, and a strict
Content-Security-Policy forbids inline script. Edits (merge stories, exclude an article) need ``allow_edits``.
Error pages and API errors never show the server's paths: the store's path reads "the store", and a store that
cannot be read is reported in the server's log, with a generic message to the client; an edit refused because a run
held the store past the edit's wait answers 503 with Retry-After. Finished GET responses are kept while the store
is unchanged (``web/cache.py``); ``serve(workers=N)`` runs N such processes on one port.
"""
from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import NewsfuseError, NotFoundError, StoreBusyError, StoreError
from ..store import SqlStore, is_postgres_url, shown, sqlite_path, store_exists
from ..store import open_store as open_backend
from ..store.sqlite import SqliteStorePool
from .cache import DEFAULT_MB, CachedResponses, ResponseCache, StoreVersion
from .snapshot import SnapshotCache
from .views import safe_url, short_time

HERE = Path(__file__).resolve().parent
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# FastAPI's /docs and /redoc pages load Swagger UI / ReDoc from a CDN with an inline bootstrap script; they show
# no article data, so they alone get a policy that allows that.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
            "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
DOCS_PATHS = ("/docs", "/redoc")
UNAVAILABLE = "the store cannot be read right now; the server's log says why"
BUSY = "a run is placing articles in the store; retry the edit when it ends"
BUSY_RETRY_AFTER = 30  # seconds, the Retry-After of an edit refused while a run held the store (about EDIT_LOCK_WAIT)
SERVE_ENV = "NEWSFUSE_SERVE"  # serve()'s arguments, handed to each worker process's create_app as JSON
log = logging.getLogger("newsfuse.web")


def create_app(db_path: str, allow_edits: bool = False, cache_mb: float = DEFAULT_MB) -> FastAPI:
    """A FastAPI app serving the store at ``db_path``: pages at /, JSON under /api, docs at /docs; up to
    ``cache_mb`` megabytes of finished responses kept while the store is unchanged (0: none)."""
    from . import alerts, api, pages

    app = FastAPI(title="newsfuse", version="0.1.0", lifespan=_lifespan,
                  description="Deduplicated news stories with cited briefs, read from a newsfuse store.")
    app.state.db_path = db_path if is_postgres_url(db_path) else sqlite_path(db_path)
    app.state.allow_edits = allow_edits
    app.state.templates = _templates()
    app.state.snapshots = SnapshotCache(app.state.db_path)
    app.state.store_pool = _store_pool(app.state.db_path)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(alerts.router)
    app.include_router(pages.router)
    if cache_mb > 0:
        app.state.response_cache = ResponseCache(int(cache_mb * 1_000_000))
        app.state.store_version = StoreVersion(app.state.db_path)
        app.add_middleware(CachedResponses, cache=app.state.response_cache, version=app.state.store_version,
                           snapshots=app.state.snapshots)
    app.add_middleware(SecurityHeaders)  # outermost: cached answers and 304s get the headers too
    app.add_exception_handler(NotFoundError, _not_found)
    app.add_exception_handler(StoreError, _store_error)
    app.add_exception_handler(StoreBusyError, _store_busy)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    threading.Thread(target=_warm, args=(app,), name="newsfuse-warm", daemon=True).start()
    yield
    version = getattr(app.state, "store_version", None)
    if version is not None:
        version.close()
    app.state.store_pool.close()


def _store_pool(path: str) -> Any:
    """The stores kept for requests: ``PgStorePool`` for a PostgreSQL store, else ``SqliteStorePool``."""
    if not is_postgres_url(path):
        return SqliteStorePool(path)
    from ..store.postgres import PgStorePool

    return PgStorePool()


def _warm(app: FastAPI) -> None:
    """The store's snapshot, built off the first request's path."""
    try:
        path = app.state.db_path
        if store_exists(path):
            with open_backend(path, readonly=True) as store:
                app.state.snapshots.get(store)
    except Exception as exc:  # the first request that needs them tries again, and says why
        log.warning("warming up: %s", exc)


class ViewEnvironment(jinja2.Environment):
    """Jinja's environment for view models, which are plain dicts: ``story.headline`` reads the key first, where
    Jinja tries an attribute first and raises and catches an AttributeError for each of a page's hundreds of
    lookups. A name that is no key still finds the attribute (``sorts.items()``)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def _templates() -> Jinja2Templates:
    env = ViewEnvironment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                          autoescape=True,     # every template, whatever its name
                          auto_reload=False)   # the templates ship with the package: no stat of each on a render
    templates = Jinja2Templates(env=env)
    env.filters["when"] = short_time
    env.filters["safe_url"] = safe_url
    return templates


def open_store(request: Request) -> Iterator[SqlStore]:
    """FastAPI dependency: a read-only store for this request, kept for a later request after it."""
    path, pool = request.app.state.db_path, request.app.state.store_pool
    store = pool.take()
    if store is None:
        if not store_exists(path):
            raise StoreError(f"no store at {shown(path)}: run `newsfuse run INPUT --db {shown(path)}` first")  # logged
        store = open_backend(path, readonly=True)
    try:
        yield store
    finally:
        pool.give(store)


class SecurityHeaders:
    """Plain ASGI middleware that adds the security headers to every response (lighter than an ``http``
    middleware, which runs each response through a task group and a stream)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_CSP if scope["path"] in DOCS_PATHS else CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = policy
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["X-Frame-Options"] = "DENY"
                if "cache-control" not in headers:
                    headers["Cache-Control"] = "no-cache"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path == "/openapi.json"


def without_paths(request: Request, message: str) -> str:
    """The message with the store's path, as given and as resolved, replaced by "the store" (the store's own
    messages name it: "no story 'x' in PATH")."""
    given = request.app.state.db_path
    for path in sorted({str(Path(given).resolve()), str(Path(given).absolute()), given}, key=len, reverse=True):
        if path and path != ":memory:":
            message = re.sub(rf"(?<![\w.-]){re.escape(path)}(?![\w.-])", "the store", message)
    return message


def error_response(request: Request, status: int, message: str) -> Response:
    """JSON ``{"error": ...}`` under /api, an HTML page elsewhere; neither shows the store's path."""
    message = without_paths(request, message)
    if wants_json(request):
        return JSONResponse({"error": message, "status": status}, status_code=status)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                      status_code=status)


async def _not_found(request: Request, exc: Exception) -> Response:
    return error_response(request, 404, str(exc))


async def _store_error(request: Request, exc: Exception) -> Response:
    message = str(exc)
    if message.startswith("bad search query"):
        return error_response(request, 400, message)
    log.error("%s %s: %s", request.method, request.url.path, message)
    if message.startswith("no store at"):
        return error_response(request, 503, "no store yet: run `newsfuse run INPUT --db STORE` on the server first")
    return error_response(request, 503, UNAVAILABLE)


async def _store_busy(request: Request, exc: Exception) -> Response:
    """An edit that waited for a run holding the store and gave up: the client may send it again later."""
    log.warning("%s %s: %s", request.method, request.url.path, exc)
    answer = error_response(request, 503, BUSY)
    answer.headers["Retry-After"] = str(BUSY_RETRY_AFTER)
    return answer


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else "error"
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"nothing at {request.url.path}"
    return error_response(request, exc.status_code, detail)


def serve(db: str, host: str = "127.0.0.1", port: int = 8000, allow_edits: bool = False, workers: int = 1,
          cache_mb: float = DEFAULT_MB) -> None:
    """Run the web UI and API with uvicorn until interrupted (``newsfuse serve``): ``workers`` processes on one
    port, each with its own store connections, snapshot and response cache of ``cache_mb`` megabytes."""
    import uvicorn

    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise NewsfuseError(f"--workers must be a whole number of at least 1, not {workers!r}: one process per "
                            f"core is the usual choice (this machine has {os.cpu_count()})")
    if cache_mb < 0:
        raise NewsfuseError(f"--cache-mb must be 0 (no response cache) or more, not {cache_mb}")
    if not store_exists(db):
        raise NotFoundError(f"no store at {shown(db)}: run `newsfuse run INPUT --db {shown(db)}` first")
    options: dict = {"host": host, "port": port, "log_level": "info", "proxy_headers": False,
                     "server_header": False}
    if workers == 1:
        uvicorn.run(create_app(db, allow_edits=allow_edits, cache_mb=cache_mb), **options)
        return
    # Worker processes start afresh (spawned) and import the app by name, so its arguments travel in the
    # environment they inherit.
    os.environ[SERVE_ENV] = json.dumps({"db_path": db, "allow_edits": allow_edits, "cache_mb": cache_mb})
    uvicorn.run("newsfuse.web.app:app_from_environment", factory=True, workers=workers, **options)


def app_from_environment() -> FastAPI:
    """The app of one ``serve(workers=N)`` worker, from the arguments ``serve`` put in NEWSFUSE_SERVE."""
    found = os.environ.get(SERVE_ENV)
    if not found:
        raise NewsfuseError(f"{SERVE_ENV} is not set: start the server with `newsfuse serve --workers N`")
    return create_app(**json.loads(found))


__all__ = ["app_from_environment", "create_app", "open_store", "serve"]
