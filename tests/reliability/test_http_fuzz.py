"""Fuzzing the network side: the HTTP fetcher and feeds over HTTP against a hostile server on 127.0.0.1.

Every trouble in hostile_server.ROUTES (truncated bodies, wrong Content-Length, invalid gzip, gzip bombs, huge
headers, redirect loops, slow-loris answers, binary junk served as text/html, bad charsets...) must come back from
``Fetcher.fetch`` as a FetchResult or as a Drop naming the URL and the reason, within the configured timeout; then
the same through a feed, where each one is a counted, reported skip of `newsfuse watch`. Hypothesis adds random raw
responses. Time limits are SIGALRM alarms: a hang fails the test instead of stopping it.
"""
from __future__ import annotations

import gzip
import re
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from contextlib import ExitStack, contextmanager

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from newsfuse.config import Config
from newsfuse.extract import DROP_REASONS, extract_page
from newsfuse.ingest import http
from newsfuse.ingest.feeds import BAD_FEED, MemoryState, page_from_result, parse_feed
from newsfuse.ingest.http import FetchConfig, Fetcher, FetchResult
from newsfuse.ingest.sources import FeedSource
from newsfuse.records import Drop, Page
from newsfuse.store import SqliteStore
from newsfuse.watch import FeedWatcher

from .hostile_server import (GZIP_BOMB, HTML, PAGE, ROUTES, SLOW, HostileServer, article, raw, send, stall,
                             trickle)
from .test_concurrency import EXE

TIMEOUT_S = 0.5
FUZZ = FetchConfig(timeout_s=TIMEOUT_S, retries=1, backoff_s=0, per_host_interval_s=0, allow_private=True,
                   max_bytes=1_000_000, max_retry_after_s=0.2, respect_robots=False)
FETCH_REASONS = {getattr(http, name) for name in http.__all__ if name.isupper() and name not in ("FEED_TYPES",
                                                                                               "HTML_TYPES")}
PAGE_REASONS = {"binary", "empty", "not_modified", "unsupported_type"}
TRIED: Counter[str] = Counter()


