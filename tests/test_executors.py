from newsfuse.executors import LocalExecutor, SerialExecutor


def square(x: int) -> int:
    return x * x


def test_local_executor_keeps_order_across_processes():
    items = range(500)
    assert list(LocalExecutor(workers=2, batch=100, min_parallel=10).map(square, items)) == [x * x for x in items]


def test_small_inputs_run_in_process():
    assert list(LocalExecutor(workers=2).map(square, [1, 2, 3])) == [1, 4, 9]
    assert list(SerialExecutor().map(square, [4])) == [16]
