"""Keep stories current: poll feeds, fetch new article pages, run them through the pipeline."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .config import Config
from .executors import Executor
from .pipeline import RunReport, Runner
from .records import Drop, Page

log = logging.getLogger("newsfuse")


class FeedWatcher:
    """One poll of every source per round; the state (validators, seen entries) is committed after the round's
    pages are stored, so an interrupted round is redone, not lost, and never stores an article twice."""

    def __init__(self, store: Any, sources: Sequence[Any], fetcher: Any, config: Config = Config(),
                 executor: Executor | None = None, notifier: Any = None) -> None:
        from .store.ingest_state import SqliteIngestState

        self.store, self.sources, self.fetcher = store, list(sources), fetcher
        self.runner = Runner(store, config, executor, notifier=notifier)
        self.state = SqliteIngestState(store)

    def poll_once(self) -> RunReport:
        report = self.runner.run_items(self._pages(), [f"feed:{s.feed}" for s in self.sources])
        self.state.commit()
        return report

    def _pages(self) -> Iterator[Page | Drop]:
        from .ingest.feeds import fetch_entries, poll_feed

        for source in self.sources:
            poll = poll_feed(source, self.fetcher, self.state)
            yield from poll.drops
            yield from fetch_entries(poll.entries, self.fetcher, self.state)

    def loop(self, every_s: float, once: bool, on_report: Callable[[RunReport], None],
             sleep: Callable[[float], None] = time.sleep) -> int:
        """Poll every ``every_s`` seconds (once with ``once``); returns the number of rounds made."""
        rounds = 0
        while True:
            started = time.monotonic()
            on_report(self.poll_once())
            rounds += 1
            if once:
                return rounds
            sleep(max(0.0, every_s - (time.monotonic() - started)))


def parse_every(text: str) -> float:
    """'10m', '90s', '1h', '2d' or plain seconds, as seconds."""
    from .errors import ConfigError

    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    value, unit = (text[:-1], text[-1]) if text and text[-1] in units else (text, "s")
    try:
        seconds = float(value) * units[unit]
    except ValueError:
        raise ConfigError(f"--every takes a duration like 10m, 90s or 1h, got {text!r}") from None
    if seconds < 1:
        raise ConfigError(f"--every must be at least 1s, got {text!r}")
    return seconds