@contextmanager
def time_limit(seconds: float):
    def expired(signum, frame):
        raise TimeoutError(f"took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def known_reason(reason: str) -> bool:
    return reason in FETCH_REASONS or re.fullmatch(r"http_\d{3}", reason) is not None


def no_surrogates(text: str) -> bool:
    return re.search("[\ud800-\udfff]", text) is None


def check_page(result: FetchResult) -> Page | Drop:
    """A fetched body through the page and feed readers and extraction: Drops with reasons, never an exception."""
    assert no_surrogates(result.text())
    parsed = parse_feed(result.content, result.content_type, result.final_url)
    assert isinstance(parsed, Drop) or all(e.url.startswith(("http://", "https://")) for e in parsed.entries)
    page = page_from_result(result)
    if isinstance(page, Drop):
        assert page.reason in PAGE_REASONS and page.path == result.final_url, page
        return page
    assert no_surrogates(page.content)
    extracted = extract_page(page)
    assert isinstance(extracted, Drop) and extracted.reason in DROP_REASONS or extracted.text.encode("utf-8")
    return page


@pytest.fixture(scope="module")
def server():
    with HostileServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def fetcher():
    with Fetcher(FUZZ) as f:
        yield f


# -- each named trouble, through the fetcher --------------------------------------------------------------------
@pytest.mark.parametrize("name", list(ROUTES))
def test_a_hostile_answer_is_a_named_drop_or_a_clean_page(server, fetcher, name):
    route, reasons = ROUTES[name]
    url = server.url(f"/{name}")
    started = time.monotonic()
    with time_limit(10):
        result = fetcher.fetch(url, MemoryState())
    took = time.monotonic() - started
    TRIED["named_routes"] += 1
    # each attempt has timeout_s; a retried answer (429/5xx) gets retries + 1 attempts
    assert took < TIMEOUT_S * (FUZZ.retries + 1) + 1.0, f"{name} took {took:.1f} s"
    if isinstance(result, Drop):
        assert result.path == url and known_reason(result.reason), result
        assert reasons is None or result.reason in reasons, result
        assert result.detail, result
        return
    assert reasons is None, f"{name}: expected a drop in {sorted(reasons)}, got a {result.status} answer"
    with time_limit(10):
        check_page(result)


def test_slow_loris_is_cut_at_the_timeout(server):
    """httpx's timeouts are per read: a byte every 50 ms never trips them. The whole answer has timeout_s."""
    with Fetcher(FetchConfig(timeout_s=1.0, retries=0, per_host_interval_s=0, allow_private=True,
                             respect_robots=False)) as fetcher:
        for name in sorted(SLOW):
            started = time.monotonic()
            with time_limit(10):
                drop = fetcher.fetch(server.url(f"/{name}"))
            took = time.monotonic() - started
            assert isinstance(drop, Drop) and drop.reason == "timeout", drop
            assert 0.9 < took < 1.8, f"{name}: {took:.2f} s for timeout_s=1.0"


def test_a_latin1_etag_does_not_break_later_fetches(server, fetcher):
    """A validator HTTP cannot send back (non-ASCII) once made every later fetch of the URL a bad_url drop."""
    state, url = MemoryState(), server.url("/etag-latin1")
    first, second = fetcher.fetch(url, state), fetcher.fetch(url, state)
    assert isinstance(first, FetchResult) and isinstance(second, FetchResult), second


@pytest.mark.parametrize("charset_route", ["charset-undefined", "charset-idna", "meta-undefined",
                                           "charset-unicode-escape", "charset-utf7-surrogate",
                                           "meta-unicode-escape"])
def test_bad_charsets_decode_without_error_or_surrogates(server, fetcher, charset_route):
    result = fetcher.fetch(server.url(f"/{charset_route}"))
    assert isinstance(result, FetchResult)
    text = result.text()
    assert no_surrogates(text) and text.encode("utf-8") and "uncil" in text


ROBOTS = {"robots-slow": trickle(b"HTTP/1.1 200 OK\r\n", forever=b"X: 1\r\n"),
          "robots-bomb": send(raw(headers=[("Content-Type", "text/plain"), ("Content-Encoding", "gzip")],
                                  body=GZIP_BOMB)),
          "robots-binary": send(raw(headers=[("Content-Type", "text/plain")], body=bytes(range(256)) * 8)),
          "robots-loop": send(raw("HTTP/1.1 302 Found", [("Location", "/robots.txt")])),
          "robots-stall": stall(),
          "robots-reset": ROUTES["reset"][0],
          "robots-undefined-charset": send(raw(headers=[("Content-Type", "text/plain; charset=undefined")],
                                               body=b"User-agent: *\nDisallow: /c\xf6\n"))}


@pytest.mark.parametrize("name", list(ROBOTS))
def test_a_hostile_robots_txt_is_a_drop_or_allows(name):
    config = FetchConfig(timeout_s=TIMEOUT_S, retries=0, per_host_interval_s=0, allow_private=True,
                         max_bytes=1_000_000)
    with HostileServer({"/robots.txt": ROBOTS[name]}) as srv, Fetcher(config) as fetcher:
        started = time.monotonic()
        with time_limit(10):
            result = fetcher.fetch(srv.url("/ok"))
        TRIED["robots"] += 1
    assert time.monotonic() - started < 2 * TIMEOUT_S + 1.0
    if isinstance(result, Drop):
        assert result.path == srv.url("/ok") and known_reason(result.reason), result
    else:
        assert result.status == 200


# -- feeds over HTTP: every trouble is a counted, reported skip ---------------------------------------------------
def good_feed(base: str, names: list[str]) -> bytes:
    items = "".join(f"<item><title>{n}</title><link>{base}/{n}</link></item>" for n in names)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title><link>{base}/</link>'
            f"<description>d</description>{items}</channel></rss>").encode()


