"""Geometry for a story's two inline SVG charts: coverage over time by outlet, and the lineage of copies.

Plain numbers and strings for the templates (``_coverage.html``, ``_lineage.html``), which draw the SVG and its text
alternative; every string stays untrusted text that the templates escape.
"""
from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Any

WIDTH = 640          # the viewBox's width; the SVG scales to the page
LABEL_WIDTH = 170    # the outlets' column
ROW = 26             # one outlet's row
BARS = 56            # the totals' bar chart above the rows
MAX_ROWS = 12        # outlets beyond these share one row, "other outlets"
MAX_NODES = 40       # lineage nodes drawn; the text alternative lists every copy
NODE_W, NODE_H, NODE_GAP = 230, 42, 10


def _when(member: dict[str, Any]) -> datetime | None:
    value = member.get("published") or member.get("stored")
    if not value:
        return None
    found = datetime.fromisoformat(value)
    return found if found.tzinfo else found.replace(tzinfo=timezone.utc)


def _unit(first: datetime, last: datetime) -> tuple[str, timedelta]:
    span = last - first
    if span <= timedelta(hours=48):
        return "hour", timedelta(hours=1)
    if span <= timedelta(days=90):
        return "day", timedelta(days=1)
    return "week", timedelta(days=7)


def _floor(when: datetime, unit: str) -> datetime:
    if unit == "hour":
        return when.replace(minute=0, second=0, microsecond=0)
    day = when.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday()) if unit == "week" else day


def _label(when: datetime, unit: str) -> str:
    return when.strftime("%Y-%m-%d %H:00" if unit == "hour" else "%Y-%m-%d")


