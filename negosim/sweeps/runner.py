"""Run a sweep's blocks on any :class:`concurrent.futures.Executor` and stream them to disk.

A task is one block of replicates at one design point.  Its result depends only on the scenario,
the point's overrides, the master seed and the block index, so the same sweep gives identical
tables in this process, on a process pool or on a Dask cluster, in any completion order.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pandas as pd

from negosim.errors import NegosimError, UsageError
from negosim.scenario.schema import Scenario

__all__ = [
    "BlockFailure",
    "SweepError",
    "Task",
    "executor_for",
    "local_cluster",
    "run_task",
    "run_tasks",
]

FAIL_ENV = "NEGOSIM_FAIL_BLOCKS"  # testing hook: "point:block,point:block" raise on purpose


@dataclass(frozen=True)
class Task:
    """One block of replicates at one design point: everything a worker needs."""

    scenario: Scenario  # the design point's scenario, overrides already applied and checked
    overrides: dict[str, Any]  # the point's factor values, for the table's columns
    model: str | None
    parameters: dict[str, Any]
    seed: int
    point: int
    block: int
    n: int
    first_run: int


@dataclass(frozen=True)
class BlockFailure:
    """A block that raised: where, with which seed, and why."""

    point: int
    block: int
    seed: int
    overrides: dict[str, Any]
    error: str

    def render(self) -> str:
        values = ", ".join(f"{k}={v!r}" for k, v in self.overrides.items())
        return f"point {self.point} ({values}), block {self.block}, seed {self.seed}: {self.error}"


class SweepError(NegosimError):
    """Some blocks raised; the others finished and are on disk.  The CLI exits 1."""

    def __init__(self, failures: list[BlockFailure]):
        self.failures = failures
        lines = [f"{len(failures)} block(s) failed; re-run the same command to retry them:"]
        lines += ["  " + f.render() for f in failures]
        super().__init__("\n".join(lines))


def run_task(task: Task) -> tuple[int, int, pd.DataFrame]:
    """Play one block in whatever process runs it; returns ``(point, block, runs frame)``."""
    from negosim.core.frames import runs_frame
    from negosim.simulation.simulate import build_model

    if f"{task.point}:{task.block}" in os.environ.get(FAIL_ENV, "").split(","):
        raise RuntimeError(f"failure injected by {FAIL_ENV} for testing")
    model = build_model(task.scenario, task.model, **task.parameters)
    compiled = model.compile()
    result = model.run_block(
        compiled, master_seed=task.seed, block=task.block, n=task.n, first_run=task.first_run
    )
    frame = runs_frame(compiled, result, task.seed)
    frame.insert(0, "point", task.point)
    for path, value in task.overrides.items():
        frame[path] = value
    return task.point, task.block, frame


class InlineExecutor(Executor):
    """Runs each task at submission, in this process (for small sweeps and debugging)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # handed to the caller through the future, like any executor
            future.set_exception(exc)
        return future


@contextmanager
def executor_for(
    executor: Any = None, *, workers: int | None = None, scheduler: str | None = None
) -> Iterator[Executor]:
    """An executor for ``executor``: None (this process), ``"processes"`` (a spawn-context
    process pool), an :class:`Executor`, a ``dask.distributed.Client``, or a scheduler address
    (``scheduler="local"`` starts a LocalCluster on 127.0.0.1)."""
    workers = workers or os.cpu_count() or 1
    if scheduler is not None:
        executor = scheduler
    if executor is None or executor == "inprocess":
        yield InlineExecutor()
    elif executor == "processes":
        # Spawn explicitly: importing mesa 3.3.1 forces it anyway, and fork is unsafe with threads.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            yield pool
    elif isinstance(executor, Executor):
        yield executor
    elif isinstance(executor, str):
        with _dask_client(executor, workers) as client:
            yield client.get_executor()
    elif hasattr(executor, "get_executor"):  # a dask.distributed.Client
        yield executor.get_executor()
    else:
        raise UsageError(
            "executor must be None, 'processes', a concurrent.futures.Executor, a Dask Client "
            f"or a scheduler address (got {executor!r})"
        )


def local_cluster(workers: int) -> Any:
    """A Dask ``LocalCluster`` of ``workers`` single-threaded worker processes, every server on
    127.0.0.1: the scheduler, and its HTTP endpoint on a free port without the dashboard (the
    default 8787 may be taken, by a user's own Dask dashboard for one)."""
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        scheduler_kwargs={"dashboard": False},
    )


@contextmanager
def _dask_client(address: str, workers: int) -> Iterator[Any]:
    try:
        from distributed import Client
    except ImportError:
        raise UsageError(
            "a Dask scheduler needs the dask extra: pip install 'negosim[dask]'"
        ) from None
    if address == "local":
        with local_cluster(workers) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(address, timeout="10s")
    except OSError as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {address!r}: {exc}") from None
    with client:
        yield client


def run_tasks(
    tasks: list[Task],
    executor: Executor,
    on_done: Callable[[int, int, pd.DataFrame], None],
    *,
    max_in_flight: int,
) -> list[BlockFailure]:
    """Submit tasks, at most ``max_in_flight`` at a time, calling ``on_done`` as each finishes
    (so nothing accumulates in memory); return the blocks that raised."""
    pending = iter(tasks)
    running: dict[Future[Any], Task] = {}
    failures: list[BlockFailure] = []

    def fill() -> None:
        while len(running) < max_in_flight:
            task = next(pending, None)
            if task is None:
                return
            running[executor.submit(run_task, task)] = task

    fill()
    while running:
        done, _ = wait(list(running), return_when=FIRST_COMPLETED)
        for future in done:
            task = running.pop(future)
            try:
                point, block, frame = future.result()
            except Exception as exc:  # a block's failure is reported, the others go on
                failures.append(
                    BlockFailure(
                        task.point,
                        task.block,
                        task.seed,
                        task.overrides,
                        f"{type(exc).__name__}: {exc}",
                    )
                )
                continue
            on_done(point, block, frame)
        fill()
    return failures


def fingerprint(**parts: Any) -> str:
    """A stable hash of what makes two sweeps the same sweep."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
