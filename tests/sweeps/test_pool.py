"""The worker pool's own faults: a task a worker cannot rebuild, a worker that cannot start."""

from __future__ import annotations

import pytest

from negosim.sweeps import pool as pool_module
from negosim.sweeps.pool import WorkerPool


def _refuse_to_load() -> None:
    raise ValueError("this task cannot be rebuilt in a worker")


class _Unloadable:
    """Pickles in the driver; unpickling it in the worker raises."""

    def __reduce__(self):
        return (_refuse_to_load, ())


def _echo(value):
    return value


def test_a_task_the_worker_cannot_rebuild_is_the_tasks_error_not_a_death():
    with WorkerPool(1, retries=2) as executor:
        future = executor.submit(_echo, _Unloadable())
        with pytest.raises(ValueError, match="cannot be rebuilt"):
            future.result(timeout=30)
        # The same worker serves the next task: nothing died.
        pids = executor.pids()
        assert executor.submit(_echo, 7).result(timeout=30) == 7
        assert executor.pids() == pids


def test_a_worker_that_cannot_start_fails_its_task_instead_of_hanging(monkeypatch):
    def no_fork(self, context):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(pool_module._Worker, "__init__", no_fork)
    with WorkerPool(1) as executor:
        future = executor.submit(_echo, 1)
        with pytest.raises(RuntimeError, match="cannot start a worker process"):
            future.result(timeout=10)