def coverage(members: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Articles per hour (a story of up to two days), day (up to 90) or week, by outlet; None without times."""
    timed = [(t, m.get("outlet") or "unknown source") for m in members if (t := _when(m)) is not None]
    if not timed:
        return None
    first, last = min(t for t, _ in timed), max(t for t, _ in timed)
    unit, step = _unit(first, last)
    start = _floor(first, unit)
    count = int((_floor(last, unit) - start) / step) + 1
    cells: Counter = Counter((int((_floor(t, unit) - start) / step), name) for t, name in timed)
    outlets = _rows(timed)
    keep = set(outlets[:MAX_ROWS])
    rows = outlets[:MAX_ROWS] + (["other outlets"] if len(outlets) > MAX_ROWS else [])
    grid: Counter = Counter()
    for (column, name), n in cells.items():
        grid[(column, name if name in keep else "other outlets")] += n
    return _coverage_geometry(unit, [start + step * i for i in range(count)], rows, grid)


def _rows(timed: list[tuple[datetime, str]]) -> list[str]:
    """Outlets, the earliest to report first."""
    order: dict[str, datetime] = {}
    for when, name in sorted(timed):
        order.setdefault(name, when)
    return list(order)


def _coverage_geometry(unit: str, buckets: list[datetime], rows: list[str], grid: Counter) -> dict[str, Any]:
    plot = WIDTH - LABEL_WIDTH - 10
    cell = plot / len(buckets)
    totals = [sum(grid[(i, r)] for r in rows) for i in range(len(buckets))]
    peak, biggest = max(totals), max(grid.values())
    bars = [{"x": LABEL_WIDTH + i * cell + cell * 0.1, "w": max(cell * 0.8, 1.0), "h": BARS * n / peak,
             "y": BARS - BARS * n / peak, "n": n, "label": _label(b, unit)}
            for i, (b, n) in enumerate(zip(buckets, totals)) if n]
    dots = [{"cx": LABEL_WIDTH + (i + 0.5) * cell, "cy": BARS + 14 + r * ROW + ROW / 2,
             "r": max(2.5, min(cell, ROW) / 2 * math.sqrt(grid[(i, name)] / biggest)), "n": grid[(i, name)],
             "outlet": name, "label": _label(buckets[i], unit)}
            for r, name in enumerate(rows) for i in range(len(buckets)) if grid[(i, name)]]
    labels = [{"y": BARS + 14 + r * ROW + ROW / 2 + 5, "text": name if len(name) <= 19 else name[:18] + "…"}
              for r, name in enumerate(rows)]
    height = BARS + 14 + len(rows) * ROW + 22
    table = [{"label": _label(b, unit), "total": totals[i],
              "outlets": [(name, grid[(i, name)]) for name in rows if grid[(i, name)]]}
             for i, b in enumerate(buckets) if totals[i]]
    return {"unit": unit, "width": WIDTH, "height": height, "bars": bars, "dots": dots, "labels": labels,
            "axis_y": height - 6, "first": _label(buckets[0], unit), "last": _label(buckets[-1], unit),
            "total": sum(totals), "outlets": len(rows), "table": table}


def first_report(members: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The story's earliest article (an original before a copy of the same time)."""
    timed = [(t, m["duplicate_of"] is not None, m["id"], m) for m in members if (t := _when(m)) is not None]
    return min(timed, key=lambda x: x[:3])[3] if timed else None


def lineage(members: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Who copied whom inside the story: columns by depth (originals, their copies, copies of copies), each
    column in time order, an arrow from each copy to what it copies; None when the story has no copies."""
    by_id = {m["id"]: m for m in members}
    copies = [m for m in members if m.get("duplicate_of") in by_id]
    if not copies:
        return None
    depth: dict[str, int] = {}

    def level(m: dict[str, Any], seen: int = 0) -> int:
        if m["id"] not in depth:
            parent = by_id.get(m.get("duplicate_of") or "")
            depth[m["id"]] = 0 if parent is None or seen > len(members) else level(parent, seen + 1) + 1
        return depth[m["id"]]

    shown = {m["id"] for m in copies[:MAX_NODES]} | {m["duplicate_of"] for m in copies[:MAX_NODES]}
    first = first_report(members)
    columns: dict[int, list[dict[str, Any]]] = {}
    for m in sorted((by_id[i] for i in shown), key=lambda m: (_when(m) or datetime.max.replace(tzinfo=timezone.utc),
                                                                 m["id"])):
        columns.setdefault(level(m), []).append(m)
    return _lineage_geometry(columns, by_id, first, copies)


def _lineage_geometry(columns: dict[int, list[dict[str, Any]]], by_id: dict[str, dict[str, Any]],
                      first: dict[str, Any] | None, copies: list[dict[str, Any]]) -> dict[str, Any]:
    step = (WIDTH - NODE_W) / max(1, max(columns))
    place: dict[str, tuple[float, float]] = {}
    nodes = []
    for col, members in sorted(columns.items()):
        for row, m in enumerate(members):
            x, y = col * step, row * (NODE_H + NODE_GAP)
            place[m["id"]] = (x, y)
            when = _when(m)
            name = m.get("outlet") or "unknown source"
            nodes.append({"id": m["id"], "x": x, "y": y, "outlet": name if len(name) <= 22 else name[:21] + "…",
                          "time": when.strftime("%Y-%m-%d %H:%M") if when else "", "number": m.get("number"),
                          "first": first is not None and m["id"] == first["id"], "relation": m.get("relation")})
    edges = []
    for m in copies:
        if m["id"] in place and m["duplicate_of"] in place:
            (x1, y1), (x2, y2) = place[m["id"]], place[m["duplicate_of"]]
            edges.append({"x1": x1, "y1": y1 + NODE_H / 2, "x2": x2 + NODE_W, "y2": y2 + NODE_H / 2})
    rows = max(len(c) for c in columns.values())
    text = [{"copier": m, "source": by_id[m["duplicate_of"]]} for m in copies]
    return {"width": WIDTH, "height": rows * (NODE_H + NODE_GAP), "node_w": NODE_W, "node_h": NODE_H,
            "nodes": nodes, "edges": edges, "copies": text, "hidden": max(0, len(copies) - MAX_NODES),
            "first": first}


__all__ = ["coverage", "first_report", "lineage"]
