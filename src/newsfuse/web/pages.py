"""Server-rendered pages: the story list, a story, an article, an entity, an outlet, search, the feed and brief
downloads."""
from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from ..errors import NotFoundError
from ..records import brief_from_json
from ..store import SqliteStore, read
from .app import open_store
from .listing import ListQuery, choices, row, select, snapshot, story_page
from .profiles import entity_view, outlet_view
from .ranking import BREAKING_HOURS, SORTS
from .render import atom_feed, markdown
from .views import article_view, snippet_parts, story_view

router = APIRouter(include_in_schema=False)
Store = Annotated[SqliteStore, Depends(open_store)]
PAGE_SIZE = 20
ENTITY_PAGE = 50
FEED_SIZE = 50
SORT_LABELS = {"now": "what matters now", "latest": "latest", "sources": "most sources", "size": "most articles"}


def _render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    context.setdefault("allow_edits", request.app.state.allow_edits)
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status)


def _day(value: str | None) -> date | None:
    """A form's date field: empty or malformed means no filter (the page says which were ignored)."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 100_000 else 1


@router.get("/", response_class=HTMLResponse)
def index(request: Request, store: Store, source: str | None = None, entity: str | None = None,
          lang: str | None = None, since: str | None = None, until: str | None = None, sort: str | None = None,
          page: str | None = None) -> HTMLResponse:
    number = _page_number(page)
    query = ListQuery(source or None, (entity or "").strip() or None, lang or None, _day(since), _day(until),
                      sort if sort in SORTS else "now")
    snap = snapshot(request, store)
    rows, total = story_page(store, snap, query, PAGE_SIZE, (number - 1) * PAGE_SIZE)
    ignored = [name for name, raw, parsed in (("since", since, query.since), ("until", until, query.until))
               if raw and parsed is None]
    return _render(request, "index.html", {
        "stories": rows, "total": total, "choices": choices(snap), "filter": query, "ignored": ignored,
        "sorts": SORT_LABELS, "breaking_hours": int(BREAKING_HOURS), "feed_query": _feed_query(query),
        "pager": _pager("/", query.params(), number, total)})


def _feed_query(query: ListQuery) -> str:
    """The feed's query string for the list's outlet, entity and language filters ('' when it has none)."""
    return urlencode({k: v for k, v in query.params().items() if k in ("source", "entity", "lang")})


def _pager(path: str, params: dict[str, Any], number: int, total: int, size: int = PAGE_SIZE) -> dict[str, Any]:
    pages = max(1, -(-total // size))

    def link(n: int) -> str:
        return path + "?" + urlencode({**params, "page": n})

    return {"page": number, "pages": pages, "total": total,
            "prev": link(number - 1) if number > 1 else None, "next": link(number + 1) if number < pages else None}


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story(request: Request, story_id: str, store: Store) -> HTMLResponse:
    return _render(request, "story.html", {"story": story_view(store, story_id)})


@router.get("/stories/{story_id}/brief.{fmt}")
def brief_download(request: Request, story_id: str, fmt: str, store: Store) -> Response:
    if fmt not in ("md", "json", "html"):
        raise NotFoundError(f"no brief format {fmt!r}: use brief.md, brief.json or brief.html")
    resolved = store.resolve_story(story_id)
    data = read.brief_json(store, resolved)
    if data is None:
        raise NotFoundError(f"story {resolved} has no brief yet")
    headers = {"Content-Disposition": f'attachment; filename="brief-{resolved}.{fmt}"'}
    if fmt == "json":
        return Response(json.dumps(data, ensure_ascii=False, indent=2), media_type="application/json",
                        headers=headers)
    if fmt == "md":
        articles = store.articles(store.story_members(resolved))
        return Response(markdown(brief_from_json(data), articles), media_type="text/markdown; charset=utf-8",
                        headers=headers)
    response = _render(request, "brief_download.html", {"story": story_view(store, resolved)})
    response.headers.update(headers)
    return response


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article(request: Request, article_id: str, store: Store) -> HTMLResponse:
    return _render(request, "article.html", {"article": article_view(store, article_id)})


@router.get("/entities/{name:path}", response_class=HTMLResponse)
def entity(request: Request, name: str, store: Store, page: str | None = None) -> HTMLResponse:
    number = _page_number(page)
    data = entity_view(snapshot(request, store), name, ENTITY_PAGE, (number - 1) * ENTITY_PAGE)
    pager = _pager(f"/entities/{quote(data['name'], safe='')}", {}, number, data["total"], ENTITY_PAGE)
    return _render(request, "entity.html", {"entity": data, "pager": pager})


@router.get("/sources/{name:path}", response_class=HTMLResponse)
def outlet(request: Request, name: str, store: Store) -> HTMLResponse:
    return _render(request, "outlet.html", {"outlet": outlet_view(snapshot(request, store), name)})


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, store: Store, q: Annotated[str, Query()] = "", page: str | None = None) -> HTMLResponse:
    number = _page_number(page)
    rows: list[dict[str, Any]] = []
    more = False
    if q.strip():
        rows, _ = read.search(store, q, PAGE_SIZE + 1, (number - 1) * PAGE_SIZE)
        more, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
    for row in rows:
        row["parts"] = snippet_parts(row["snippet"])
    link = "/search?" + urlencode({"q": q, "page": number + 1}) if more else None
    back = "/search?" + urlencode({"q": q, "page": number - 1}) if number > 1 else None
    return _render(request, "search.html", {"q": q, "results": rows, "page": number, "next": link, "prev": back})


@router.get("/feed.xml")
def feed(request: Request, store: Store, source: str | None = None, entity: str | None = None,
         lang: str | None = None) -> Response:
    """The newest stories as Atom; with the front page's filters, a feed to follow an outlet, a person or a
    language (``/feed.xml?entity=NAME``)."""
    query = ListQuery(source or None, (entity or "").strip() or None, lang or None, sort="latest")
    cache = request.app.state.snapshots
    snap = cache.get(store) if query.filtered() else cache.fresh(store)
    if snap is None:  # the store changed since the snapshot: read it afresh
        stories = read.newest_stories(store, FEED_SIZE)
    else:
        newest = select(snap, query)[:FEED_SIZE]
        teasers = read.brief_teasers(store, [s.id for s in newest])
        stories = [row(s, teasers.get(s.id)) for s in newest]
    body = atom_feed(stories, str(request.base_url))
    return Response(body, media_type="application/atom+xml; charset=utf-8")
