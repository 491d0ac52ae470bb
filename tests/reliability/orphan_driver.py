"""A process for the orphan-worker test: ``python orphan_driver.py map`` feeds a LocalExecutor(2) slow items for
ever; ``python orphan_driver.py run ARGS...`` is ``newsfuse run ARGS...`` in this very process.

With NEWSFUSE_TEST_NO_PDEATHSIG=1 the executor's die-with-parent hook is replaced by a no-op first: the control
that shows the orphan check fails when workers do not die with their parent.
"""
from __future__ import annotations

import os
import sys
import time

import newsfuse.executors as executors

DISABLE = "NEWSFUSE_TEST_NO_PDEATHSIG"


def slow_square(x: int) -> int:
    time.sleep(0.05)
    return x * x


def main() -> None:
    if os.environ.get(DISABLE) == "1":
        executors._die_with_parent = lambda: None  # type: ignore[attr-defined]  # the control run only
    if sys.argv[1] == "map":
        for _ in executors.LocalExecutor(2, batch=64, min_parallel=1).map(slow_square, range(10**9)):
            pass
        return
    from newsfuse.cli import app

    sys.argv = ["newsfuse", *sys.argv[1:]]
    app()


if __name__ == "__main__":
    main()
