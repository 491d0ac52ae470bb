"""Fuzzing: hostile documents through every reader and stage never crash or hang; each failure is a Drop with a reason.

Two halves:
- the mutation corpus in tests/data/fuzz (written by ``bench/fuzz.py --write-corpus``): every file runs in a forked
  worker with a 10 s limit through read_file -> extract_page -> Deduplicator -> StoryAssigner -> build_brief
  (feeds through parse_feed). Files under ``bugs/`` crash or hang today: one strict xfail each;
- hypothesis strategies for the readers and stages, each example under a SIGALRM time limit.

A longer campaign (random byte-level mutations of the corpus) runs with ``python bench/fuzz.py --rounds N``.
"""
from __future__ import annotations

import json
import signal
import string
import time
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsfuse.brief import build_brief
from newsfuse.cluster import StoryAssigner
from newsfuse.config import BriefConfig, Config
from newsfuse.dedup import Deduplicator
from newsfuse.extract import DROP_REASONS, extract_page
from newsfuse.ingest import page_from_object, parse_time
from newsfuse.ingest.decode import decode_bytes
from newsfuse.ingest.feeds import ParsedFeed, parse_feed
from newsfuse.ingest.files import read_html, read_jsonl, read_text
from newsfuse.pipeline import Runner
from newsfuse.records import Article, Brief, Drop, Page, canonical_url, make_id
from newsfuse.store import open_store

from ..conftest import TEST_DATA
from .fuzzing import KNOWN_BUGS, OPEN_BUGS, IsolatedRunner

CORPUS = TEST_DATA / "fuzz"
LIMIT_S = 10
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.function_scoped_fixture])
TRIED: Counter[str] = Counter()  # inputs tried, by test: printed at the end of the session (see conftest-free hook)


