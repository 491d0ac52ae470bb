"""Feeds kept current: `newsfuse watch` against a news site served on 127.0.0.1 by the test."""
import html
import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsfuse.config import Config
from newsfuse.ingest.http import Fetcher, FetchConfig
from newsfuse.ingest.sources import FeedSource
from newsfuse.store import SqliteStore
from newsfuse.watch import FeedWatcher, parse_every

from ..cli.test_end_to_end import newsfuse
from ..conftest import SEEDS


def seed_html(name: str, title: str) -> bytes:
    """A seed page's paragraphs (from the 'The White House' / 'National security' body on) as an HTML page."""
    paras = [p.strip() for p in (SEEDS / name).read_text(encoding="utf-8").split("\n\n") if len(p.split()) > 25]
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paras if "***" not in p)
    return (f"<html><head><title>{html.escape(title)}</title></head><body><article><h1>{html.escape(title)}</h1>"
            f"{body}</article></body></html>").encode()


class Site:
    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.pages = {
            "/news/letters": seed_html("000_465c2a13a0b66ec2.txt", "Russia wants weapons from North Korea"),
            "/tv/letters": seed_html("002_64a12eb51215b9f6.txt", "White House says Putin and Kim traded letters"),
        }

    def rss(self, base: str) -> bytes:
        items = "".join(f"<item><title>{p}</title><link>{base}{p}</link><guid>{base}{p}</guid>"
                        f"<pubDate>Wed, 30 Aug 2023 1{i}:00:00 GMT</pubDate></item>" for i, p in enumerate(self.pages))
        return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Local</title><link>{base}/</link>'
                f"<description>d</description>{items}</channel></rss>").encode()


@pytest.fixture()
def site():
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            state.hits[self.path] += 1
            base = f"http://127.0.0.1:{self.server.server_port}"
            if self.path == "/robots.txt":
                return self._send(404, b"", "text/plain")
            if self.path == "/feed.xml":
                if self.headers.get("If-None-Match") == '"v1"':
                    return self._send(304, b"", "application/rss+xml")
                return self._send(200, state.rss(base), "application/rss+xml", {"ETag": '"v1"'})
            if self.path in state.pages:
                return self._send(200, state.pages[self.path], "text/html; charset=utf-8")
            self._send(404, b"not found", "text/plain")

        def _send(self, status, body, ctype, headers=None):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_port}"
    yield state
    server.shutdown()
    server.server_close()


def sources_file(tmp_path: Path, base: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(f'[[sources]]\nname = "Local"\nfeed = "{base}/feed.xml"\n')
    return path


def test_watch_once_twice_stores_nothing_twice(site, tmp_path):
    db, sources = tmp_path / "news.db", sources_file(tmp_path, site.base)
    first = newsfuse("watch", "--sources", str(sources), "--db", str(db), "--once", "--allow-private")
    assert "2 articles stored" in first.stderr, first.stderr
    second = newsfuse("watch", "--sources", str(sources), "--db", str(db), "--once", "--allow-private")
    assert "0 documents read, 0 articles stored" in second.stderr, second.stderr
    assert site.hits["/news/letters"] == 1 and site.hits["/tv/letters"] == 1
    (story,) = json.loads(newsfuse("export", "--db", str(db)).stdout)["stories"]
    assert {a["source"] for a in story["articles"]} == {"Local"}
    assert len(story["articles"]) == 2


def test_private_addresses_are_refused_without_the_flag(site, tmp_path):
    db, sources = tmp_path / "news.db", sources_file(tmp_path, site.base)
    proc = newsfuse("watch", "--sources", str(sources), "--db", str(db), "--once")
    assert "private_address" in proc.stderr and "1 failures" in proc.stderr
    assert sum(site.hits.values()) == 0


def test_an_interrupted_poll_resumes_without_duplicates(site, tmp_path):
    class Interrupting(Fetcher):
        calls = 0

        def fetch(self, url, state=None):
            if "/tv/" in url:
                raise KeyboardInterrupt  # the user stops the watch half-way through the poll
            return super().fetch(url, state)

    source = FeedSource("Local", f"{site.base}/feed.xml")
    with SqliteStore(tmp_path / "news.db") as store:
        with Interrupting(FetchConfig(allow_private=True)) as fetcher, pytest.raises(KeyboardInterrupt):
            FeedWatcher(store, [source], fetcher, Config()).poll_once()
        with Fetcher(FetchConfig(allow_private=True)) as fetcher:
            report = FeedWatcher(store, [source], fetcher, Config()).poll_once()
            again = FeedWatcher(store, [source], fetcher, Config()).poll_once()
        assert report.articles == 2 and again.articles == 0
        assert store.count("articles") == 2
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_run_takes_page_urls_and_brief_since(site, tmp_path):
    db = tmp_path / "news.db"
    urls = tmp_path / "pages.urls"
    urls.write_text(f"# two pages\n{site.base}/news/letters\n")
    newsfuse("run", str(urls), "--db", str(db), "--allow-private")
    newsfuse("run", f"{site.base}/tv/letters", "--db", str(db), "--allow-private")
    (row,) = [json.loads(x) for x in newsfuse("stories", "--db", str(db), "--json").stdout.splitlines()]
    assert row["articles"] == 2
    everything = newsfuse("brief", row["id"], "--db", str(db), "--format", "json").stdout
    later = newsfuse("brief", row["id"], "--db", str(db), "--format", "json", "--since", "2999-01-01").stdout
    assert json.loads(everything)["summary"] and json.loads(later)["summary"] == []


def test_durations():
    assert parse_every("10m") == 600 and parse_every("90s") == 90 and parse_every("2") == 2
    with pytest.raises(Exception, match="duration"):
        parse_every("soon")


def test_a_poll_whose_store_connection_drops_while_saving_its_state_goes_on(site, tmp_path, postgres_url,
                                                                             monkeypatch):
    """The PostgreSQL server drops the watch's connection while it saves a poll's validators and seen entries: the
    state is written again on a new connection, and two polls read, store and fetch what they do on SQLite."""
    from newsfuse.store import open_store
    from newsfuse.store.postgres import PgConnection

    from ..store.test_postgres import terminate_others

    source = FeedSource("Local", f"{site.base}/feed.xml")

    def two_polls(store) -> tuple:
        with Fetcher(FetchConfig(allow_private=True)) as fetcher:
            reports = [FeedWatcher(store, [source], fetcher, Config()).poll_once().counts() for _ in range(2)]
        hits = dict(site.hits)
        site.hits.clear()
        rows = [store.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("fetch_state", "feed_seen")]
        return reports, hits, store.count("articles"), rows

    with SqliteStore(tmp_path / "news.db") as store:
        expected = two_polls(store)
    real, drops = PgConnection.executemany, []

    def dropped_once(self, sql, rows):
        if not drops:
            drops.append(sql.split()[2])
            assert terminate_others(postgres_url) == 1
        return real(self, sql, rows)

    with open_store(postgres_url) as store:
        monkeypatch.setattr(PgConnection, "executemany", dropped_once)
        assert two_polls(store) == expected
    assert drops == ["fetch_state"] and expected[0][0]["articles"] == 2 and expected[0][1]["articles"] == 0