def test_watch_turns_every_hostile_feed_and_page_into_a_reported_skip(tmp_path):
    """Each route once as a feed (``?as=feed``) and once as a page listed by a good feed, polled by FeedWatcher:
    the run ends, and everything it could not store is one skip naming its URL (or feed#item) and the reason."""
    names = list(ROUTES)
    fresh = {f"/fresh/{n}": send(raw(headers=HTML, body=article(n, "Budget report"))) for n in range(3)}
    with HostileServer(fresh) as srv:
        srv.routes["/feed.xml"] = send(raw(headers=[("Content-Type", "application/rss+xml")],
                                           body=good_feed(srv.base, [*names, *(p[1:] for p in fresh)])))
        sources = [FeedSource("Hostile", srv.url("/feed.xml"))]
        sources += [FeedSource(n, srv.url(f"/{n}?as=feed")) for n in names]
        config = FetchConfig(timeout_s=TIMEOUT_S, retries=1, backoff_s=0, per_host_interval_s=0,
                             allow_private=True, max_bytes=1_000_000, max_retry_after_s=0.2)
        with SqliteStore(tmp_path / "news.db") as store, Fetcher(config) as fetcher:
            with time_limit(150):
                report = FeedWatcher(store, sources, fetcher, Config()).poll_once()
            articles = store.articles()
        hits = sum(srv.hits.values())
    stored = Counter(a.url for a in articles)
    TRIED["feeds_over_http"] += hits
    failures = Counter(d.path for d in report.failures)
    reasons = FETCH_REASONS | PAGE_REASONS | set(DROP_REASONS) | {BAD_FEED, "no_link"}
    odd = [str(d) for d in report.failures if not ((d.reason in reasons or known_reason(d.reason)) and d.detail
                                                   and d.path.startswith("http://127.0.0.1:"))]
    assert not odd, odd  # each skip names a URL of the site (a page, a feed, or feed#item) and a known reason
    for source in sources[1:]:  # a route that is no feed is one skip naming the feed URL
        assert failures[source.feed] == 1 or source.name.startswith("feed-"), (source.feed, failures[source.feed])
    for name in names:  # each page the good feed lists: stored once, or one skip naming its URL
        url = srv.url(f"/{name}")
        assert stored[url] + failures[url] == 1, (name, stored[url], [str(d) for d in report.failures
                                                                      if d.path == url])
    assert all(stored[srv.url(p)] == 1 for p in fresh) and max(stored.values()) == 1
    # the hostile feeds' good entries got through: entities not expanded, bad items skipped, relative links resolved
    assert all(stored[srv.url(f"/article/{p}")] == 1 for p in ("laughs", "xxe", "xxe2", "t1", "j1", "relative"))
    assert not any("root:" in (a.text + (a.title or "")) for a in articles)  # no external entity was read
    assert sum(report.dropped.values()) == len(report.failures) == sum(failures.values())
    assert f"{len(report.failures)} failures" in report.summary_line()
    con = sqlite3.connect(tmp_path / "news.db")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


CLI_ROUTES = ("truncated-body", "gzip-invalid", "huge-header", "redirect-self", "binary-as-html",
              "content-length-junk", "status-garbage", "reset")