@contextmanager
def time_limit(seconds: int = LIMIT_S):
    """Fail (not hang) when one example takes longer than ``seconds``."""
    def expired(signum, frame):
        raise TimeoutError(f"took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and not p.relative_to(CORPUS).parts[0] == "bugs")


# -- the mutation corpus -----------------------------------------------------------------------------------------
def test_the_corpus_is_small_and_complete():
    files = [p for p in CORPUS.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 2_000_000
    kinds = {p.relative_to(CORPUS).parts[0] for p in files}
    assert kinds >= {"html", "text", "jsonl", "warc", "feeds", "bugs"}
    assert all((CORPUS / rel).is_file() for rel in [*KNOWN_BUGS, *OPEN_BUGS])


def test_every_corpus_document_through_every_stage_without_crash_or_hang(capsys):
    findings, drops, articles = [], Counter(), 0
    files = corpus_files()
    with IsolatedRunner(LIMIT_S) as runner:
        for path in files:
            outcome = runner.run(path)
            if outcome.status != "ok":
                findings.append(f"{outcome.status}: {path.relative_to(CORPUS)}: {outcome.detail}")
                continue
            drops.update(outcome.detail["drops"])
            articles += outcome.detail["articles"]
    TRIED["corpus"] += len(files)
    with capsys.disabled():
        print(f"\nfuzz corpus: {len(files)} documents, {articles} articles, drops {dict(drops)}")
    assert not findings, "\n".join(findings)
    assert articles > 10 and drops["binary"] and drops["bad_gzip"] and drops["bad_warc"] and drops["bad_feed"]


@pytest.mark.parametrize("rel", [pytest.param(rel, id=rel) for rel in KNOWN_BUGS]
                         + [pytest.param(rel, id=rel, marks=pytest.mark.xfail(strict=True, reason=reason))
                            for rel, reason in OPEN_BUGS.items()])
def test_known_bad_inputs_become_drops(rel):
    with IsolatedRunner(LIMIT_S) as runner:
        outcome = runner.run(CORPUS / rel)
    TRIED["bugs"] += 1
    assert outcome.status == "ok", f"{outcome.status}: {outcome.detail}"


def _spin(arg: str) -> None:
    while True:
        pass


def _idle(arg: str) -> None:
    time.sleep(3600)


def test_the_isolated_runner_stops_busy_and_idle_hangs(monkeypatch):
    """The per-document limit counts the worker's CPU time (a loaded machine must not fail documents), and still
    stops a busy loop at the limit and a worker that sleeps or waits at WALL_FACTOR times it."""
    from . import fuzzing

    monkeypatch.setattr(fuzzing, "_warm_up", lambda: None)  # the workers fork after this
    monkeypatch.setitem(fuzzing._TASKS, "spin", _spin)
    monkeypatch.setitem(fuzzing._TASKS, "idle", _idle)
    with IsolatedRunner(1) as runner:
        started = time.monotonic()
        busy = runner.run("busy", "spin")
        assert busy.status == "timeout" and "CPU" in busy.detail, busy
        idle = runner.run("idle", "idle")
        assert idle.status == "timeout" and "wall" in idle.detail, idle
        assert runner.run(str(CORPUS / "feeds" / "rss.xml")).status == "ok"  # a fresh worker after a timeout
    assert time.monotonic() - started < 1 + fuzzing.WALL_FACTOR + 20


# -- hypothesis: readers -----------------------------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)
FIELDS = ("id", "title", "text", "url", "source", "site", "author", "published", "language", "html")
article_objects = st.dictionaries(st.sampled_from(FIELDS), json_values | st.text(min_size=1, max_size=300),
                                  max_size=len(FIELDS))


@FAST
@given(obj=json_values | article_objects)
def test_page_from_object_never_raises(obj):
    TRIED["page_from_object"] += 1
    with time_limit():
        result = page_from_object(obj, "fuzz:1")
    assert isinstance(result, (Page, Drop))
    if isinstance(result, Drop):
        assert result.reason in {"bad_json", "no_text"}


@FAST
@given(lines=st.lists(st.one_of(json_values.map(json.dumps), article_objects.map(json.dumps),
                                st.binary(max_size=80).map(lambda b: b.decode("latin-1"))), max_size=12))
def test_read_jsonl_gives_one_page_or_drop_per_line(lines):
    TRIED["read_jsonl"] += 1
    data = "\n".join(line.replace("\n", " ").replace("\r", " ") for line in lines).encode("utf-8", "replace")
    with time_limit():
        out = list(read_jsonl("fuzz.jsonl", data))
    # JSON Lines end at "\n" only (a \v or U+2028 inside a line is text): ingest.files.iter_json_lines
    expected = sum(1 for line in data.split(b"\n") if decode_bytes(line)[0].strip())
    assert len(out) == expected  # no line is lost silently
    assert all(isinstance(x, (Page, Drop)) for x in out)


@FAST
@given(data=st.binary(max_size=3000) | st.text(max_size=3000).map(lambda t: t.encode("utf-8")))
def test_bytes_readers_never_raise(data):
    TRIED["bytes_readers"] += 1
    with time_limit():
        text, encoding = decode_bytes(data, html=True)
        html, plain = read_html("f.html", data), read_text("f.txt", data)
    assert isinstance(text, str) and encoding
    assert isinstance(html, (Page, Drop)) and isinstance(plain, (Page, Drop))


TAGS = ["<div>", "</div>", "<p>", "</p>", "<article>", "</article>", "<h1>", "</h1>", "<script>", "</script>",
        "<!--", "-->", "<br/>", "<table><tr><td>", "&amp;", "&#0;", "<meta charset='utf-16'>", "<title>", "</title>",
        "<a href='javascript:x'>", "</a>", "<![CDATA[", "]]>", "\x00", "\ufeff"]
html_like = st.lists(st.sampled_from(TAGS) | st.text(string.ascii_letters + " .,\n", min_size=1, max_size=80),
                     max_size=60).map("".join)


@FAST
@given(content=html_like | st.text(max_size=2000), kind=st.sampled_from(["html", "text", "article", "pdf"]))
def test_extract_page_never_raises(content, kind):
    TRIED["extract_page"] += 1
    page = Page(id="p", path="fuzz", kind=kind, content=content)
    with time_limit():
        result = extract_page(page)
    assert isinstance(result, (Article, Drop))
    if isinstance(result, Drop):
        assert result.reason in DROP_REASONS
    else:
        assert result.text.strip()


FEED_BITS = ["<?xml version='1.0'?>", "<rss version='2.0'>", "</rss>", "<channel>", "</channel>", "<item>", "</item>",
             "<link>http://news.example/a</link>", "<link>/rel</link>", "<title>", "</title>", "<pubDate>",
             "</pubDate>", "Mon, 06 Sep 2023 14:30:00 GMT", "<feed xmlns='http://www.w3.org/2005/Atom'>", "<entry>",
             "</entry>", "<link href='x'/>", "&amp;", "&nosuch;", "\x00"]


@FAST
@given(data=st.binary(max_size=2000) | st.lists(st.sampled_from(FEED_BITS) | st.text(max_size=20), max_size=40)
       .map(lambda parts: "".join(parts).encode("utf-8")),
       ctype=st.sampled_from(["", "application/rss+xml", "application/feed+json", "text/html"]))
def test_parse_feed_never_raises(data, ctype):
    TRIED["parse_feed"] += 1
    with time_limit():
        result = parse_feed(data, ctype, "http://feeds.example/feed")
    assert isinstance(result, (ParsedFeed, Drop))
    if isinstance(result, ParsedFeed):
        assert all(e.url.startswith(("http://", "https://")) for e in result.entries)


# -- hypothesis: stages --------------------------------------------------------------------------------------------
WORDS = ("the council voted budget on Tuesday minister said police 2024 last year yesterday Kirby Paris "
         "schools \"we will\" . , ! ? 1,200 million").split()
texts = st.lists(st.sampled_from(WORDS), min_size=0, max_size=300).map(" ".join) | st.text(max_size=300)
dates = st.none() | st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2030, 1, 1),
                                 timezones=st.just(timezone.utc))
articles = st.builds(lambda n, text, title, when, site: Article(id=f"a{n}", text=text, title=title,
                                                                published=when, site=site),
                     st.integers(0, 10_000), texts, st.none() | texts, dates, st.none() | st.sampled_from("abc"))
