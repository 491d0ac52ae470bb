"""The fetcher against a canned site on 127.0.0.1: every kind of trouble becomes a Drop with its reason."""
from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from hypothesis import given, settings, strategies as st

from newsfuse.errors import ConfigError
from newsfuse.ingest.feeds import MemoryState
from newsfuse.ingest.http import (FetchConfig, Fetcher, FetchResult, FetchState, is_blocked_address, resolve_host,
                                  retry_after_seconds)
from newsfuse.records import Drop

from .local_server import HUGE_BYTES, SLOW_S, Site, site  # noqa: F401 - the fixture

FAST = FetchConfig(timeout_s=0.3, retries=2, backoff_s=0.01, per_host_interval_s=0, allow_private=True,
                   max_bytes=HUGE_BYTES // 3, max_retry_after_s=1)


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FAST) as fetcher:
        yield fetcher


def test_article_is_fetched_and_decoded(site: Site, fetcher: Fetcher):
    result = fetcher.fetch(site.url("/articles/1"))
    assert isinstance(result, FetchResult) and result.status == 200 and result.is_html
    assert "plan number 1" in result.text() and result.final_url == site.url("/articles/1")
    real = fetcher.fetch(site.url("/real"))
    assert isinstance(real, FetchResult) and "<html" in real.text().lower() and "\ufffd" not in real.text()


@pytest.mark.parametrize("path, reason", [
    ("/slow", "timeout"),
    ("/broken", "http_500"),
    ("/huge", "too_large"),
    ("/huge-declared", "too_large"),
    ("/doc.pdf", "unsupported_type"),
    ("/loop/a", "redirect_loop"),
    ("/private/secret", "robots_disallowed"),
    ("/missing", "http_404"),
    ("/busy", "retry_later"),
])
def test_trouble_becomes_a_named_drop(site: Site, fetcher: Fetcher, path: str, reason: str):
    drop = fetcher.fetch(site.url(path))
    assert isinstance(drop, Drop) and drop.reason == reason and drop.path == site.url(path), drop


def test_5xx_is_retried_then_dropped_and_robots_path_never_requested(site: Site, fetcher: Fetcher):
    before = site.hits["/broken"]
    assert fetcher.fetch(site.url("/broken")).reason == "http_500"
    assert site.hits["/broken"] - before == FAST.retries + 1
    assert site.hits["/private/secret"] == 0


def test_429_is_retried_and_then_succeeds(site: Site, fetcher: Fetcher):
    result = fetcher.fetch(site.url("/flaky"))
    assert isinstance(result, FetchResult) and "plan number 429" in result.text()
    assert site.hits["/flaky"] == 2


def test_redirects_are_followed_to_the_final_url(site: Site, fetcher: Fetcher):
    result = fetcher.fetch(site.url("/chain"))
    assert isinstance(result, FetchResult) and result.final_url == site.url("/articles/7?utm_source=x")
    assert result.url == site.url("/chain")
    with Fetcher(FetchConfig(**{**_fields(FAST), "max_redirects": 1})) as short:
        assert short.fetch(site.url("/chain")).reason == "too_many_redirects"


def test_conditional_get_uses_remembered_validators(site: Site, fetcher: Fetcher):
    state = MemoryState()
    assert isinstance(state, FetchState)
    first = fetcher.fetch(site.url("/etag"), state)
    assert isinstance(first, FetchResult) and not first.not_modified and first.content
    assert state.get(site.url("/etag")) == ('"v1"', "Tue, 07 May 2024 10:00:00 GMT")
    second = fetcher.fetch(site.url("/etag"), state)
    assert isinstance(second, FetchResult) and second.not_modified and second.status == 304 and not second.content


def test_robots_txt_is_fetched_once_per_host(site: Site):
    before = site.hits["/robots.txt"]
    with Fetcher(FAST) as fetcher:
        for n in range(3):
            assert isinstance(fetcher.fetch(site.url(f"/articles/{n}")), FetchResult)
        assert fetcher.fetch(site.url("/private/secret")).reason == "robots_disallowed"
    assert site.hits["/robots.txt"] - before == 1
    with Fetcher(FetchConfig(**{**_fields(FAST), "respect_robots": False})) as rude:
        assert isinstance(rude.fetch(site.url("/private/secret")), FetchResult)


