"""Run a sweep's blocks on any :class:`concurrent.futures.Executor` and stream them to disk.

A task is one block of replicates at one design point.  Its result depends only on the scenario,
the point's overrides, the master seed and the block index, so the same sweep gives identical
tables in this process, on a process pool or on a Dask cluster, in any completion order.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from negosim.errors import NegosimError, UsageError
from negosim.scenario.schema import Scenario
from negosim.sweeps.pool import DEFAULT_RETRIES, WorkerDied, WorkerPool

__all__ = [
    "NO_WORKERS_TIMEOUT",
    "BlockFailure",
    "DaskExecutor",
    "SweepError",
    "SweepStopped",
    "Task",
    "TaskOutcome",
    "executor_for",
    "local_cluster",
    "run_task",
    "run_tasks",
]

FAIL_ENV = "NEGOSIM_FAIL_BLOCKS"  # testing hook: "point:block,point:block" raise on purpose
# Testing hook: "point:block,..." SIGKILLs the worker process that starts one of these blocks, as
# the out-of-memory killer would; with KILL_ONCE_ENV=PATH set, only while PATH does not exist (the
# worker creates it first), so the block's retry then succeeds.
KILL_ENV = "NEGOSIM_KILL_BLOCKS"
KILL_ONCE_ENV = "NEGOSIM_KILL_ONCE"
NO_WORKERS_TIMEOUT = 30.0  # seconds a Dask sweep waits with no worker at all before it stops


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


class SweepStopped(NegosimError):
    """The sweep could not go on (a worker died on every retry of a block, or a Dask cluster had
    no worker left); everything finished is on disk.  The CLI prints the one line and exits 1."""


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
    if f"{task.point}:{task.block}" in os.environ.get(KILL_ENV, "").split(","):
        _kill_for_testing()
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


def _kill_for_testing() -> None:
    once = os.environ.get(KILL_ONCE_ENV)
    if once:
        try:
            os.close(os.open(once, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return
    os.kill(os.getpid(), signal.SIGKILL)


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
    executor: Any = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    retries: int = DEFAULT_RETRIES,
) -> Iterator[Executor]:
    """An executor for ``executor``: None (this process), ``"processes"`` (a
    :class:`~negosim.sweeps.pool.WorkerPool` of spawned processes that replaces a dead worker and
    retries its block up to ``retries`` times), an :class:`Executor`, a
    ``dask.distributed.Client``, or a scheduler address (``scheduler="local"`` starts a
    LocalCluster on 127.0.0.1, closed on the way out).  Dask executors come as a
    :class:`DaskExecutor`, which can count the cluster's workers."""
    workers = workers or os.cpu_count() or 1
    if scheduler is not None:
        executor = scheduler
    if executor is None or executor == "inprocess":
        yield InlineExecutor()
    elif executor == "processes":
        with WorkerPool(workers, retries=retries) as pool:
            yield pool
    elif isinstance(executor, Executor):
        yield executor
    elif isinstance(executor, str):
        with _dask_client(executor, workers) as client:
            yield DaskExecutor(client)
    elif hasattr(executor, "get_executor"):  # a dask.distributed.Client
        yield DaskExecutor(executor)
    else:
        raise UsageError(
            "executor must be None, 'processes', a concurrent.futures.Executor, a Dask Client "
            f"or a scheduler address (got {executor!r})"
        )


class DaskExecutor(Executor):
    """A ``dask.distributed.Client`` as an :class:`Executor` that can also say how many workers
    the scheduler has, so that a sweep on a cluster whose workers all died stops instead of
    waiting for ever."""

    def __init__(self, client: Any):
        self.client = client
        self._inner = client.get_executor()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = self._inner.submit(fn, *args, **kwargs)
        return future

    def live_workers(self) -> int:
        """The scheduler's worker count now; 0 when the scheduler does not answer in 5 s."""
        try:
            return len(self.client.nthreads(callback_timeout=5))
        except Exception:  # unreachable or closed scheduler: no worker can be reached either
            return 0

    @property
    def address(self) -> str:
        """The scheduler's address, for messages."""
        scheduler = getattr(self.client, "scheduler", None)
        return str(getattr(scheduler, "address", None) or "the Dask scheduler")


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
    except (ValueError, TypeError) as exc:  # Dask's parser: no port, an unknown scheme
        raise UsageError(
            f"the Dask scheduler must be 'local' or an address such as tcp://HOST:PORT "
            f"(got {address!r}: {exc})"
        ) from None
    with client:
        yield client


@dataclass
class TaskOutcome:
    """What :func:`run_tasks` ended with: the blocks that raised, and why it stopped early (a
    worker died on every retry of a block, a broken executor, a cluster without workers), if it
    did."""

    failures: list[BlockFailure] = field(default_factory=list)
    stopped: str | None = None


def run_tasks(
    tasks: list[Task],
    executor: Executor,
    on_done: Callable[[int, int, pd.DataFrame], None],
    *,
    max_in_flight: int,
    no_workers_timeout: float = NO_WORKERS_TIMEOUT,
) -> TaskOutcome:
    """Submit tasks, at most ``max_in_flight`` at a time, calling ``on_done`` as each finishes
    (so nothing accumulates in memory).

    A block that raises is recorded and the others go on.  A block whose worker died on every
    retry, or an executor that broke, stops the sweep: nothing new is submitted, the running
    blocks finish (and are saved) and the reason is returned.  On a :class:`DaskExecutor`, the
    scheduler's worker count is polled while waiting; after ``no_workers_timeout`` seconds with
    none, the sweep stops at once.
    """
    pending = iter(tasks)
    running: dict[Future[Any], Task] = {}
    outcome = TaskOutcome()
    poll = min(1.0, no_workers_timeout / 4) if isinstance(executor, DaskExecutor) else None
    no_workers_since: float | None = None

    def fill() -> None:
        while outcome.stopped is None and len(running) < max_in_flight:
            task = next(pending, None)
            if task is None:
                return
            running[executor.submit(run_task, task)] = task

    fill()
    while running:
        done, _ = wait(list(running), timeout=poll, return_when=FIRST_COMPLETED)
        if not done and isinstance(executor, DaskExecutor):
            if executor.live_workers() > 0:
                no_workers_since = None
            elif no_workers_since is None:
                no_workers_since = time.monotonic()
            elif time.monotonic() - no_workers_since >= no_workers_timeout:
                outcome.stopped = (
                    f"no Dask worker at {executor.address} for {no_workers_timeout:g} s"
                )
                for future in running:
                    future.cancel()
                return outcome
        for future in done:
            task = running.pop(future)
            try:
                point, block, frame = future.result()
            except WorkerDied as exc:
                outcome.stopped = outcome.stopped or f"{exc} on block {_where(task)}"
                continue
            except BrokenExecutor as exc:
                outcome.stopped = outcome.stopped or (
                    f"the executor broke on block {_where(task)} ({type(exc).__name__}: {exc})"
                )
                continue
            except Exception as exc:  # a block's failure is reported, the others go on
                outcome.failures.append(
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
    return outcome


def _where(task: Task) -> str:
    return f"{task.block} of point {task.point} (seed {task.seed})"


def fingerprint(**parts: Any) -> str:
    """A stable hash of what makes two sweeps the same sweep."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