def test_newsfuse_watch_prints_each_skip_and_counts_it(tmp_path):
    """The real command: each hostile page is a 'skipped URL: reason' line, and the summary counts them. One
    server per page: the fetcher's default pace is one request a second per host:port."""
    with ExitStack() as stack:
        servers = [stack.enter_context(HostileServer()) for _ in CLI_ROUTES]
        urls = [srv.url(f"/{name}") for srv, name in zip(servers, CLI_ROUTES)]
        items = "".join(f"<item><title>{n}</title><link>{u}</link></item>" for n, u in zip(CLI_ROUTES, urls))
        servers[0].routes["/feed.xml"] = send(raw(headers=[("Content-Type", "application/rss+xml")], body=(
            '<?xml version="1.0"?><rss version="2.0"><channel><title>H</title><link>http://127.0.0.1/</link>'
            f"<description>d</description>{items}</channel></rss>").encode()))
        sources = tmp_path / "sources.toml"
        sources.write_text(f'[[sources]]\nname = "Hostile"\nfeed = "{servers[0].url("/feed.xml")}"\n')
        proc = subprocess.run([str(EXE), "watch", "--sources", str(sources), "--db", str(tmp_path / "n.db"),
                               "--once", "--allow-private"], capture_output=True, text=True, timeout=300)
    TRIED["feeds_over_http"] += len(CLI_ROUTES) + 1
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    skipped = [line for line in proc.stderr.splitlines() if line.startswith("skipped ")]
    for url in urls:
        assert sum(line.startswith(f"skipped {url}: ") for line in skipped) == 1, (url, proc.stderr[-3000:])
    assert all(known_reason(line.split(": ", 2)[1].split(" ")[0]) or "binary" in line for line in skipped), skipped
    assert f"0 articles stored (0 already stored), 0 duplicates, 0 stories (0 updated), {len(skipped)} failures" \
        in proc.stderr, proc.stderr[-2000:]


# -- hypothesis: random raw answers --------------------------------------------------------------------------------
HTML_TEXT = st.lists(st.sampled_from(["<html>", "<title>T</title>", "<p>", "</p>", "<meta charset='utf-16'>",
                                      "<meta charset=undefined>", "café", "\\ud800", "+2AA-", "\x00", "&#0;",
                                      "<rss version='2.0'><channel><item><link>/a</link></item>", "{\"version\":"]),
                     max_size=30).map("".join) | st.text(max_size=200)
BODIES = st.one_of(
    st.binary(max_size=2000),
    st.tuples(HTML_TEXT, st.sampled_from(["utf-8", "latin-1", "utf-16", "cp1252"])).map(
        lambda t: t[0].encode(t[1], "replace")),
    st.just(PAGE),
    HTML_TEXT.map(lambda t: gzip.compress(t.encode("utf-8", "replace"))),
    st.tuples(st.just(gzip.compress(PAGE)), st.integers(0, 200)).map(lambda t: t[0][:t[1]]),
    HTML_TEXT.map(lambda t: b"%x\r\n%s\r\n0\r\n\r\n" % (len(t.encode("utf-8", "replace")),
                                                        t.encode("utf-8", "replace"))),
)
HEADER_VALUES = {
    "Content-Type": ["text/html", "text/html; charset=utf-8", "text/html; charset=undefined", "text/html; charset=idna",
                     "text/html; charset=unicode_escape", "text/html; charset=utf-16", "text/html; charset=\"",
                     "application/rss+xml", "application/feed+json", "application/json", "image/png", "", "*/*"],
    "Content-Length": ["0", "5", "99999999999", "-1", "abc", " 12 ", "1e3"],
    "Content-Encoding": ["gzip", "deflate", "br", "identity", "gzip, deflate", "x-unknown", ""],
    "Transfer-Encoding": ["chunked", "gzip, chunked", "identity", "chunked, chunked", "bogus"],
    "Location": ["/", "/fz/self", "http://[::1", "//evil.example", "javascript:x", "http://127.0.0.1:1/", "", "%zz"],
    "ETag": ['"a"', "W/\"x\"", "caf\xe9", ""],
    "Last-Modified": ["Tue, 07 May 2024 10:00:00 GMT", "yesterday", "\xff"],
    "Retry-After": ["0", "1", "99999999", "Tue, 07 May 2024 10:00:00 GMT", "soon", "-3"],
}