def test_private_addresses_are_refused_unless_allowed(site: Site):
    before = sum(site.hits.values())
    with Fetcher(FetchConfig(timeout_s=0.3, per_host_interval_s=0)) as guarded:
        drop = guarded.fetch(site.url("/articles/1"))
        assert drop.reason == "private_address" and "127.0.0.1" in drop.detail
        assert guarded.fetch(site.url("/articles/1").replace("127.0.0.1", "localhost")).reason == "private_address"
    assert sum(site.hits.values()) == before  # not even robots.txt was asked for


def test_every_redirect_hop_is_checked(site: Site):
    def lying(host: str, port: int) -> list[str]:  # pretend 127.0.0.1 is public; localhost resolves for real
        return ["8.8.8.8"] if host == "127.0.0.1" else resolve_host(host, port)

    config = FetchConfig(timeout_s=0.3, per_host_interval_s=0)
    with Fetcher(config, resolve=lying) as fetcher:
        assert isinstance(fetcher.fetch(site.url("/articles/1")), FetchResult)
        assert fetcher.fetch(site.url("/to-localhost")).reason == "private_address"
    assert site.hits["/articles/8"] == 0


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                                     "0.0.0.0", "100.64.0.1", "224.0.0.1", "240.0.0.1", "::1", "fe80::1",
                                     "fc00::1", "::ffff:127.0.0.1", "not-an-ip"])
def test_blocked_addresses(address: str):
    assert is_blocked_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2001:4860:4860::8888"])
def test_public_addresses(address: str):
    assert not is_blocked_address(address)


@pytest.mark.parametrize("url", ["not a url", "", "ftp://example.org/x", "http://", "http://[::1", "//x.org/a",
                                 "javascript:alert(1)", "http://exa mple.org/"])
def test_bad_urls_never_raise(fetcher: Fetcher, url: str):
    drop = fetcher.fetch(url)
    assert isinstance(drop, Drop) and drop.reason in ("bad_url", "connect_error"), drop


def test_refused_connection_is_connect_error(fetcher: Fetcher):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    drop = fetcher.fetch(f"http://127.0.0.1:{port}/")
    assert isinstance(drop, Drop) and drop.reason == "connect_error"


def test_per_host_rate_limit_waits_between_requests(site: Site):
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(round(seconds, 3))
        now[0] += seconds

    config = FetchConfig(**{**_fields(FAST), "per_host_interval_s": 0.5, "respect_robots": False})
    with Fetcher(config, sleep=sleep, clock=lambda: now[0]) as fetcher:
        for n in range(3):
            assert isinstance(fetcher.fetch(site.url(f"/articles/{n}")), FetchResult)
    assert waits == [0.5, 0.5]


def test_slow_page_gives_up_quickly(site: Site, fetcher: Fetcher):
    import time

    start = time.monotonic()
    assert fetcher.fetch(site.url("/slow")).reason == "timeout"
    assert time.monotonic() - start < SLOW_S


def test_retry_after_parsing():
    assert retry_after_seconds("5") == 5.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


@given(st.text(max_size=60))
@settings(max_examples=100, deadline=None)
def test_retry_after_never_raises(value: str):
    seconds = retry_after_seconds(value)
    assert seconds is None or seconds >= 0


@pytest.mark.parametrize("kwargs, message", [
    ({"timeout_s": 0}, "timeout_s"),
    ({"retries": -1}, "retries"),
    ({"max_bytes": 0}, "max_bytes"),
    ({"per_host_interval_s": 1000}, "milliseconds"),
    ({"user_agent": " "}, "user_agent"),
])
def test_config_is_validated(kwargs: dict, message: str):
    with pytest.raises(ConfigError, match=message):
        FetchConfig(**kwargs)


def _fields(config: FetchConfig) -> dict:
    return {name: getattr(config, name) for name in config.__dataclass_fields__}
