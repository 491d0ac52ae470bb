"""Feeds, URL lists and the sources file, against the canned site on 127.0.0.1."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from newsfuse.errors import ConfigError
from newsfuse.ingest.feeds import (FeedPoll, IngestState, MemoryState, ParsedFeed, fetch_entries, looks_like_feed,
                                   parse_feed, poll_feed)
from newsfuse.ingest.http import FetchConfig, Fetcher
from newsfuse.ingest.sources import FeedSource, load_sources, parse_sources
from newsfuse.ingest.urls import read_urls
from newsfuse.records import Drop, Page, make_id

from .local_server import Site, site  # noqa: F401 - the fixture

FAST = FetchConfig(timeout_s=0.3, retries=1, backoff_s=0.01, per_host_interval_s=0, allow_private=True,
                   max_bytes=400_000)
UTC = timezone.utc


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FAST) as fetcher:
        yield fetcher


def _poll(site: Site, fetcher: Fetcher, path: str, state: MemoryState | None = None) -> FeedPoll:
    return poll_feed(FeedSource("Local", site.url(path)), fetcher, state or MemoryState())


def test_rss_entries_have_utc_dates_and_plain_summaries(site: Site, fetcher: Fetcher):
    poll = _poll(site, fetcher, "/rss.xml")
    first, second = poll.entries
    assert first.url == site.url("/articles/1") and first.title == "First & foremost"
    assert first.published == datetime(2024, 5, 7, 8, 0, tzinfo=UTC) and first.summary == "The first story."
    assert second.published == datetime(2024, 5, 8, 9, 30, tzinfo=UTC) and second.site == "Local"
    assert [d.reason for d in poll.drops] == ["no_link"]


def test_atom_resolves_relative_links(site: Site, fetcher: Fetcher):
    third, fourth = _poll(site, fetcher, "/atom.xml").entries
    assert third.summary == "Third summary" and third.published == datetime(2024, 5, 9, 8, tzinfo=UTC)
    assert fourth.url == site.url("/articles/4") and fourth.published == datetime(2024, 5, 9, 16, tzinfo=UTC)


def test_json_feed(site: Site, fetcher: Fetcher):
    poll = _poll(site, fetcher, "/feed.json")
    fifth, sixth = poll.entries
    assert fifth.published == datetime(2024, 5, 10, 4, tzinfo=UTC) and fifth.summary == "Five."
    assert sixth.url == site.url("/articles/6") and sixth.published is None
    assert [d.reason for d in poll.drops] == ["bad_feed"]


def test_second_poll_with_the_same_state_has_nothing_new(site: Site, fetcher: Fetcher):
    state = MemoryState()
    assert isinstance(state, IngestState)
    for path in ("/rss.xml", "/atom.xml", "/feed.json"):
        assert len(_poll(site, fetcher, path, state).entries) == 2
        again = _poll(site, fetcher, path, state)
        assert again.entries == () and not again.not_modified
    assert len(_poll(site, fetcher, "/rss.xml", MemoryState()).entries) == 2  # a fresh state sees them again


@pytest.mark.parametrize("path, reason", [("/bad.xml", "bad_feed"), ("/broken", "http_500"),
                                          ("/doc.pdf", "unsupported_type"), ("/articles/1", "bad_feed")])
def test_feed_trouble_is_a_drop_naming_the_feed(site: Site, fetcher: Fetcher, path: str, reason: str):
    poll = _poll(site, fetcher, path)
    assert poll.entries == () and [(d.path, d.reason) for d in poll.drops] == [(site.url(path), reason)]


def test_fetch_entries_makes_pages_with_feed_metadata(site: Site, fetcher: Fetcher):
    poll = _poll(site, fetcher, "/rss.xml")
    pages = list(fetch_entries(poll.entries, fetcher))
    assert all(isinstance(p, Page) and p.kind == "html" for p in pages)
    assert [p.url for p in pages] == [site.url("/articles/1"), site.url("/articles/2?utm_source=rss")]
    assert pages[1].id == make_id(url=site.url("/articles/2")) and pages[1].title == "Second"
    assert pages[0].site == "Local" and pages[0].published == datetime(2024, 5, 7, 8, tzinfo=UTC)
    assert "plan number 1" in pages[0].content


def test_read_urls_mixes_pages_lists_and_feeds(site: Site, fetcher: Fetcher, tmp_path: Path):
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# morning list\n{site.url('/articles/10')}  # inline comment\n\nnot a url\n"
                       f"{site.url('/articles/10')}\n{site.url('/doc.pdf')}\n{site.url('/atom.xml')}\n")
    items = list(read_urls([site.url("/articles/9"), str(listing), site.url("/feed.json"),
                            str(tmp_path / "missing.txt")], fetcher))
    pages = [i.url for i in items if isinstance(i, Page)]
    assert pages == [site.url(f"/articles/{n}") for n in (9, 10, 3, 4, 5, 6)]
    drops = sorted(i.reason for i in items if isinstance(i, Drop))
    assert drops == ["bad_feed", "bad_url", "duplicate_url", "not_found", "unsupported_type"]
    feed_pages = {i.url: i for i in items if isinstance(i, Page)}
    assert feed_pages[site.url("/articles/3")].site == "Local Atom"


def test_read_urls_with_a_seen_set_skips_old_entries(site: Site, fetcher: Fetcher):
    seen = MemoryState()
    assert len(list(read_urls([site.url("/atom.xml")], fetcher, seen=seen))) == 2
    assert list(read_urls([site.url("/atom.xml")], fetcher, seen=seen)) == []


def test_feed_sniffing():
    assert looks_like_feed("text/xml", b'<?xml version="1.0"?>\n<!-- hi -->\n<rss version="2.0"><channel/></rss>')
    assert looks_like_feed("", b'{"version": "https://jsonfeed.org/version/1", "items": []}')
    assert not looks_like_feed("text/html", b"<!DOCTYPE html><html><body><feed>not really</feed></body></html>")
    assert not looks_like_feed("application/xml", b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>')
    assert not looks_like_feed("application/json", b'{"items": []}')


def test_feed_bytes_are_never_taken_for_a_path():
    drop = parse_feed(b"/etc/passwd", "", "http://x.test/feed")
    assert isinstance(drop, Drop) and drop.reason == "bad_feed"


@given(st.binary(max_size=300))
@settings(max_examples=60, deadline=None)
def test_parse_feed_never_raises(data: bytes):
    result = parse_feed(data, "", "http://x.test/feed")
    assert isinstance(result, (ParsedFeed, Drop))


def test_sources_file(tmp_path: Path):
    path = tmp_path / "sources.toml"
    path.write_text('[[sources]]\nname = "A"\nfeed = "https://a.test/rss"\n\n'
                    '[[sources]]\nname = " B "\nfeed = "https://b.test/feed.json"\n')
    assert load_sources(path) == [FeedSource("A", "https://a.test/rss"), FeedSource("B", "https://b.test/feed.json")]


@pytest.mark.parametrize("text, message", [
    ('[[sources]]\nname = "A"\n', r"\[\[sources\]\] #1 \(A\): 'feed'"),
    ('[[sources]]\nname = "A"\nfeed = "https://a.test/"\n[[sources]]\nname = "B"\nurl = "https://b.test/"\n',
     r"#2: unknown keys \['url'\].*'feed'"),
    ('[[sources]]\nname = "A"\nfeed = "a.test/rss"\n', "missing https://"),
    ('[[sources]]\nname = ""\nfeed = "https://a.test/"\n', "'name' must be a non-empty string"),
    ('[[sources]]\nname = "A"\nfeed = "https://a.test/"\n[[sources]]\nname = "A"\nfeed = "https://b.test/"\n',
     "#2 repeats the name 'A' of \\[\\[sources\\]\\] #1"),
    ('[sources]\nname = "A"\n', "no \\[\\[sources\\]\\] tables"),
    ('name = "A"\n', "unknown top-level keys"),
    ("[[sources]\n", "not valid TOML"),
])
def test_sources_errors_name_the_file_and_table(tmp_path: Path, text: str, message: str):
    path = tmp_path / "sources.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        load_sources(path)
    assert str(path) in str(info.value)


def test_missing_sources_file(tmp_path: Path):
    with pytest.raises(ConfigError, match="cannot read sources file"):
        load_sources(tmp_path / "nope.toml")
    assert parse_sources('[[sources]]\nname = "A"\nfeed = "http://a.test/"\n') == [FeedSource("A", "http://a.test/")]
