"""The distributed executor (the ``ray`` extra): per-article stages as Ray Data over shards, locally or on a cluster.

``map_shards``: the read stage and everything after it per article. The driver plans shards (a file, or a range
of a large one: :mod:`newsfuse.ingest.shards`), a few bytes each; they become a Ray Data dataset, one shard per
block, and one ``map`` operator reads, extracts and annotates each shard on a worker, so pages never pass through
the driver. (Reading and extracting are one operator because Ray Data would fuse them into one task anyway, and
splitting them would only pickle every page between them.) The results come back in input order
(``preserve_order`` on the dataset's own ``DataContext``, never the global one; the driver also checks the order
and raises if it were ever broken), so a run stores exactly what the local executor stores. Shards are planned
lazily and go to Ray Data in windows of ``window_shards`` (default 1,024, ~65,000 documents): the driver never
holds more than a window of shard specs, and each window ends with a short tail where workers wait for its last
shards (under 1% on 2 CPUs; with C CPUs about C/2 shards' time per window).

``map``: items that live on the driver (briefs of stories loaded from the store, pages fetched from URLs) go as
plain Ray tasks over chunks of ``batch`` items, at most ``window`` chunks in flight: the items are produced lazily
by the driver, and Ray Data would need each window of them as a list (with a barrier at its end) and pickled into
a column, for the same throughput (bench/README.md, "Ray Data or tasks").

The function is shipped once per call (``ray.put`` for tasks; Ray Data pickles it once with the operator).
``address=None`` starts a private local Ray (and ``close`` stops it); an address joins a running cluster, whose
workers need newsfuse installed (or pass ``runtime_env``, e.g. ``{"py_modules": [newsfuse]}``).
"""
from __future__ import annotations

import os
import pickle
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


def _apply_row(row: dict[str, Any], fn: Callable[[Any], Any]) -> dict[str, Any]:
    """The Ray Data operator: one row (a pickled shard and its number) to one row (its pickled result)."""
    return {"n": row["n"], "out": pickle.dumps(fn(pickle.loads(row["item"])), protocol=pickle.HIGHEST_PROTOCOL)}


class RayExecutor:
    """``map_shards`` through Ray Data, ``map`` through Ray tasks of ``batch`` items; results in input order.

    ``batch`` (``map``): 4 items a task. A brief is 20 ms (one article) to seconds (a large story), so Ray's ~1 ms
    per task is noise, and a run's few dozen touched stories still spread over every CPU (16 left 92 briefs in 6
    uneven tasks on 2 CPUs).

    At most ``window`` tasks are in flight in ``map`` (default: twice the cluster's CPUs), so the driver holds at
    most ``window * batch`` items and results at any time, however long the input. ``map_shards`` hands Ray
    Data ``window_shards`` shards at a time; ``shards="tasks"`` runs them as plain tasks instead (one shard
    per task, for comparison in bench/scale.py).
    """

    name = "ray"

    def __init__(self, address: str | None = None, num_cpus: int | None = None, batch: int = 4,
                 window: int | None = None, runtime_env: dict[str, Any] | None = None,
                 window_shards: int = 1024, shards: str = "data") -> None:
        if batch < 1:
            raise ConfigError(f"batch must be >= 1 item per task, got {batch}")
        if num_cpus is not None and num_cpus < 1:
            raise ConfigError(f"num_cpus must be >= 1, got {num_cpus}")
        if window is not None and window < 1:
            raise ConfigError(f"window must be >= 1 task in flight, got {window}")
        if window_shards < 1:
            raise ConfigError(f"window_shards must be >= 1, got {window_shards}")
        if shards not in ("data", "tasks"):
            raise ConfigError(f"shards must be 'data' (Ray Data) or 'tasks', got {shards!r}")
        if address is not None and num_cpus is not None:
            raise ConfigError("num_cpus applies to a local Ray only; a cluster's CPUs are set when it starts "
                              f"(got address={address!r} and num_cpus={num_cpus})")
        self.address, self.num_cpus, self.batch = address, num_cpus, batch
        self.window, self.runtime_env = window, runtime_env
        self.window_shards, self.shards = window_shards, shards
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
        """``fn`` of every shard, in input order, as a Ray Data ``map`` over the shards (one shard per block):
        the pipeline's read stage, where each shard (a file, or a range of a large one:
        ``newsfuse.ingest.shards``) is read and extracted on a worker."""
        if self.shards == "tasks":
            return self._map(fn, shards, 1)
        return self._map_data(fn, shards)

    def _map_data(self, fn: Callable[[T], R], shards: Iterable[T]) -> Iterator[R]:
        self.start()
        iterator = iter(shards)
        while window := list(islice(iterator, self.window_shards)):
            yield from self._window(fn, window)

    def _window(self, fn: Callable[[T], R], shards: list[T]) -> Iterator[R]:
        """One dataset: the shards as rows, one per block, through one ``map``; rows come back in order."""
        data = require("ray.data", "ray")
        rows = [{"n": n, "item": pickle.dumps(shard, protocol=pickle.HIGHEST_PROTOCOL)}
                for n, shard in enumerate(shards)]
        dataset = data.from_items(rows, override_num_blocks=len(rows))
        context = dataset.context  # this dataset's own copy: the global DataContext is left as it is
        context.execution_options.preserve_order = True
        # One operator, so nothing to reserve CPUs for; with the reservation (50% of the CPUs split between the
        # input and the map) a 2-CPU Ray ran one shard at a time (bench/README.md).
        context.op_resource_reservation_enabled = False
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        dataset = dataset.map(_apply_row, fn_kwargs={"fn": fn})
        expected = 0
        try:
            for row in dataset.iter_rows():
                if row["n"] != expected:
                    raise ExecutorError(f"Ray Data returned shard {row['n']} where shard {expected} was due")
                expected += 1
                yield pickle.loads(row["out"])
        except self._ray.exceptions.RayError as exc:
            if isinstance(exc, (self._ray.exceptions.RayTaskError, self._ray.exceptions.UserCodeException)):
                raise  # the function raised on a worker: its own error (with the worker's traceback)
            raise ExecutorError(f"Ray Data lost a shard: {type(exc).__name__}: {exc}") from exc
        if expected != len(rows):
            raise ExecutorError(f"Ray Data returned {expected} of {len(rows)} shards")

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
