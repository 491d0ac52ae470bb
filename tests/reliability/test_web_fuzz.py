"""Fuzzing the web edit endpoints (POST /api/stories/{id}/merge and /exclude, served with allow_edits).

Hypothesis plays sequences of edits whose ids are real story ids, aliases, article ids, prefixes, or junk (path
characters, unicode, very long, SQL LIKE wildcards). After each request: no 5xx, a JSON answer; after each
sequence: every article in exactly one story, no empty story, every alias resolving to a story that exists, every
story readable through the API, and the store sound (``Backend.check``). Without allow_edits every edit is a 403
and the store is unchanged. Each test runs on both backends: a copy of one built store per example (a file copy,
or ``CREATE DATABASE ... TEMPLATE``).
"""
from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from newsfuse.web import create_app

from ..web.conftest import build_store
from .backends import Backend

TRIED: Counter[str] = Counter()
JUNK = st.one_of(
    st.text(min_size=1, max_size=40),
    st.sampled_from(["%", "_", "s-%", "s_", "x", "..", "../..", "a/b", "?", "#", "\x00", " ", "s-filler-0",
                     "'; DROP TABLE stories; --", "é" * 300, "x" * 5000]),
)


class Template:
    """A small store (seed stories, an XSS story, 4 fillers), built once; ``fresh`` is a new copy of it."""

    def __init__(self, backend: Backend) -> None:
        self.backend, self.db = backend, backend.new_db()
        self.ids = build_store(self.db, fillers=4)
        self.copy = ""
        if not backend.postgres:
            con = sqlite3.connect(self.db)
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            con.close()
            self.bytes = Path(self.db).read_bytes()

    def fresh(self, tmp: Path) -> str:
        """A copy of the template; a PostgreSQL copy replaces the previous one (its connections closed)."""
        if not self.backend.postgres:
            path = tmp / "edit.db"
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            path.write_bytes(self.bytes)
            return str(path)
        import psycopg

        cluster, name = self.backend.cluster, urlsplit(self.db).path.lstrip("/")
        with psycopg.connect(cluster.url(), autocommit=True) as admin:
            if self.copy:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.copy}" WITH (FORCE)')
            self.copy = f"{name}_copy"
            admin.execute(f'CREATE DATABASE "{self.copy}" TEMPLATE "{name}"')
        return cluster.url(self.copy)

    def connect(self, db: str) -> Any:
        """A connection to a copy answering ``execute(sql, params)`` with ``?`` placeholders, either backend."""
        if not self.backend.postgres:
            return sqlite3.connect(db)
        from newsfuse.store.postgres import PgConnection

        return PgConnection(db)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def template(request, tmp_path_factory) -> Template:
    cluster = request.getfixturevalue("postgres_cluster") if request.param == "postgresql" else None
    return Template(Backend(request.param, tmp_path_factory.mktemp("webfuzz"), cluster))


def pick(data, con: Any, kind: str) -> tuple[str, str]:
    """(story, other) as an analyst, or an attacker, might send them: mostly real ids (for exclude, mostly a member
    of the story), else an alias, an id prefix, an article id where a story id belongs, or junk."""
    stories = [r[0] for r in con.execute("SELECT id FROM stories")]
    aliases = [r[0] for r in con.execute("SELECT alias FROM story_aliases")] or stories
    articles = [r[0] for r in con.execute("SELECT article_id FROM story_articles")]
    odd = st.one_of(st.sampled_from(aliases), st.sampled_from(stories).map(lambda s: s[:3]),
                    st.sampled_from(articles), JUNK)
    story = data.draw(st.integers(0, 3).flatmap(lambda k: odd if k == 0 else st.sampled_from(stories)))
    if kind == "merge":
        return story, data.draw(st.integers(0, 3).flatmap(lambda k: odd if k == 0 else st.sampled_from(stories)))
    members = [r[0] for r in con.execute("SELECT article_id FROM story_articles WHERE story_id=?", (story,))]
    return story, data.draw(st.integers(0, 3).flatmap(
        lambda k: st.sampled_from(members) if k and members else st.one_of(st.sampled_from(articles), JUNK)))


def check_store(template: Template, db: str, client: TestClient, articles: int) -> None:
    template.backend.check(db)
    con = template.connect(db)
    try:
        members = con.execute("SELECT count(*), count(DISTINCT article_id) FROM story_articles").fetchone()
        assert members == (articles, articles), members  # every article in exactly one story
        empty = con.execute("SELECT id FROM stories WHERE id NOT IN (SELECT story_id FROM story_articles)").fetchall()
        assert not empty, empty
        orphans = con.execute("SELECT story_id FROM story_articles WHERE story_id NOT IN (SELECT id FROM stories)")
        assert not orphans.fetchall()
        dangling = con.execute("SELECT alias, story_id FROM story_aliases "
                               "WHERE story_id NOT IN (SELECT id FROM stories)").fetchall()
        assert not dangling, dangling
        # a story id that is also an alias is answered as the alias's story: a known bug, its own xfail below
        shadowed = {r[0] for r in con.execute("SELECT alias FROM story_aliases "
                                              "WHERE alias IN (SELECT id FROM stories)")}
        stories = [r[0] for r in con.execute("SELECT id FROM stories") if r[0] not in shadowed]
    finally:
        con.close()
    for story in stories:
        response = client.get(f"/api/stories/{quote(story, safe='')}")
        assert response.status_code == 200 and response.json()["id"] == story, (story, response.text[:200])


