"""The distributed executor: the per-article steps run as Ray tasks, locally or on a cluster (the ``ray`` extra).

Why tasks and not Ray Data. ``map`` must stream (the driver reads pages lazily and stores articles as they come
back) and yield results in input order. Ray Data can do both (``from_items`` over a window of items +
``map_batches`` with ``preserve_order``), and on extraction it is as fast: 80 WCXB pages on 2 local CPUs,
interleaved runs, 16.5-20.7 pages/s for Ray Data and 19.2-20.7 for tasks of 16 pages (bench/README.md). It
costs more to use, though: ``from_items`` needs each window as a list, so every window ends in a barrier where
workers idle on its tail; each window is a new dataset with its own plan and executor; records must be pickled
into a column; ordering is a global ``DataContext`` switch. Plain tasks over chunks, with a bounded window of
chunks in flight, stream without barriers, keep order by collecting results in submission order, re-raise a
worker's exception as is, and keep driver memory flat.

The function is shipped once per ``map`` call (``ray.put``); each task applies it to a chunk of ``batch`` items.
``address=None`` starts a private local Ray (and ``close`` stops it); an address joins a running cluster, whose
workers need newsfuse installed (or pass ``runtime_env``, e.g. ``{"py_modules": [newsfuse]}``).
"""
from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

from ..errors import ConfigError, NewsfuseError, require

T = TypeVar("T")
R = TypeVar("R")


class ExecutorError(NewsfuseError):
    """The distributed executor cannot start, join its cluster, or keep its workers alive."""


def _apply_chunk(fn: Callable[[T], R], chunk: list[T]) -> list[R]:
    """Module-level so Ray can ship it by reference; runs on a worker."""
    return [fn(item) for item in chunk]


class RayExecutor:
    """``map`` through Ray tasks, ``batch`` items per task, results in input order.

    ``batch``: 16 html pages are ~0.7 CPU-s of extraction, so Ray's ~1 ms per task is noise, and an input of a
    few hundred pages still spreads over every CPU (32 left a 2-CPU run of 80 pages with 3 uneven tasks).

    At most ``window`` tasks are in flight (default: twice the cluster's CPUs), so the driver holds at most
    ``window * batch`` pages and results at any time, however long the input.
    """

    name = "ray"

    def __init__(self, address: str | None = None, num_cpus: int | None = None, batch: int = 16,
                 window: int | None = None, runtime_env: dict[str, Any] | None = None) -> None:
        if batch < 1:
            raise ConfigError(f"batch must be >= 1 item per task, got {batch}")
        if num_cpus is not None and num_cpus < 1:
            raise ConfigError(f"num_cpus must be >= 1, got {num_cpus}")
        if window is not None and window < 1:
            raise ConfigError(f"window must be >= 1 task in flight, got {window}")
        if address is not None and num_cpus is not None:
            raise ConfigError("num_cpus applies to a local Ray only; a cluster's CPUs are set when it starts "
                              f"(got address={address!r} and num_cpus={num_cpus})")
        self.address, self.num_cpus, self.batch = address, num_cpus, batch
        self.window, self.runtime_env = window, runtime_env
        self._ray: Any = None
        self._started = False  # whether this executor started Ray (and so stops it in close)
        self._remote: Any = None

    def start(self) -> "RayExecutor":
        """Start a local Ray or join the cluster; a no-op if Ray is already up in this process."""
        if self._ray is not None:
            return self
        ray = require("ray", "ray")
        if not ray.is_initialized():
            try:
                if self.address is None:
                    ray.init(num_cpus=self.num_cpus or os.cpu_count() or 1, include_dashboard=False,
                             log_to_driver=False, runtime_env=self.runtime_env)
                else:
                    ray.init(address=self.address, log_to_driver=False, runtime_env=self.runtime_env)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                where = f"the Ray cluster at {self.address}" if self.address else "a local Ray"
                raise ExecutorError(f"cannot start {where}: {exc}") from exc
            self._started = True
        self._ray = ray
        self._remote = ray.remote(_apply_chunk)
        return self

    def cpus(self) -> int:
        """CPUs in the Ray cluster this executor uses."""
        self.start()
        return max(1, int(self._ray.cluster_resources().get("CPU", 1)))

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        return self._map(fn, items, self.batch)

    def map_shards(self, fn: Callable[[T], R], shards: Iterable[T]) -> Iterator[R]:
        """``map`` with one shard per task: the pipeline's read stage, where each shard (a file, or a range of
        a large one: ``newsfuse.ingest.shards``) is read and extracted on a worker, so pages never pass
        through the driver; results still come back in input order."""
        return self._map(fn, shards, 1)

    def _map(self, fn: Callable[[T], R], items: Iterable[T], batch: int) -> Iterator[R]:
        self.start()
        ray, remote = self._ray, self._remote
        window = self.window or 2 * self.cpus()
        fn_ref = ray.put(fn)
        iterator = iter(items)
        pending: deque[Any] = deque()
        try:
            while True:
                while len(pending) < window:
                    chunk = list(islice(iterator, batch))
                    if not chunk:
                        break
                    pending.append(remote.remote(fn_ref, chunk))
                if not pending:
                    return
                yield from self._get(pending.popleft())
        finally:
            for ref in pending:  # the consumer stopped early (or failed): drop the work still queued
                ray.cancel(ref, force=False)

    def _get(self, ref: Any) -> list[Any]:
        from ray.exceptions import RayError, RayTaskError

        try:
            return self._ray.get(ref)
        except RayTaskError:  # the function raised on a worker; this is also an instance of what it raised
            raise
        except RayError as exc:  # a worker or node died, out of retries
            raise ExecutorError(f"Ray lost a task: {type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        """Stop Ray if this executor started it; a cluster it joined keeps running."""
        if self._ray is not None and self._started:
            self._ray.shutdown()
        self._ray, self._remote, self._started = None, None, False

    def __enter__(self) -> "RayExecutor":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["ExecutorError", "RayExecutor"]