article_lists = st.lists(articles, max_size=12, unique_by=lambda a: a.id)


@FAST
@given(batch=article_lists)
def test_dedup_and_cluster_never_raise_and_link_backwards(batch):
    TRIED["dedup_cluster"] += 1
    dedup, assigner = Deduplicator(), StoryAssigner()
    seen: set[str] = set()
    with time_limit():
        for article in batch:
            link = dedup.add(article)
            assert link.duplicate_of is None or link.duplicate_of in seen | {article.id}
            copy = assigner.story_of.get(link.duplicate_of) if link.duplicate_of else None
            assert assigner.assign(article, copy).startswith("s")
            seen.add(article.id)


@pytest.fixture(scope="module")
def brief_models_loaded():
    """One brief built before the timed examples: loading the entity model and the brief's modules takes seconds
    on a loaded machine, and the time limit is there to catch an input that hangs, not a first import."""
    build_brief("s0", [Article(id="w1", text="The council met on Tuesday. It approved the budget.")], {}, BriefConfig())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(batch=article_lists, limit=st.integers(1, 5))
def test_build_brief_never_raises_and_cites_only_its_articles(brief_models_loaded, batch, limit):
    TRIED["build_brief"] += 1
    with time_limit():
        brief = build_brief("s1", batch, {}, BriefConfig(max_articles=limit))
    assert isinstance(brief, Brief)
    ids = {a.id for a in batch}
    assert all(set(c.sources) <= ids for c in brief.summary)


# -- the bugs the fuzzing found, one strict xfail each --------------------------------------------------------------
def test_a_date_phrase_far_in_the_past_does_not_break_the_timeline():
    from newsfuse.nlp.dates import resolve_date

    published = datetime(2024, 1, 10, tzinfo=timezone.utc)
    assert resolve_date("1000000 days ago", published) is None
    assert resolve_date("yesterday", datetime(1, 1, 1, tzinfo=timezone.utc)) is None


def test_build_brief_survives_absurd_relative_dates():
    text = "The council said the site was abandoned 1000000 days ago. " * 5 + "Officials met on Tuesday. " * 5
    article = Article(id="a1", text=text, published=datetime(2024, 1, 10, tzinfo=timezone.utc))
    assert isinstance(build_brief("s", [article]), Brief)


def test_parse_time_out_of_range_is_none():
    assert parse_time("9999-12-31T23:59:59-12:00") is None
    assert parse_time("0001-01-01T00:00:00+14:00") is None


def test_make_id_accepts_any_url_string():
    assert len(make_id(url="http://[::1")) == 16
    assert canonical_url("http://[::1/a")


def test_read_jsonl_turns_every_unparseable_line_into_a_drop():
    data = b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b'}\n{"n": 1' + b"0" * 5000 + b"}\n"
    out = list(read_jsonl("f.jsonl", data))
    assert [d.reason for d in out] == ["bad_json", "bad_json"]


def test_parse_feed_deep_json_is_a_drop():
    data = b'{"version": "https://jsonfeed.org/version/1", "items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert isinstance(parse_feed(data, "application/feed+json", "http://feeds.example/f"), Drop)


def test_one_bad_jsonl_line_does_not_stop_a_run(backend, tmp_path):
    text = "The council voted on Tuesday to approve the new budget after a long debate about schools and roads. "
    lines = [json.dumps({"id": "ok1", "title": "Budget", "text": text * 2, "source": "a"}),
             '{"id": "bad", "title": "S", "text": "\\ud800 ' + text * 2 + '", "source": "b"}',
             json.dumps({"id": "ok2", "title": "Roads", "text": "Roads and bridges. " * 20, "source": "c"})]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n")
    with open_store(backend.new_db()) as store:
        report = Runner(store, Config()).run([tmp_path / "in.jsonl"])
        stored = {a.id: a for a in store.articles()}
    assert {"ok1", "ok2", "bad"} <= set(stored) and not report.failures
    assert stored["bad"].text.startswith("\ufffd")  # the lone surrogate is replaced, the rest kept


def test_build_brief_is_not_quadratic_in_paragraphs():
    article = Article(id="a1", text="\n\n".join(f"Short line {i}." for i in range(40_000)))
    with time_limit():
        build_brief("s", [article])


def test_report_inputs_tried(capsys):
    """Not a check: prints how many inputs the fuzz tests above tried (run the file as a whole)."""
    with capsys.disabled():
        print(f"\nfuzz inputs tried: {sum(TRIED.values())} {dict(TRIED)}")


def test_a_json_feed_item_with_a_broken_url_is_a_drop():
    data = json.dumps({"version": "https://jsonfeed.org/version/1.1",
                       "items": [{"url": "http://[::1"}, {"url": "http://news.example/a"}]}).encode()
    parsed = parse_feed(data, "application/feed+json", "http://feeds.example/f")
    assert isinstance(parsed, ParsedFeed) and len(parsed.entries) == 1 and parsed.drops[0].reason == "no_link"
