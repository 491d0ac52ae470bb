import subprocess
import sys

import pytest

from newsfuse.errors import ConfigError
from newsfuse.executors import LocalExecutor, SerialExecutor


def square(x: int) -> int:
    return x * x


def fail_on_five(x: int) -> int:
    if x == 5:
        raise ValueError("five")
    return x


def test_local_executor_keeps_order_across_processes():
    items = range(500)
    assert list(LocalExecutor(workers=2, batch=100, min_parallel=10).map(square, items)) == [x * x for x in items]


def test_local_executor_streams_chunks_through_a_window():
    executor = LocalExecutor(workers=2, min_parallel=4, chunk=3, window=2)
    assert list(executor.map(square, iter(range(101)))) == [x * x for x in range(101)]  # a partial last chunk
    results = executor.map(square, iter(range(10**9)))  # a window, not the input, is in flight: this ends
    assert [next(results) for _ in range(5)] == [0, 1, 4, 9, 16]
    results.close()
    with pytest.raises(ValueError, match="five"):
        list(executor.map(fail_on_five, range(20)))


def test_small_inputs_run_in_process():
    assert list(LocalExecutor(workers=2).map(square, [1, 2, 3])) == [1, 4, 9]
    assert list(SerialExecutor().map(square, [4])) == [16]


def test_bad_settings_are_refused():
    for settings in ({"workers": -1}, {"chunk": 0}, {"window": 0}):
        with pytest.raises(ConfigError):
            LocalExecutor(**settings)


def model_loaded(_: int) -> bool:
    from newsfuse.nlp import model

    return model.MODEL in model._STATE


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_workers_start_with_what_the_parent_preloaded():
    """``pipeline.preload`` loads the entity model once, in the parent; forked workers have it without loading."""
    from newsfuse.nlp import model
    from newsfuse.pipeline import preload

    executor = LocalExecutor(workers=2, min_parallel=4)
    assert executor.forks and not LocalExecutor(workers=1).forks
    saved = model._STATE.pop(model.MODEL, None)
    try:
        assert not any(executor.map(model_loaded, range(8)))  # nothing loaded: nor are the workers
        preload(entities=True)
        assert all(executor.map(model_loaded, range(8)))
    finally:
        if saved is not None:
            model._STATE[model.MODEL] = saved


def test_preload_imports_the_stage_modules_and_their_libraries():
    """``newsfuse.extract`` and ``newsfuse.brief`` are also API functions: preload must import the modules (with
    trafilatura and scikit-learn), or every forked worker imports them again. Checked in a fresh interpreter."""
    code = ("import sys; from newsfuse.pipeline import preload; preload(entities=True); "
            "print(all(m in sys.modules for m in ('newsfuse.extract.html', 'newsfuse.brief.build', 'trafilatura', "
            "'sklearn.feature_extraction.text', 'spacy')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.strip() == "True", out.stderr[-2000:]


def blas_threads(_: object = None) -> list[int]:
    from threadpoolctl import threadpool_info

    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_workers_run_blas_on_one_thread_and_the_parent_gets_its_limit_back():
    """One worker per core: a worker's BLAS threads would only compete with the other workers (and spin)."""
    import numpy  # noqa: F401  (loads OpenBLAS)

    before = blas_threads()
    assert before, "numpy's BLAS is not visible to threadpoolctl"
    seen = list(LocalExecutor(workers=2, min_parallel=4).map(blas_threads, range(8)))
    assert seen == [[1] * len(before)] * 8
    assert blas_threads() == before
