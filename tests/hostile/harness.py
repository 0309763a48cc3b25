"""Run the ``negosim`` command on hostile input in a child process with hard limits.

Every case of the hostile corpus goes through :func:`run_bounded`: the child gets an address-space
limit (``resource.RLIMIT_AS``) and a wall-clock timeout, so a case that would eat memory or hang
fails the test instead of the machine.  :func:`assert_clean_refusal` then checks what a user must
see: the expected exit code, no traceback, and (for exit 2) a message whose first line is located
(``file:line: ...`` or ``file: ...``) when a file is involved.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

__all__ = ["Outcome", "assert_clean_refusal", "run_bounded"]

ROOT = Path(__file__).resolve().parents[2]
MEMORY_LIMIT = 1 << 30  # 1 GiB of address space
TIME_LIMIT = 10.0  # seconds of wall clock


@dataclass
class Outcome:
    """What a bounded child run gave."""

    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_kib: int  # the child's peak resident set, from getrusage


def _limit() -> None:  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_bounded(
    args: list[str],
    *,
    cwd: Path | None = None,
    stdin: bytes | None = None,
    timeout: float = TIME_LIMIT,
    env: dict[str, str] | None = None,
    python_code: str | None = None,
) -> Outcome:
    """Run ``negosim ARGS`` in a child process limited to 1 GiB and ``timeout`` seconds.

    With ``python_code``, the child runs ``python -c CODE ARGS`` instead (for what only the API
    reaches), under the same limits.  A child that outlives the timeout is killed and the test
    fails with the command in the message.
    """
    command = [sys.executable, "-m", "negosim", *args]
    if python_code is not None:
        command = [sys.executable, "-c", python_code, *args]
    child_env = {**os.environ, "MPLBACKEND": "Agg", "COLUMNS": "120", **(env or {})}
    child_env.pop("FORCE_COLOR", None)
    start = time.perf_counter()
    proc = subprocess.Popen(
        command,
        cwd=cwd or ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_limit,
        env=child_env,
    )
    # Read the pipes on threads and reap the child with wait4 ourselves, which gives its own
    # resource usage (communicate() would reap it first).
    chunks: dict[str, bytes] = {}

    def drain(name: str, stream: IO[bytes]) -> None:
        chunks[name] = stream.read()

    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    readers = [
        threading.Thread(target=drain, args=("out", proc.stdout)),
        threading.Thread(target=drain, args=("err", proc.stderr)),
    ]
    for reader in readers:
        reader.start()
    try:
        proc.stdin.write(stdin or b"")
        proc.stdin.close()
    except BrokenPipeError:
        pass
    usage = None
    while usage is None:
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            usage, code = rusage, os.waitstatus_to_exitcode(status)
            proc.returncode = code
        elif time.perf_counter() - start > timeout:
            proc.kill()
            os.wait4(proc.pid, 0)
            proc.returncode = -9
            for reader in readers:
                reader.join()
            proc.stdout.close()
            proc.stderr.close()
            raise AssertionError(f"timed out after {timeout} s: negosim {' '.join(args)}")
        else:
            time.sleep(0.01)
    for reader in readers:
        reader.join()
    proc.stdout.close()  # else each run leaves two unclosed pipes (a ResourceWarning)
    proc.stderr.close()
    return Outcome(
        code=code,
        stdout=chunks.get("out", b"").decode("utf-8", "replace"),
        stderr=chunks.get("err", b"").decode("utf-8", "replace"),
        seconds=time.perf_counter() - start,
        peak_kib=int(usage.ru_maxrss),
    )


def assert_clean_refusal(
    outcome: Outcome, *, code: int = 2, located: str | None = None, contains: str | None = None
) -> None:
    """Assert the exit ``code``, no traceback, and for a refusal a message on standard error
    whose first line starts with ``located`` (e.g. ``"s.yaml:12: "``) and holds ``contains``."""
    text = outcome.stderr + outcome.stdout
    assert "Traceback" not in text, text
    assert outcome.code == code, (outcome.code, text)
    if code != 0:
        first = outcome.stderr.strip().splitlines()[0] if outcome.stderr.strip() else ""
        assert first, f"exit {outcome.code} with nothing on standard error"
        if located is not None:
            assert first.startswith(located), (located, first)
        if contains is not None:
            assert contains in outcome.stderr, (contains, outcome.stderr)
