"""The story page's coverage chart and lineage graph: inline SVG with a title and a text alternative."""
from __future__ import annotations

import re
from xml.etree import ElementTree

from newsfuse.web.charts import coverage, lineage

SVG = "{http://www.w3.org/2000/svg}"


def _svg(page: str, cls: str) -> ElementTree.Element:
    found = re.search(rf'<svg class="{cls}".*?</svg>', page, re.S)
    assert found, cls
    text = found.group(0).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    return ElementTree.fromstring(text)  # well-formed: every attribute and text escaped


def test_story_page_has_coverage_and_lineage(client, ids):
    page = client.get(f"/stories/{ids['story']}").text
    chart = _svg(page, "coverage")
    assert chart.get("role") == "img" and chart.get("aria-labelledby") == "coverage-title coverage-desc"
    assert chart.find(f"{SVG}title").text == "Articles per hour by outlet"
    assert len(chart.findall(f"{SVG}circle")) == 3 and len(chart.findall(f"{SVG}rect")) == 3
    assert "Coverage as a table" in page
    assert '<th scope="row">2023-09-13 17:00</th><td>1</td><td>wxii12.com</td>' in page
    graph = _svg(page, "lineage")
    assert graph.find(f"{SVG}title").text == "Who copied whom" and len(graph.findall(f"{SVG}line")) == 1
    assert 'class="node first original"' in page and "First to report: <a href=\"/sources/wionews.com\">" in page
    listed = re.search(r"Lineage as a list.*?</ul>", page, re.S).group(0)
    assert "copies.example.net" in listed and "exact copy of" in listed and "wionews.com" in listed
    assert '<a href="#src1">[1] wionews.com</a>' in page  # the sources list names the outlet copied


def test_no_lineage_without_copies(client):
    page = client.get("/stories/s-filler-03").text
    assert 'class="coverage"' in page and 'class="lineage"' not in page


def test_coverage_buckets_by_day_and_groups_outlets():
    members = [{"id": f"a{n}", "published": f"2024-01-{1 + n % 9:02d}T10:00:00+00:00", "stored": None,
                "outlet": f"outlet{n}", "duplicate_of": None} for n in range(20)]
    chart = coverage(members)
    assert chart["unit"] == "day" and chart["total"] == 20 and chart["outlets"] == 13  # 12 + "other outlets"
    assert chart["table"][0]["label"] == "2024-01-01" and len(chart["table"]) == 9
    assert coverage([{"id": "x", "published": None, "stored": None, "outlet": None}]) is None
    chain = [{"id": "a", "published": "2024-01-01T00:00:00+00:00", "duplicate_of": None, "outlet": "A"},
             {"id": "b", "published": "2024-01-01T01:00:00+00:00", "duplicate_of": "a", "outlet": "B"},
             {"id": "c", "published": "2024-01-01T02:00:00+00:00", "duplicate_of": "b", "outlet": "C"}]
    graph = lineage(chain)
    assert [n["x"] for n in graph["nodes"]] == [0, 205, 410] and graph["first"]["id"] == "a"
    assert len(graph["edges"]) == 2
