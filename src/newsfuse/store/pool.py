"""Stores kept open between a server's requests (``SqliteStorePool``, ``PgStorePool``): what both pools share."""
from __future__ import annotations

import threading
from typing import Generic, TypeVar

from .base import SqlStore

S = TypeVar("S", bound=SqlStore)


class StorePool(Generic[S]):
    """At most ``size`` idle read-only stores. ``take`` gives one (or None: the caller opens one) after
    ``_current`` accepted it; a store it refuses is closed, and every idle one with it (they are about as old, so
    as stale). ``give`` keeps a store ``_reusable`` says may serve again; ``close`` closes the idle stores and
    those given back from then on. A request has its store to itself: one thread at a time uses it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.idle: list[S] = []
        self.lock = threading.Lock()
        self.closed = False

    def _current(self, store: S) -> bool:
        """Whether a kept store may serve a request now."""
        raise NotImplementedError

    def _reusable(self, store: S) -> bool:
        """Whether a store given back may be kept (its connection idle and whole)."""
        raise NotImplementedError

    def take(self) -> S | None:
        with self.lock:
            store = self.idle.pop() if self.idle else None
        if store is None or self._current(store):
            return store
        store.close()
        self._drop_idle()
        return None

    def give(self, store: S) -> None:
        if self._reusable(store):
            with self.lock:
                if not self.closed and len(self.idle) < self.size:
                    self.idle.append(store)
                    return
        store.close()

    def close(self) -> None:
        """Close the idle stores, and those given back from now on."""
        with self.lock:
            self.closed = True
        self._drop_idle()

    def _drop_idle(self) -> None:
        with self.lock:
            stores, self.idle = self.idle, []
        for store in stores:
            store.close()


__all__ = ["StorePool"]
