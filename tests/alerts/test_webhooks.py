"""Alerts end to end: runs over a growing input POST to a receiver served on 127.0.0.1 by the test, each
notification once (also after a restart), and a receiver that fails is counted and served again next run."""
import json
import shutil
import threading
from xml.etree import ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newsfuse.alerts import WebhookNotifier
from newsfuse.config import Config
from newsfuse.executors import LocalExecutor
from newsfuse.pipeline import Runner
from newsfuse.store import alerts as stored
from newsfuse.store import open_store

from ..conftest import SEEDS

WION, WXII = "000_465c2a13a0b66ec2.txt", "002_64a12eb51215b9f6.txt"
ATOM = "{http://www.w3.org/2005/Atom}"
FAST = WebhookNotifier(delays=(0.01, 0.02), timeout_s=2.0)


class Receiver:
    """Collects the JSON POSTed to it; a path in ``failing`` answers 500."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict]] = []
        self.tries: list[str] = []
        self.failing: set[str] = set()
        state = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                state.tries.append(self.path)
                if self.path in state.failing:
                    self.send_response(500)
                else:
                    state.posts.append((self.path, json.loads(body)))
                    self.send_response(204)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def receiver():
    served = Receiver()
    yield served
    served.close()


def run(db: str, folder):
    """One run as a fresh process would make it: a new store connection and a new Runner."""
    with open_store(db) as store:
        return Runner(store, Config(), LocalExecutor(1), notifier=FAST).run([str(folder)])


def test_runs_over_a_growing_input_notify_once_each(tmp_path, receiver):
    db, folder = str(tmp_path / "news.db"), tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS / WION, folder / WION)
    with open_store(db) as store:
        stored.add_alert(store, {"name": "letters", "query": "Putin", "webhook": receiver.url + "/ok"})
        stored.add_alert(store, {"name": "flaky", "query": "Kim", "webhook": receiver.url + "/down"})
        stored.add_alert(store, {"name": "other", "query": "volcano", "webhook": receiver.url + "/other"})
    receiver.failing.add("/down")

    report = run(db, folder)
    first = report.counts()
    assert (first["alerts_sent"], first["alerts_failed"]) == (1, 1)
    assert report.alert_errors == ["alert flaky: webhook at 127.0.0.1 failed (HTTP 500); it is sent again next run"]
    with open_store(db) as store:
        assert json.loads(store.db.execute("SELECT counts FROM runs").fetchone()[0])["alerts_failed"] == 1
    assert receiver.tries.count("/down") == 3  # three attempts, then counted and kept for the next run
    [(path, post)] = receiver.posts
    story = post["story"]
    assert path == "/ok" and post == {"alert": "letters", "story": story, "headline": post["headline"],
                                      "url": f"/stories/{story}", "reason": "new story"}
    assert post["headline"]

    receiver.failing.clear()
    shutil.copy(SEEDS / WXII, folder / WXII)  # the same story from a second, independent outlet
    second = run(db, folder).counts()
    assert (second["alerts_sent"], second["alerts_failed"]) == (3, 0)
    later = [(p, b["alert"], b["reason"]) for p, b in receiver.posts[1:]]
    assert sorted(later) == [("/down", "flaky", "new story"), ("/down", "flaky", "story grew"),
                             ("/ok", "letters", "story grew")]
    assert {b["story"] for _, b in receiver.posts} == {story}

    again = run(db, folder).counts()  # a restart over the same input: nothing new, nothing owed
    assert (again["alerts_sent"], again["alerts_failed"]) == (0, 0) and len(receiver.posts) == 4
    with open_store(db) as store:
        hits = store.db.execute("SELECT alert, reason, sources, fired IS NOT NULL, attempts FROM alert_hits "
                                "ORDER BY alert, reason").fetchall()
    assert [tuple(h) for h in hits] == [("flaky", "new story", 1, 1, 2), ("flaky", "story grew", 2, 1, 1),
                                        ("letters", "new story", 1, 1, 1), ("letters", "story grew", 2, 1, 1)]

    from fastapi.testclient import TestClient

    from newsfuse.web import create_app

    with TestClient(create_app(db)) as client:
        entries = ET.fromstring(client.get("/alerts/letters/feed.xml").content).iter(f"{ATOM}entry")
        assert [e.find(f"{ATOM}id").text.rsplit("/", 1)[1] for e in entries] == [story]
        assert ET.fromstring(client.get("/alerts/other/feed.xml").content).find(f"{ATOM}entry") is None


@pytest.fixture()
def news_site(receiver):
    """A feed on 127.0.0.1 that lists the pages in ``pages`` (the test adds to it), beside the receiver."""
    from ..watch.test_watch import seed_html

    pages = {"/news/letters": seed_html(WION, "Russia wants weapons from North Korea")}
    later = {"/tv/letters": seed_html(WXII, "White House says Putin and Kim traded letters")}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            base = f"http://127.0.0.1:{self.server.server_port}"
            if self.path == "/feed.xml":
                items = "".join(f"<item><title>{p}</title><link>{base}{p}</link><guid>{base}{p}</guid>"
                                f"<pubDate>Wed, 30 Aug 2023 1{i}:00:00 GMT</pubDate></item>"
                                for i, p in enumerate(pages))
                body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Local</title><link>{base}/</link>'
                        f"<description>d</description>{items}</channel></rss>").encode()
                ctype = "application/rss+xml"
            elif self.path in pages:
                body, ctype = pages[self.path], "text/html; charset=utf-8"
            else:
                body, ctype = b"", "text/plain"
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/feed.xml", lambda: pages.update(later)
    server.shutdown()
    server.server_close()


def test_watch_over_a_growing_feed_notifies_once_each(tmp_path, receiver, news_site):
    from newsfuse.ingest.http import Fetcher, FetchConfig
    from newsfuse.ingest.sources import FeedSource
    from newsfuse.watch import FeedWatcher

    feed, grow = news_site
    db = str(tmp_path / "news.db")
    with open_store(db) as store:
        stored.add_alert(store, {"name": "letters", "query": "letters", "webhook": receiver.url + "/hook"})

    def poll() -> dict:  # each poll as a restarted watch makes it: a new store connection and watcher
        with open_store(db) as store, Fetcher(FetchConfig(allow_private=True)) as fetcher:
            watcher = FeedWatcher(store, [FeedSource("Local", feed)], fetcher, Config(), LocalExecutor(1), FAST)
            return watcher.poll_once().counts()

    assert poll()["alerts_sent"] == 1
    grow()
    assert poll()["alerts_sent"] == 1
    assert poll()["alerts_sent"] == 0
    assert [(b["alert"], b["reason"]) for _, b in receiver.posts] == [("letters", "new story"),
                                                                      ("letters", "story grew")]
