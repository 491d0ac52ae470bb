"""Executors run a per-item function over a stream. The default uses local processes; others are extras."""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain, islice
from typing import Any, Protocol, TypeVar

from ..errors import ConfigError

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    name: str

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Apply ``fn`` to every item and yield the results in input order."""
        ...


class SerialExecutor:
    name = "serial"

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        return map(fn, items)


class LocalExecutor:
    """Local processes on all cores, fed a few items at a time through a bounded window, so memory stays flat
    on large inputs and no core idles while another finishes a long tail.

    Items go to the workers in chunks of ``chunk`` (a page or a brief is 10-500 ms of work, so a chunk of two
    costs well under 1% in messaging, and the run ends at most one chunk after the first worker goes idle);
    at most ``window`` chunks (default 4 per worker) are in flight, and results come back in input order.
    Small inputs (fewer than ``min_parallel`` items) run in-process: starting workers costs more than it saves.
    ``batch`` is how many items are looked at to decide that.

    On Linux the workers are forked (``forks``): they start with whatever this process has already imported and
    loaded, so a caller that loads the stages' libraries and models first (``pipeline.preload``) pays for that
    once instead of once per worker and per ``map`` (~3 CPU-s each for spaCy, scikit-learn and trafilatura).

    While workers run, native thread pools (BLAS, OpenMP) run on one thread, in this process and in the
    workers (see ``_one_native_thread``).
    """

    name = "local"

    def __init__(self, workers: int | None = None, batch: int = 256, min_parallel: int = 64, chunk: int = 2,
                 window: int | None = None):
        self.workers = workers or os.cpu_count() or 1
        if self.workers < 1:
            raise ConfigError(f"workers must be >= 1, got {self.workers}")
        if chunk < 1 or (window is not None and window < 1):
            raise ConfigError(f"chunk and window must be >= 1, got chunk={chunk}, window={window}")
        self.batch, self.min_parallel = batch, min_parallel
        self.chunk, self.window = chunk, window or 4 * self.workers
        self._context = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None

    @property
    def forks(self) -> bool:
        """True when items run on forked copies of this process (more than one worker, on Linux)."""
        return self.workers > 1 and self._context is not None

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        iterator = iter(items)
        first = list(islice(iterator, max(self.batch, self.min_parallel)))
        if self.workers == 1 or len(first) < self.min_parallel:
            yield from map(fn, first)
            yield from map(fn, iterator)
            return
        chunks = _chunks(chain(first, iterator), self.chunk)
        del first
        with _one_native_thread(), ProcessPoolExecutor(self.workers, mp_context=self._context,
                                                       initializer=_start_worker) as pool:
            pending: deque[Future[list[R]]] = deque()
            try:
                for chunk in chunks:
                    pending.append(pool.submit(_apply_chunk, fn, chunk))
                    if len(pending) >= self.window:
                        yield from pending.popleft().result()
                while pending:
                    yield from pending.popleft().result()
            finally:
                for future in pending:  # the consumer stopped early (or a chunk failed)
                    future.cancel()


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _apply_chunk(fn: Callable[[T], R], chunk: list[T]) -> list[R]:
    """Module-level so worker processes can unpickle it."""
    return [fn(item) for item in chunk]


def _start_worker() -> None:
    """Each worker process: dies with its parent, and runs native thread pools on one thread for its life."""
    _die_with_parent()
    _one_native_thread()


def _one_native_thread() -> Any:
    """BLAS and OpenMP limited to one thread (a context manager restoring the previous limits; the limit holds
    from the call). There is one worker per core already: a BLAS call that fans out (a dense product in a
    brief, say) only makes its threads compete with the other workers, and OpenBLAS threads spin for a while
    after each call and after being started in each forked worker. Forked with the limit in place, the workers
    start none. perf of a 300-page run: 3.5% of all processes' CPU was in ``blas_thread_server``; with the
    limit, none (bench/README.md)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def _die_with_parent() -> None:
    """Linux: a worker gets SIGKILL when the process that started it dies (killed runs leave no orphans)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def make_executor(name: str, workers: int | None = None, address: str | None = None) -> Executor:
    """An executor by name: ``local`` (processes), ``serial`` (in-process), ``ray`` (the ``ray`` extra).

    ``workers`` is the process count for ``local`` and the CPUs of a local Ray for ``ray``; ``address`` joins a
    running Ray cluster (``ray`` only)."""
    if address is not None and name != "ray":
        raise ConfigError(f"address={address!r} is for the ray executor; got executor {name!r}")
    if name == "local":
        return LocalExecutor(workers)
    if name == "serial":
        return SerialExecutor()
    if name == "ray":
        from .ray import RayExecutor

        return RayExecutor(address=address, num_cpus=None if address else workers)
    raise ConfigError(f"unknown executor {name!r}; choose 'local', 'serial' or 'ray'")


from .ray import ExecutorError, RayExecutor  # noqa: E402  (imports ray itself only when started)

__all__ = ["Executor", "ExecutorError", "LocalExecutor", "RayExecutor", "SerialExecutor", "make_executor"]
