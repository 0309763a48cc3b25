"""A process pool that outlives its workers and that its workers do not outlive.

:class:`WorkerPool` is the ``"processes"`` executor of a sweep.  Unlike
:class:`concurrent.futures.ProcessPoolExecutor`, where one worker killed (by the kernel's
out-of-memory killer, a user, a crash in native code) breaks the whole pool and every task in it,
each worker here runs one task at a time under a thread of the driver that knows which task it
holds: a dead worker is replaced and only its task is tried again, up to ``retries`` times, after
which that task's future raises :class:`WorkerDied`.  A task's result must depend only on its
arguments (a sweep's block does: on the seed and the block index), so a retried task gives the same
result.

Workers end with the driver, even when it is killed with SIGKILL: on Linux each asks the kernel for
SIGKILL when its parent ends (``prctl(PR_SET_PDEATHSIG)``); elsewhere a thread in the worker watches
its parent's pid.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from multiprocessing.connection import Connection, wait
from typing import Any

__all__ = ["DEFAULT_RETRIES", "WorkerDied", "WorkerPool"]

DEFAULT_RETRIES = 2  # a task is tried at most 1 + DEFAULT_RETRIES times
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_WATCH_SECONDS = 0.5  # how often a worker without PR_SET_PDEATHSIG checks its parent
_STOP_SECONDS = 5.0  # how long a worker gets to leave after being asked, before SIGKILL
_START_LOCK = threading.Lock()  # multiprocessing's process bookkeeping is not thread-safe

_Item = tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class WorkerDied(Exception):
    """The worker process running a task died on every attempt (``attempts`` of them)."""

    def __init__(self, attempts: int, exitcode: int | None):
        self.attempts = attempts
        self.exitcode = exitcode
        super().__init__(f"worker died {attempts} time{'s' * (attempts != 1)}{_how(exitcode)}")


def _how(exitcode: int | None) -> str:
    if exitcode is None:
        return ""
    if exitcode < 0:
        try:
            return f" (last killed by {signal.Signals(-exitcode).name})"
        except ValueError:
            return f" (last killed by signal {-exitcode})"
    return f" (last exit status {exitcode})"


class WorkerPool(Executor):
    """A :class:`~concurrent.futures.Executor` of ``workers`` spawned processes that replaces a
    dead worker and retries its task.

    Parameters
    ----------
    workers
        Worker processes (at least 1), each started on first use.
    retries
        How many times a task whose worker died is tried again in a new worker before its future
        raises :class:`WorkerDied`.
    """

    def __init__(self, workers: int, *, retries: int = DEFAULT_RETRIES):
        if workers < 1 or retries < 0:
            raise ValueError(f"need workers >= 1 and retries >= 0 (got {workers}, {retries})")
        # Spawn explicitly: importing mesa 3.3.1 forces it anyway, and fork is unsafe with threads.
        self._context = multiprocessing.get_context("spawn")
        self._retries = retries
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        self._terminating = False
        self._workers: dict[int, _Worker] = {}  # slot -> its live worker
        # One driver thread per worker: it starts the worker (so PR_SET_PDEATHSIG, which follows
        # the creating thread, lasts as long as the pool) and waits on it alone.
        self._threads = [
            threading.Thread(target=self._serve, args=(slot,), name=f"negosim-pool-{slot}")
            for slot in range(workers)
        ]
        for thread in self._threads:
            thread.daemon = True
            thread.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit to a WorkerPool after shutdown")
            future: Future[Any] = Future()
            self._queue.put((future, fn, args, kwargs))
        return future

    def pids(self) -> list[int]:
        """The process ids of the live workers (for monitoring and tests)."""
        with self._lock:
            return [w.process.pid for w in self._workers.values() if w.process.pid is not None]

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop taking tasks; the workers finish the queued ones (unless ``cancel_futures``) and
        leave.  With ``wait``, return once every worker has ended."""
        with self._lock:
            if not self._closed:
                self._closed = True
                if cancel_futures:
                    self._cancel_queued()
                for _ in self._threads:
                    self._queue.put(None)
        if wait:
            for thread in self._threads:
                thread.join()

    def terminate(self) -> None:
        """Cancel the queued tasks, kill the workers at once and wait for them to end; the
        futures of the running tasks raise :class:`WorkerDied`."""
        with self._lock:
            self._terminating = True
            workers = list(self._workers.values())
        self.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            worker.kill()
        for thread in self._threads:
            thread.join()

    def __exit__(self, kind: Any, value: Any, traceback: Any) -> None:
        if kind is None:
            self.shutdown(wait=True)
        else:  # an error or Ctrl-C in the driver: nothing left to wait for
            self.terminate()

    def _cancel_queued(self) -> None:
        kept = 0
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                kept += 1
            else:
                item[0].cancel()
        for _ in range(kept):
            self._queue.put(None)

    def _serve(self, slot: int) -> None:
        worker: _Worker | None = None
        try:
            while True:
                item = self._queue.get()
                if item is None:
                    return
                future, fn, args, kwargs = item
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    message = pickle.dumps((fn, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
                except Exception as exc:  # an argument that cannot be sent: the task's error
                    future.set_exception(exc)
                    continue
                deaths = 0
                while True:
                    if worker is None:
                        try:
                            worker = self._start(slot)
                        except Exception as exc:  # fork limits, no file descriptors left...
                            future.set_exception(
                                RuntimeError(f"cannot start a worker process: {exc}")
                            )
                            break
                    try:
                        ok, value = worker.call(message)
                    except _Died as died:
                        worker = None
                        deaths += 1
                        if deaths > self._retries or self._terminating:
                            future.set_exception(WorkerDied(deaths, died.exitcode))
                            break
                        continue
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
                    break
        finally:
            if worker is not None:
                worker.stop()
            with self._lock:
                self._workers.pop(slot, None)

    def _start(self, slot: int) -> _Worker:
        with _START_LOCK:
            worker = _Worker(self._context)
        with self._lock:
            self._workers[slot] = worker
            if self._terminating:
                worker.kill()
        return worker


class _Died(Exception):
    def __init__(self, exitcode: int | None):
        self.exitcode = exitcode


class _Worker:
    """One worker process and the driver's end of its pipe."""

    def __init__(self, context: Any):
        self.conn, theirs = context.Pipe(duplex=True)
        try:
            self.process = context.Process(
                target=_worker_main, args=(theirs, os.getpid()), daemon=True, name="negosim-worker"
            )
            self.process.start()
        except BaseException:
            self.conn.close()
            raise
        finally:
            theirs.close()

    def call(self, message: bytes) -> tuple[bool, Any]:
        """Send one pickled task and wait for its ``(ok, value)`` reply, or raise :class:`_Died`."""
        try:
            self.conn.send_bytes(message)
            while True:
                ready = wait([self.conn, self.process.sentinel])
                if self.conn in ready:
                    reply = self.conn.recv_bytes()
                    break
                if self.process.sentinel in ready:
                    raise EOFError
        except (EOFError, OSError):
            self.process.join(_STOP_SECONDS)
            if self.process.is_alive():  # a broken pipe to a live worker: end it, reap it
                self.kill()
                self.process.join()
            self.conn.close()
            raise _Died(self.process.exitcode) from None
        try:
            result: tuple[bool, Any] = pickle.loads(reply)
        except Exception as exc:  # a result the driver cannot rebuild: the task's error
            return False, RuntimeError(f"cannot read the worker's reply: {exc!r}")
        return result

    def stop(self) -> None:
        try:
            self.conn.send_bytes(pickle.dumps(None))
        except OSError:
            pass
        self.process.join(_STOP_SECONDS)
        if self.process.is_alive():
            self.kill()
            self.process.join()
        self.conn.close()

    def kill(self) -> None:
        try:
            self.process.kill()
        except (OSError, ValueError, AttributeError):  # already gone, or never started
            pass


def _worker_main(conn: Connection, parent: int) -> None:
    """A worker's loop: run each task received, send back ``(True, result)`` or
    ``(False, exception)``, until told to stop or the driver is gone."""
    _exit_with_parent(parent)
    # Ctrl-C reaches the whole process group: the driver handles it and ends the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        reply: tuple[bool, Any]
        try:
            message = pickle.loads(data)
            if message is None:
                return
            fn, args, kwargs = message
            reply = (True, fn(*args, **kwargs))
        except Exception as exc:  # the task's own error (or one it cannot be rebuilt from)
            reply = (False, exc)
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
        except Exception as exc:  # the result or the error does not pickle
            conn.send((False, RuntimeError(f"cannot send the result back: {exc!r}")))


def _exit_with_parent(parent: int) -> None:
    """End this process when ``parent`` (the driver) ends, however it ends."""
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent:  # the driver died before the request took effect
        os._exit(1)
    if not armed:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_WATCH_SECONDS)
    os._exit(1)