def mostly(common: st.SearchStrategy, rare: st.SearchStrategy, one_in: int = 6) -> st.SearchStrategy:
    """``common`` five times out of six, ``rare`` (free text: mostly junk to the HTTP parser) otherwise."""
    return st.integers(1, one_in).flatmap(lambda k: rare if k == 1 else common)


HEADERS = st.lists(st.one_of(
    st.sampled_from(list(HEADER_VALUES)).flatmap(
        lambda k: st.tuples(st.just(k), mostly(st.sampled_from(HEADER_VALUES[k]), st.text(max_size=40)))),
    mostly(st.tuples(st.sampled_from(["X-Junk", "Server", "Set-Cookie", "Vary"]), st.text("abc =;,", max_size=30)),
           st.tuples(st.text("abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=12), st.text(max_size=40)))),
    max_size=6)
STATUS = mostly(st.sampled_from(["HTTP/1.1 200 OK", "HTTP/1.0 200 OK", "HTTP/1.1 200", "HTTP/1.1 302 Found",
                                 "HTTP/1.1 301 Moved", "HTTP/1.1 304 Not Modified", "HTTP/1.1 404 Not Found",
                                 "HTTP/1.1 429 Slow down", "HTTP/1.1 503 Busy", "HTTP/1.1 204 No Content",
                                 "HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK"]),
                st.sampled_from(["HTTP/1.1 100 Continue", "HTTP/2 200", "ICY 200 OK", "", "HTTP/1.1 200 \xff"])
                | st.text(max_size=30))
RAW_TIMEOUT_S = 0.3
RAW_FUZZ = FetchConfig(timeout_s=RAW_TIMEOUT_S, retries=1, backoff_s=0, per_host_interval_s=0, allow_private=True,
                       max_bytes=200_000, max_retry_after_s=0.1, respect_robots=False)


def build_answer(status: str, headers: list[tuple[str, str]], body: bytes, length: bool) -> bytes:
    head = status + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
    if length:
        head += f"Content-Length: {len(body)}\r\n"
    return (head + "\r\n").encode("utf-8", "surrogatepass") + body


@pytest.fixture(scope="module")
def raw_site():
    with HostileServer() as srv, Fetcher(RAW_FUZZ) as fetcher:
        srv.count = 0
        yield srv, fetcher


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                  HealthCheck.function_scoped_fixture])
@given(status=STATUS, headers=HEADERS, body=BODIES, length=st.booleans(),
       ending=st.sampled_from(["close"] * 9 + ["stall"]))
def test_random_raw_answers_are_drops_or_clean_pages(raw_site, status, headers, body, length, ending):
    srv, fetcher = raw_site
    srv.count += 1
    path = f"/fz/{srv.count}"
    answer = build_answer(status, [(k, v.replace("/fz/self", path)) for k, v in headers], body, length)
    srv.routes[path] = send(answer) if ending == "close" else stall(answer)
    url = srv.url(path)
    started = time.monotonic()
    with time_limit(10):
        result = fetcher.fetch(url, MemoryState())
    TRIED["raw_answers"] += 1
    took = time.monotonic() - started
    # each attempt has timeout_s; a retried answer gets retries + 1 attempts, each redirect hop as many again
    assert took < RAW_TIMEOUT_S * (RAW_FUZZ.retries + 1) * (RAW_FUZZ.max_redirects + 1) + 1.0, took
    if isinstance(result, Drop):
        event(f"drop {result.reason}")
        assert result.path == url and known_reason(result.reason), result
        assert result.detail or result.reason.startswith("http_"), result
    else:
        with time_limit(10):
            outcome = check_page(result)
        event(f"page {getattr(outcome, 'reason', 'ok')}")


def test_report_http_inputs_tried(capsys):
    """Not a check: prints how many inputs the HTTP fuzz tests above tried (run the file as a whole)."""
    with capsys.disabled():
        print(f"\nhttp fuzz inputs tried: {sum(TRIED.values())} {dict(TRIED)}")
