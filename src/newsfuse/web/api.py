"""The JSON API under /api: stories (paged, filtered, ordered), a story with its brief, an article, an entity, an
outlet, search."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from ..store import SqliteStore, read
from .app import open_store
from .listing import ListQuery, snapshot, story_page
from .profiles import entity_view, outlet_view
from .snapshot import SnapshotCache
from .views import plain_snippet, related, safe_url

router = APIRouter(prefix="/api", tags=["api"])
Store = Annotated[SqliteStore, Depends(open_store)]
Limit = Annotated[int, Query(ge=1, le=100, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="How many to skip.")]
Sort = Literal["now", "latest", "sources", "size"]


@router.get("/stories", summary="Stories, biggest and newest first, or in another order")
def stories(request: Request, store: Store, limit: Limit = 20, offset: Offset = 0,
            source: Annotated[str | None, Query(description="Only stories with an article from this outlet.")] = None,
            since: Annotated[date | None, Query(description="Active on or after this day (YYYY-MM-DD).")] = None,
            until: Annotated[date | None, Query(description="Started on or before this day (YYYY-MM-DD).")] = None,
            sort: Annotated[Sort | None, Query(description="now: what matters now (the front page's order); "
                                                          "latest; sources: most independent sources; size: "
                                                          "most articles (the default).")] = None,
            entity: Annotated[str | None, Query(description="Only stories whose brief names this person, "
                                                            "organisation or place.")] = None,
            lang: Annotated[str | None, Query(description="Only stories with an article in this language.")] = None,
            ) -> dict[str, Any]:
    cache: SnapshotCache = request.app.state.snapshots
    snap = cache.get(store) if sort or entity or lang else cache.fresh(store)
    if snap is not None:
        query = ListQuery(source or None, entity or None, lang or None, since, until, sort or "size")
        rows, total = story_page(store, snap, query, limit, offset)
        if not (sort or entity or lang):  # the rows the store's SQL gives, whichever path answered
            rows = [{k: v for k, v in r.items() if k not in ("score", "recent")} for r in rows]
    else:  # the store changed since the snapshot: its own order, read afresh, exact while a run writes
        rows, total = read.list_stories(store, read.StoryFilter(source or None, since, until), limit, offset)
    for row in rows:
        row["url"] = f"/api/stories/{row['id']}"
    return {"total": total, "limit": limit, "offset": offset, "stories": rows}


@router.get("/stories/{story_id}", summary="A story: its articles with lineage, and its brief")
def story(story_id: str, store: Store) -> dict[str, Any]:
    data = read.story(store, story_id)
    for member in data["articles"]:
        member["url"] = safe_url(member["url"])
    data["brief"] = read.brief_json(store, data["id"])
    data["related"] = [dict(r, url=f"/api/stories/{r['id']}") for r in related(store, data["id"])]
    return data


@router.get("/articles/{article_id}", summary="An article: clean text, metadata, lineage and story")
def article(article_id: str, store: Store) -> dict[str, Any]:
    found = store.article(article_id)
    data = found.to_json()
    data.update(outlet=found.outlet, stored=store.stored_at([article_id]).get(article_id))
    data.update(read.lineage(store, article_id))
    return data


@router.get("/entities/{name:path}", summary="A person, organisation or place: its stories, co-occurring "
                                               "entities and quotes")
def entity(request: Request, name: str, store: Store, limit: Annotated[int, Query(ge=1, le=500)] = 100,
           offset: Offset = 0) -> dict[str, Any]:
    return entity_view(snapshot(request, store), name, limit, offset)


@router.get("/sources/{name:path}", summary="An outlet measured from the lineage: first reports and copies")
def outlet(request: Request, name: str, store: Store) -> dict[str, Any]:
    return outlet_view(snapshot(request, store), name)


@router.get("/search", summary="Full-text search over article titles and text")
def search(store: Store, q: Annotated[str, Query(min_length=1, max_length=read.MAX_QUERY_CHARS,
                                                   description="FTS5 query, or plain words.")],
           limit: Limit = 20, offset: Offset = 0) -> dict[str, Any]:
    rows, used = read.search(store, q, limit, offset)
    for row in rows:
        row["snippet"] = plain_snippet(row["snippet"])
    return {"query": q, "fts_query": used, "limit": limit, "offset": offset, "results": rows}


def _edits_allowed(request: Request) -> None:
    if not request.app.state.allow_edits:
        raise HTTPException(403, "edits are disabled: start the server with --allow-edits")


@router.post("/stories/{story_id}/merge", summary="Merge another story into this one (needs --allow-edits)",
             dependencies=[Depends(_edits_allowed)])
def merge(story_id: str, other: Annotated[str, Query(description="The story to merge into this one.")],
          request: Request) -> dict[str, Any]:
    from .edits import merge_stories

    return merge_stories(request.app.state.db_path, story_id, other)


@router.post("/stories/{story_id}/exclude", summary="Take an article out of a story (needs --allow-edits)",
             dependencies=[Depends(_edits_allowed)])
def exclude(story_id: str, article: Annotated[str, Query(description="The article to take out.")],
            request: Request) -> dict[str, Any]:
    from .edits import exclude_article

    return exclude_article(request.app.state.db_path, story_id, article)
