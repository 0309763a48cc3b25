"""Hostile corpus, faults in workers (issue 12, point 6), through ``negosim sweep`` itself.

A killed pool worker is replaced and its block retried: the sweep completes and equals an
uninterrupted one.  A block whose worker dies on every try stops the sweep with one line and exit 1,
the finished blocks saved.  A killed driver leaves no worker behind, and the same command resumes
to the uninterrupted result.  A Dask scheduler without workers stops the sweep with one line within
the stated timeout instead of hanging.

The worker deaths use the test hook of :mod:`negosim.sweeps.runner`: ``NEGOSIM_KILL_BLOCKS=P:B``
makes the worker that starts block B of point P SIGKILL itself (``NEGOSIM_KILL_ONCE=FILE``: only
while FILE does not exist).  Several worker processes start one after another in these cases (about
a second each on a loaded machine), hence the 30 s bound instead of the harness's 10 s.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from negosim.cli import main
from negosim.sweeps.store import SweepStore
from tests.hostile.harness import MEMORY_LIMIT, ROOT, assert_clean_refusal, run_bounded

SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"
SWEEP = [
    "sweep",
    str(SEED),
    "--vary",
    "actors.russia.fallback.value=0.4,0.6",
    "--runs",
    "500",
    "--seed",
    "3",
    "--block-size",
    "25",
]  # 2 points x 20 blocks
BLOCKS = 40
SLOW_BOUND = 30.0


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> pd.DataFrame:
    """The same sweep, uninterrupted, in this process."""
    out = tmp_path_factory.mktemp("reference") / "s"
    assert main([*SWEEP, "--out", str(out)]) == 0
    return SweepStore(out).read()


def test_a_killed_pool_worker_is_replaced_and_the_sweep_equals_an_uninterrupted_one(
    tmp_path, reference
):
    out = tmp_path / "s"
    mark = tmp_path / "killed-once"
    outcome = run_bounded(
        [*SWEEP, "--workers", "2", "--out", str(out)],
        env={"NEGOSIM_KILL_BLOCKS": "1:3", "NEGOSIM_KILL_ONCE": str(mark)},
        timeout=SLOW_BOUND,
    )
    assert_clean_refusal(outcome, code=0)
    assert mark.exists(), "the hook did not kill a worker"
    assert len(SweepStore(out).journal_entries()) == BLOCKS
    pd.testing.assert_frame_equal(SweepStore(out).read(), reference)


def test_a_block_whose_worker_always_dies_stops_with_one_line_and_exit_1(tmp_path):
    out = tmp_path / "s"
    outcome = run_bounded(
        [*SWEEP, "--workers", "2", "--out", str(out)],
        env={"NEGOSIM_KILL_BLOCKS": "0:2"},
        timeout=SLOW_BOUND,
    )
    saved = len(SweepStore(out).journal_entries())
    assert_clean_refusal(
        outcome,
        code=1,
        located="worker died 3 times (last killed by SIGKILL) on block 2 of point 0 (seed 3); ",
        contains=f"; {saved} of {BLOCKS} blocks saved in {out}; run the same command to resume",
    )
    assert len(outcome.stderr.strip().splitlines()) == 1, outcome.stderr
    assert 0 < saved < BLOCKS
    # The same command without the hook resumes and finishes.
    resumed = run_bounded([*SWEEP, "--workers", "2", "--out", str(out)], timeout=SLOW_BOUND)
    assert_clean_refusal(resumed, code=0)
    assert len(SweepStore(out).journal_entries()) == BLOCKS


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its parent has not collected it


def _limit() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_killed_driver_leaves_no_worker_and_the_same_command_resumes(tmp_path, reference):
    out = tmp_path / "s"
    args = [*SWEEP, "--workers", "2", "--out", str(out)]
    driver = subprocess.Popen(
        [sys.executable, "-m", "negosim", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_limit,
    )
    try:
        deadline = time.monotonic() + SLOW_BOUND
        while len(SweepStore(out).journal_entries()) < 2:
            assert driver.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline, "no part was saved in time"
            time.sleep(0.02)
        children = _children(driver.pid)
        assert len(children) >= 2  # the two workers (and multiprocessing's resource tracker)
        driver.send_signal(signal.SIGKILL)
    finally:
        driver.kill()
        driver.wait()
    deadline = time.monotonic() + 5
    while any(_running(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in children if _running(pid)], "workers outlived the driver"
    saved = len(SweepStore(out).journal_entries())
    assert 0 < saved < BLOCKS
    resumed = run_bounded(args, timeout=SLOW_BOUND)
    assert_clean_refusal(resumed, code=0)
    pd.testing.assert_frame_equal(SweepStore(out).read(), reference)


@pytest.mark.dask
def test_a_dask_scheduler_without_workers_stops_the_sweep_within_the_timeout(tmp_path):
    pytest.importorskip("distributed")
    from negosim.sweeps.runner import local_cluster

    out = tmp_path / "s"
    with local_cluster(0) as cluster:
        outcome = run_bounded(
            [
                *SWEEP[:5],
                "50",
                *SWEEP[6:],
                "--scheduler",
                cluster.scheduler_address,
                "--no-workers-timeout",
                "2",
                "--out",
                str(out),
            ],
            timeout=SLOW_BOUND,
        )
    assert_clean_refusal(
        outcome,
        code=1,
        located=f"no Dask worker at {cluster.scheduler_address} for 2 s; 0 of 4 blocks saved",
        contains="run the same command to resume",
    )
    # Start-up (Python, Dask, the scenario) plus the 2 s without a worker, polled every 0.5 s.
    assert outcome.seconds < 2 + 8, outcome.seconds
