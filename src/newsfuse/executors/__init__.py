"""Executors run a per-item function over a stream. The default uses local processes; others are extras."""
from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from typing import Protocol, TypeVar

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
    """Local processes on all cores, fed in bounded batches so memory stays flat on large inputs.

    Small batches (fewer than ``min_parallel`` items) run in-process: starting workers costs more than it saves.
    """

    name = "local"

    def __init__(self, workers: int | None = None, batch: int = 256, min_parallel: int = 64):
        self.workers = workers or os.cpu_count() or 1
        if self.workers < 1:
            raise ConfigError(f"workers must be >= 1, got {self.workers}")
        self.batch, self.min_parallel = batch, min_parallel

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        iterator = iter(items)
        first = list(islice(iterator, self.batch))
        if self.workers == 1 or len(first) < self.min_parallel:
            yield from map(fn, first)
            yield from map(fn, iterator)
            return
        with ProcessPoolExecutor(self.workers, initializer=_die_with_parent) as pool:
            batch = first
            while batch:
                yield from pool.map(fn, batch, chunksize=max(1, len(batch) // (self.workers * 4)))
                batch = list(islice(iterator, self.batch))


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
