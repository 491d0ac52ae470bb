"""Alerts: saved queries over stories, with an Atom feed each and an optional webhook.

A story matches an alert when one of its articles matches the alert's full-text query (the store's search: FTS5
on SQLite, tsvector on PostgreSQL), its brief names the alert's entity (a name or variant, case aside), and one
of its articles comes from the alert's outlet (``records.outlet_name``, case aside); a part left out matches all.

After a run's briefs, the stories it touched are matched, and each alert with a webhook is owed a notification:
``new story`` the first time a story matches the alert, ``story grew`` once when the story has more independent
sources (articles that copy no other) than at its ``new story``. At most one of each per story and alert. The
owed notification is recorded in the store before it is sent and marked delivered after a 2xx answer, so a
rerun or a restart sends only what was not delivered; a failure is logged, counted and sent again next run.
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .errors import ConfigError

log = logging.getLogger("newsfuse")
NEW_STORY, STORY_GREW = "new story", "story grew"
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
# Seconds to wait before each new attempt at a webhook: three attempts, under two seconds of waiting.
RETRY_DELAYS = (0.5, 1.0)
TIMEOUT_S = 5.0


def check_alert(name: str, query: str | None = None, entity: str | None = None, source: str | None = None,
                webhook: str | None = None) -> dict[str, Any]:
    """The alert as a dict of its columns, or ConfigError naming the rule it breaks."""
    query, entity, source, webhook = (v.strip() if v and v.strip() else None for v in (query, entity, source, webhook))
    if not _NAME.match(name or ""):
        raise ConfigError(f"alert name {name!r}: use letters, digits, '-' and '_' only (it is part of a URL)")
    if not (query or entity or source):
        raise ConfigError("an alert needs at least one of --query, --entity or --source")
    if webhook:
        try:
            parts = urlsplit(webhook)
            host = parts.hostname
        except ValueError:
            host, parts = None, None
        if parts is None or parts.scheme not in ("http", "https") or not host:
            raise ConfigError(f"--webhook must be an http:// or https:// URL with a host, got {webhook!r}")
    return {"name": name, "query": query, "entity": entity, "source": source, "webhook": webhook}


def public_alert(alert: dict[str, Any]) -> dict[str, Any]:
    """The alert as the web API shows it: its webhook only as the host it posts to (the URL's user, password,
    path and query may carry a secret)."""
    out = {k: alert[k] for k in ("name", "query", "entity", "source", "created")}
    out["webhook_host"] = host_of(alert["webhook"]) if alert.get("webhook") else None
    out["feed"] = f"/alerts/{alert['name']}/feed.xml"
    return out


def shown_webhook(url: str | None) -> str | None:
    """The webhook URL with any password masked, for the owner's own listing."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def host_of(url: str) -> str:
    try:
        return urlsplit(url).hostname or "?"
    except ValueError:
        return "?"


def matching_stories(store: Any, alert: dict[str, Any], story_ids: Iterable[str] | None = None,
                     limit: int | None = None) -> list[str]:
    """The stories (of ``story_ids``, or every stored one) that match the alert, newest activity first."""
    from .store import alerts as stored

    scope = None if story_ids is None else list(story_ids)
    narrowed = alert.get("entity") or alert.get("source")
    # Over the whole store (a feed), the newest candidates only: a broad query may match most stories.
    cap = None if limit is None else limit * 40 if narrowed else limit
    if alert.get("query"):
        found = stored.query_matches(store, alert["query"], scope, cap)
    else:
        found = stored.newest_story_ids(store, scope, cap or 10 ** 9)
    if narrowed:
        facts = stored.story_facts(store, found)
        found = [s for s in found if _fits(facts[s], alert)]
    return found[:limit] if limit is not None else found


def _fits(fact: dict[str, Any], alert: dict[str, Any]) -> bool:
    if alert.get("entity") and alert["entity"].casefold() not in fact["entities"]:
        return False
    return not alert.get("source") or alert["source"].casefold() in fact["outlets"]


