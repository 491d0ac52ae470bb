"""Alerts on the web: each alert's Atom feed of matching stories, and the list of alerts as JSON (a webhook only
as its host: the rest of its URL may carry a secret)."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ..alerts import matching_stories, public_alert
from ..store import SqliteStore, read
from ..store import alerts as stored
from .app import open_store
from .render import atom_feed

router = APIRouter()
Store = Annotated[SqliteStore, Depends(open_store)]
FEED_SIZE = 50


@router.get("/api/alerts", tags=["api"], summary="The alerts: their queries and feeds (a webhook as its host)")
def alerts(store: Store) -> dict[str, Any]:
    return {"alerts": [public_alert(a) for a in stored.alerts(store)]}


@router.get("/alerts/{name}/feed.xml", include_in_schema=False)
def alert_feed(request: Request, name: str, store: Store) -> Response:
    """The stories matching the alert, newest activity first, as Atom."""
    alert = stored.alert(store, name)
    rows = read.story_rows(store, matching_stories(store, alert, limit=FEED_SIZE))
    body = atom_feed(rows, str(request.base_url), title=f"newsfuse alert: {alert['name']}",
                     path=f"alerts/{alert['name']}/feed.xml")
    return Response(body, media_type="application/atom+xml; charset=utf-8")
