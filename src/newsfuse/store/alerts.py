"""Alerts and their hits in the store: SQL over a store's connection (``store.db``) that both backends run.

An alert is a saved query (full text, an entity its brief names, an outlet); a hit is one notification owed
for one story, keyed by (alert, story, reason), so it is recorded once and sent at most once. A hit whose
``fired`` is NULL is still owed: every run sends the owed hits again until one is delivered.

Each write is one ``store.run_in_transaction``: on PostgreSQL, one whose connection the server drops runs again on a
new connection, except inside a run's ``exclusive()``, whose lock went with the connection.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from ..errors import NotFoundError, StoreError
from ..records import outlet_name
from .base import SearchSyntaxError, _now

_ALERT_COLUMNS = "name, query, entity, source, webhook, created"
_WORD = re.compile(r"\w+", re.UNICODE)


def add_alert(store: Any, alert: dict[str, Any]) -> None:
    """Save an alert (a dict of the ``alerts`` columns but ``created``); a name already taken is refused."""
    def insert() -> None:
        if store.db.execute("SELECT 1 FROM alerts WHERE name=?", (alert["name"],)).fetchone():
            raise StoreError(f"an alert named {alert['name']!r} exists: remove it first "
                             f"(newsfuse alert remove {alert['name']})")
        store.db.execute(f"INSERT INTO alerts ({_ALERT_COLUMNS}) VALUES (?,?,?,?,?,?)",
                         (alert["name"], alert.get("query"), alert.get("entity"), alert.get("source"),
                          alert.get("webhook"), _now()))

    store.run_in_transaction(insert)


def remove_alert(store: Any, name: str) -> None:
    """Forget an alert and its hits."""
    def delete() -> None:
        store.db.execute("DELETE FROM alert_hits WHERE alert=?", (name,))
        if store.db.execute("DELETE FROM alerts WHERE name=?", (name,)).rowcount == 0:
            raise NotFoundError(f"no alert {name!r} in {store.path}")

    store.run_in_transaction(delete)


def alerts(store: Any) -> list[dict[str, Any]]:
    """Every alert, by name."""
    return [dict(r) for r in store.db.execute(f"SELECT {_ALERT_COLUMNS} FROM alerts ORDER BY name")]


def alert(store: Any, name: str) -> dict[str, Any]:
    row = store.db.execute(f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE name=?", (name,)).fetchone()
    if row is None:
        raise NotFoundError(f"no alert {name!r}")
    return dict(row)


def query_matches(store: Any, query: str, story_ids: Iterable[str] | None, limit: int | None = None) -> list[str]:
    """The stories (of ``story_ids``, or all) with an article matching the full-text ``query``, newest activity
    first. A query the backend cannot parse (a stray quote in FTS5) is matched as its plain words. Over all stories
    on PostgreSQL, only the articles a search would rank are matched (``PostgresStore.newest_matches``: at most
    SEARCH_CANDIDATES, the newest published), as a word in most articles would read every match."""
    try:
        return _query_matches(store, query, story_ids, limit)
    except SearchSyntaxError:
        words = _WORD.findall(query)
        return _query_matches(store, " ".join(f'"{w}"' for w in words), story_ids, limit) if words else []


def _query_matches(store: Any, query: str, story_ids: Iterable[str] | None, limit: int | None) -> list[str]:
    import sqlite3

    where, params = f"{store.fts_match}", [query]
    if story_ids is None and hasattr(store, "newest_matches"):
        candidates, params = store.newest_matches(query)
        where = f"a.id IN (SELECT c.id FROM ({candidates}) c)"
    if story_ids is not None:
        ids = sorted(set(story_ids))
        if not ids:
            return []
        where += f" AND m.story_id IN ({','.join('?' * len(ids))})"
        params += ids
    sql = (f"SELECT m.story_id FROM story_articles m JOIN articles a ON a.id = m.article_id "
           f"JOIN stories s ON s.id = m.story_id WHERE {where} GROUP BY m.story_id, s.last_seen "
           "ORDER BY s.last_seen DESC NULLS LAST, m.story_id")
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    try:
        return [r[0] for r in store.db.execute(sql, params)]
    except sqlite3.OperationalError as exc:
        raise SearchSyntaxError(str(exc)) from exc


def newest_story_ids(store: Any, story_ids: Iterable[str] | None, limit: int) -> list[str]:
    """Stories (of ``story_ids``, or all) with articles, newest activity first."""
    where, params = "EXISTS (SELECT 1 FROM story_articles x WHERE x.story_id = s.id)", []
    if story_ids is not None:
        ids = sorted(set(story_ids))
        if not ids:
            return []
        where, params = where + f" AND s.id IN ({','.join('?' * len(ids))})", ids
    rows = store.db.execute(f"SELECT s.id FROM stories s WHERE {where} ORDER BY s.last_seen DESC NULLS LAST, s.id "
                            "LIMIT ?", [*params, limit])
    return [r[0] for r in rows]


def story_facts(store: Any, story_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Per story: ``headline``, ``sources`` (independent: articles that copy none), ``outlets`` (casefolded
    outlet names) and ``entities`` (casefolded names and variants its brief gives)."""
    facts: dict[str, dict[str, Any]] = {s: {"headline": "", "sources": 0, "outlets": set(), "entities": set()}
                                        for s in story_ids}
    for start in range(0, len(story_ids), 500):
        chunk = story_ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for row in store.db.execute(
                "SELECT m.story_id, a.site, a.url, a.path, d.duplicate_of FROM story_articles m JOIN articles a "
                f"ON a.id = m.article_id LEFT JOIN duplicates d ON d.id = a.id WHERE m.story_id IN ({marks})", chunk):
            fact = facts[row[0]]
            fact["sources"] += row[4] is None
            fact["outlets"].add((outlet_name(row[1], row[2], row[3]) or "").casefold())
        for row in store.db.execute(f"SELECT s.id, s.headline, b.json FROM stories s LEFT JOIN briefs b "
                                    f"ON b.story_id = s.id WHERE s.id IN ({marks})", chunk):
            facts[row[0]]["headline"] = row[1] or ""
            for entity in json.loads(row[2]).get("entities", []) if row[2] else []:
                facts[row[0]]["entities"].update(n.casefold() for n in [entity["name"], *entity.get("variants", [])])
    return facts