@dataclass
class AlertOutcome:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)  # one line per webhook that failed, naming alert and host


class WebhookNotifier:
    """POSTs each notification as JSON, with a few attempts and a short backoff. A webhook that failed is not
    tried again in the same round (its other notifications count as failed and wait for the next run)."""

    def __init__(self, delays: tuple[float, ...] = RETRY_DELAYS, timeout_s: float = TIMEOUT_S,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.delays, self.timeout_s, self.sleep = tuple(delays), timeout_s, sleep

    def post(self, client: Any, url: str, payload: dict[str, Any], key: str) -> str | None:
        """None when delivered, else what went wrong on the last attempt."""
        import httpx

        error = "not tried"
        for delay in (0.0, *self.delays):
            if delay:
                self.sleep(delay)
            try:
                answer = client.post(url, json=payload, headers={"Idempotency-Key": key})
            except httpx.HTTPError as exc:  # the URL, which may carry a secret, is left out of the message
                error = f"{type(exc).__name__}: {str(exc).replace(url, host_of(url))}"[:200]
                continue
            if 200 <= answer.status_code < 300:
                return None
            error = f"HTTP {answer.status_code}"
        return error


def notify(store: Any, touched: Iterable[str], notifier: WebhookNotifier | None = None) -> AlertOutcome:
    """Record what the touched stories owe each alert with a webhook, then send everything owed."""
    from .store import alerts as stored

    targets = [a for a in stored.alerts(store) if a.get("webhook")]
    touched = sorted(set(touched))
    if targets and touched:
        stored.record_hits(store, [h for a in targets for h in _new_hits(store, a, touched)])
    owed = stored.owed_hits(store)
    return _send(store, owed, notifier or WebhookNotifier()) if owed else AlertOutcome()


def _new_hits(store: Any, alert: dict[str, Any], touched: list[str]) -> list[tuple[str, str, str, int]]:
    from .store import alerts as stored

    found = matching_stories(store, alert, touched)
    if not found:
        return []
    facts, hits = stored.story_facts(store, found), stored.hits_of(store, alert["name"], found)
    out = []
    for story in found:
        sources, seen = facts[story]["sources"], hits.get(story, {})
        if NEW_STORY not in seen:
            out.append((alert["name"], story, NEW_STORY, sources))
        elif STORY_GREW not in seen and sources > seen[NEW_STORY]:
            out.append((alert["name"], story, STORY_GREW, sources))
    return out


def _send(store: Any, owed: list[dict[str, Any]], notifier: WebhookNotifier) -> AlertOutcome:
    from .errors import require
    from .store import alerts as stored

    httpx = require("httpx", "feeds")

    outcome, dead = AlertOutcome(), set()
    with httpx.Client(timeout=notifier.timeout_s, follow_redirects=False) as client:
        for hit in owed:
            host = host_of(hit["webhook"])
            payload = {"alert": hit["alert"], "story": hit["story_id"], "headline": hit["headline"] or "",
                       "url": f"/stories/{hit['story_id']}", "reason": hit["reason"]}
            key = f"{hit['alert']}:{hit['story_id']}:{hit['reason']}"
            error = "skipped: the webhook failed earlier in this run" if hit["webhook"] in dead else \
                notifier.post(client, hit["webhook"], payload, key)
            stored.mark_hit(store, hit, error)
            if error is None:
                outcome.sent += 1
                continue
            outcome.failed += 1
            if hit["webhook"] not in dead:
                line = f"alert {hit['alert']}: webhook at {host} failed ({error}); it is sent again next run"
                log.warning(line)
                outcome.errors.append(line)
            dead.add(hit["webhook"])
    return outcome


__all__ = ["NEW_STORY", "STORY_GREW", "AlertOutcome", "WebhookNotifier", "check_alert", "matching_stories",
           "notify", "public_alert", "shown_webhook"]