# Edit sequences per backend: each example edits a fresh copy of the store, which PostgreSQL makes about ten times
# slower (CREATE DATABASE); its examples check the same invariants through the same shared store code.
EXAMPLES = {"sqlite": 60, "postgresql": 15}
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_random_edit_sequences_keep_the_store_consistent(template, tmp_path):
    @settings(max_examples=EXAMPLES[template.backend.name], **SETTINGS)
    @given(data=st.data(), steps=st.integers(1, 8))
    def edits(data, steps):
        db = template.fresh(tmp_path)
        articles = template.backend.count(db, "SELECT count(*) FROM story_articles")
        client = TestClient(create_app(db, allow_edits=True))
        for _ in range(steps):
            kind = data.draw(st.sampled_from(["merge", "exclude"]))
            con = template.connect(db)
            story, other = pick(data, con, kind)
            con.close()
            param = {"other": other} if kind == "merge" else {"article": other}
            response = client.post(f"/api/stories/{quote(story, safe='')}/{kind}", params=param)
            TRIED["web_edits"] += 1
            event(f"{kind} {response.status_code}")
            assert response.status_code < 500, (kind, story, other, response.status_code, response.text[:300])
            assert response.status_code in (200, 400, 404, 405, 422), (response.status_code, response.text[:300])
            assert isinstance(response.json(), dict)
        check_store(template, db, client, articles)

    edits()


def test_edits_are_refused_without_allow_edits(template, tmp_path):
    db = template.fresh(tmp_path)  # one copy: an edit refused writes nothing, which every example checks
    before = snapshot(template, db)
    client = TestClient(create_app(db))

    @settings(max_examples=40, **SETTINGS)
    @given(story=JUNK, other=JUNK, kind=st.sampled_from(["merge", "exclude"]))
    def refused(story, other, kind):
        response = client.post(f"/api/stories/{quote(story, safe='')}/{kind}",
                               params={"other" if kind == "merge" else "article": other})
        TRIED["web_edits_refused"] += 1
        assert response.status_code in (403, 404, 405), response.status_code  # 404/405: no such route for that path
        assert snapshot(template, db) == before

    refused()


def snapshot(template: Template, db: str) -> dict[str, list[tuple]]:
    """Every row of the tables an edit writes."""
    con = template.connect(db)
    try:
        return {table: [tuple(r) for r in con.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
                for table in ("stories", "story_articles", "story_aliases", "briefs", "cluster_state")}
    finally:
        con.close()


def test_an_article_excluded_twice_gets_a_story_reachable_by_its_id(template, tmp_path):
    """Exclude an article, merge its new story back, exclude it again: its story must be reachable by its id."""
    db, ids = template.fresh(tmp_path), template.ids
    client = TestClient(create_app(db, allow_edits=True))
    story, article = ids["story"], ids["c"]
    assert client.post(f"/api/stories/{story}/exclude", params={"article": article}).status_code == 200
    assert client.post(f"/api/stories/{story}/merge", params={"other": "x" + article}).status_code == 200
    assert client.post(f"/api/stories/{story}/exclude", params={"article": article}).status_code == 200
    own = client.get(f"/api/stories/x{article}").json()
    assert own["id"] == "x" + article and [a["id"] for a in own["articles"]] == [article], own.get("id")


def test_report_web_inputs_tried(capsys):
    """Not a check: prints how many inputs the web fuzz tests above tried."""
    with capsys.disabled():
        print(f"\nweb fuzz inputs tried: {sum(TRIED.values())} {dict(TRIED)}")


def test_a_story_emptied_by_excludes_leaves_no_dangling_alias(template, tmp_path):
    """Found by the random edits in CI: merge a story in, then exclude every article of the merged result; the
    emptied story is dropped, and its id and its aliases lead to where its articles went, never nowhere."""
    db, ids = template.fresh(tmp_path), template.ids
    client = TestClient(create_app(db, allow_edits=True))
    con = template.connect(db)
    other = next(r[0] for r in con.execute("SELECT id FROM stories WHERE id != ? ORDER BY id", (ids["story"],)))
    assert client.post(f"/api/stories/{ids['story']}/merge", params={"other": other}).status_code == 200
    members = [r[0] for r in con.execute("SELECT article_id FROM story_articles WHERE story_id=? ORDER BY 1",
                                         (ids["story"],))]
    for article in members:
        assert client.post(f"/api/stories/{ids['story']}/exclude", params={"article": article}).status_code == 200
    dangling = con.execute("SELECT alias FROM story_aliases WHERE story_id NOT IN (SELECT id FROM stories)")
    assert not dangling.fetchall()
    for old in (ids["story"], other):
        assert client.get(f"/api/stories/{old}").status_code == 200, old


@pytest.mark.parametrize("method, url", [("post", "/api/stories/%00/merge?other={story}"),
                                         ("post", "/api/stories/{story}/merge?other=%00"),
                                         ("get", "/api/stories/%00"), ("get", "/stories/%00"),
                                         ("get", "/api/articles/%00"), ("get", "/api/sources/%00"),
                                         ("get", "/api/entities/%00"), ("get", "/alerts/%00/feed.xml")])
def test_an_id_holding_a_nul_is_a_404(template, method, url):
    """Found while moving the random edits to PostgreSQL (their junk ids include a NUL), whose text holds no NUL, so
    psycopg refuses to send one: a lookup by such an id finds nothing, as in SQLite, instead of a 500."""
    client = TestClient(create_app(template.db, allow_edits=True), raise_server_exceptions=False)
    response = getattr(client, method)(url.format(story=template.ids["story"]))
    assert response.status_code == 404, response.text[:300]