def hits_of(store: Any, name: str, story_ids: list[str]) -> dict[str, dict[str, int]]:
    """The recorded hits of an alert on these stories: story -> {reason: independent sources then}."""
    out: dict[str, dict[str, int]] = {}
    for start in range(0, len(story_ids), 500):
        chunk = story_ids[start:start + 500]
        rows = store.db.execute(f"SELECT story_id, reason, sources FROM alert_hits WHERE alert=? AND story_id IN "
                                f"({','.join('?' * len(chunk))})", [name, *chunk])
        for row in rows:
            out.setdefault(row[0], {})[row[1]] = int(row[2])
    return out


def record_hits(store: Any, hits: list[tuple[str, str, str, int]]) -> None:
    """Record owed notifications (alert, story, reason, sources); one already recorded stays as it is."""
    def insert() -> None:
        for alert_name, story_id, reason, sources in hits:
            store.db.execute("INSERT INTO alert_hits (alert, story_id, reason, sources, created) VALUES (?,?,?,?,?) "
                             "ON CONFLICT (alert, story_id, reason) DO NOTHING",
                             (alert_name, story_id, reason, sources, _now()))

    store.run_in_transaction(insert)


def owed_hits(store: Any) -> list[dict[str, Any]]:
    """Hits not delivered yet, with their alert's webhook and the story's headline, oldest first."""
    rows = store.db.execute(
        "SELECT h.alert, h.story_id, h.reason, h.sources, h.attempts, w.webhook, s.headline FROM alert_hits h "
        "JOIN alerts w ON w.name = h.alert LEFT JOIN stories s ON s.id = h.story_id "
        "WHERE h.fired IS NULL AND w.webhook IS NOT NULL ORDER BY h.created, h.alert, h.story_id, h.reason")
    return [dict(r) for r in rows]


def mark_hit(store: Any, hit: dict[str, Any], error: str | None) -> None:
    """Note one delivery attempt: delivered (``error`` None) or failed with ``error``."""
    store.run_in_transaction(lambda: store.db.execute(
        "UPDATE alert_hits SET attempts=attempts+1, error=?, fired=? WHERE alert=? AND story_id=? AND reason=?",
        (error, None if error else _now(), hit["alert"], hit["story_id"], hit["reason"])))


__all__ = ["add_alert", "alert", "alerts", "hits_of", "mark_hit", "newest_story_ids", "owed_hits",
           "query_matches", "record_hits", "remove_alert", "story_facts"]
