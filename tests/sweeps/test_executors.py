"""The same sweep gives identical tables in-process, on 2 processes and on a real Dask cluster."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from negosim import load_scenario
from negosim.sweeps import sweep
from negosim.sweeps.runner import local_cluster

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"
GRID = {
    "actors.russia.fallback.value": [0.45, 0.6],
    "actors.russia.salience.guarantees": [0.6, 0.95],
}


def _sweep(tmp_path: Path, name: str, **kwargs) -> pd.DataFrame:
    scenario = load_scenario(SEED)
    result = sweep(scenario, GRID, runs=300, seed=17, block_size=100, out=tmp_path / name, **kwargs)
    return result.runs


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> pd.DataFrame:
    return _sweep(tmp_path_factory.mktemp("ref"), "inprocess")


def test_reference_shape(reference):
    assert reference["point"].nunique() == 4
    assert reference.groupby("point")["run"].nunique().tolist() == [300] * 4
    # Common random numbers: every point uses the same run ids and replicate seeds.
    ids = reference.groupby("point")["run"].apply(lambda s: tuple(sorted(set(s))))
    assert ids.nunique() == 1


def test_two_processes_equal_in_process(tmp_path, reference):
    frame = _sweep(tmp_path, "processes", executor="processes", workers=2)
    pd.testing.assert_frame_equal(frame, reference)


@pytest.mark.dask
def test_dask_cluster_with_two_workers_equals_in_process(tmp_path, reference):
    distributed = pytest.importorskip("distributed")
    with (
        local_cluster(2) as cluster,
        distributed.Client(cluster) as client,
    ):
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        assert len(client.scheduler_info()["workers"]) == 2
        frame = _sweep(tmp_path, "dask", executor=client, workers=2)
        # The same through the scheduler's address, as `--scheduler ADDRESS` does.
        by_address = _sweep(tmp_path, "dask_address", scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(frame, reference)
    pd.testing.assert_frame_equal(by_address, reference)


@pytest.mark.dask
def test_local_cluster_does_not_need_the_default_dashboard_port(tmp_path, reference):
    """`--scheduler local` while port 8787 is taken (say, by the user's own Dask dashboard): the
    scheduler's HTTP endpoint takes a free port on 127.0.0.1 and nothing leaks (warnings are
    errors here, an unclosed socket included)."""
    pytest.importorskip("distributed")
    import socket

    blocker = socket.socket()
    try:
        blocker.bind(("127.0.0.1", 8787))
        blocker.listen()
    except OSError:
        pass  # already taken, which is the case under test anyway
    try:
        frame = _sweep(tmp_path, "local", scheduler="local", workers=2)
    finally:
        blocker.close()
    pd.testing.assert_frame_equal(frame, reference)


def _journal(out: Path) -> int:
    journal = out / "blocks.jsonl"
    return len(journal.read_text().splitlines()) if journal.exists() else 0


def test_a_worker_killed_mid_sweep_is_replaced_and_the_result_is_unchanged(tmp_path, reference):
    """SIGKILL one pool worker (as the out-of-memory killer would) once two parts are saved: the
    pool starts a new worker, retries the block it held, and the tables equal the in-process
    sweep."""
    import multiprocessing
    import os
    import signal
    import threading
    import time

    out = tmp_path / "s"
    killed: list[int] = []

    def killer() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            workers = [p for p in multiprocessing.active_children() if p.name == "negosim-worker"]
            if _journal(out) >= 2 and workers:
                os.kill(workers[0].pid, signal.SIGKILL)
                killed.append(workers[0].pid)
            time.sleep(0.01)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    frame = _sweep(tmp_path, "s", executor="processes", workers=2)
    thread.join(timeout=5)
    assert killed, "no worker was killed before the sweep ended"
    pd.testing.assert_frame_equal(frame, reference)


def test_a_block_whose_worker_always_dies_stops_the_sweep_with_its_finished_blocks_saved(
    tmp_path, monkeypatch
):
    """The test hook NEGOSIM_KILL_BLOCKS makes every worker that starts block 1 of point 2 kill
    itself: after two retries the sweep stops with one line naming the block and how much is
    saved; the resumed sweep (hook off) completes."""
    from negosim.sweeps import SweepStopped
    from negosim.sweeps.store import SweepStore

    monkeypatch.setenv("NEGOSIM_KILL_BLOCKS", "2:1")
    out = tmp_path / "s"
    with pytest.raises(SweepStopped) as stopped:
        _sweep(tmp_path, "s", executor="processes", workers=2)
    message = str(stopped.value)
    assert "\n" not in message
    assert message.startswith("worker died 3 times (last killed by SIGKILL) on block 1 of point 2")
    saved = len(SweepStore(out).journal_entries())
    assert f"; {saved} of 12 blocks saved in {out}; run the same command to resume" in message
    assert 0 < saved < 12
    monkeypatch.delenv("NEGOSIM_KILL_BLOCKS")
    resumed = sweep(load_scenario(SEED), GRID, runs=300, seed=17, block_size=100, out=out)
    assert resumed.manifest["resumed_blocks"] == saved


@pytest.mark.dask
def test_a_dask_cluster_whose_workers_all_died_stops_the_sweep_within_the_timeout(tmp_path):
    """A scheduler on 127.0.0.1 with two workers started without nannies (as on a remote
    cluster, nothing restarts them); SIGKILL both once a part is saved: instead of waiting for
    ever, the sweep stops with one line a few seconds after the 3 s ``no_workers_timeout``."""
    distributed = pytest.importorskip("distributed")
    import subprocess
    import sys
    import threading
    import time

    from negosim.sweeps import SweepStopped

    scenario = load_scenario(SEED)
    grid = {"actors.russia.fallback.value": [0.3 + 0.05 * i for i in range(8)]}
    out = tmp_path / "s"
    with (
        local_cluster(0) as cluster,
        distributed.Client(cluster) as client,
    ):
        command = [sys.executable, "-m", "distributed.cli.dask_worker", cluster.scheduler_address]
        command += ["--no-nanny", "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard"]
        workers = [
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(2)
        ]
        killed_at: list[float] = []
        try:
            client.wait_for_workers(2, timeout=60)

            def killer() -> None:
                deadline = time.monotonic() + 60
                while _journal(out) < 1 and time.monotonic() < deadline:
                    time.sleep(0.02)
                for worker in workers:
                    worker.kill()
                killed_at.append(time.monotonic())

            thread = threading.Thread(target=killer, daemon=True)
            thread.start()
            with pytest.raises(SweepStopped) as stopped:
                sweep(
                    scenario,
                    grid,
                    runs=4000,
                    seed=5,
                    block_size=250,
                    out=out,
                    executor=client,
                    workers=2,
                    no_workers_timeout=3,
                )
            waited = time.monotonic() - killed_at[0]
            thread.join(timeout=5)
        finally:
            for worker in workers:
                worker.kill()
                worker.wait()
    message = str(stopped.value)
    assert message.startswith(f"no Dask worker at {cluster.scheduler_address} for 3 s; ")
    assert message.endswith(f"blocks saved in {out}; run the same command to resume")
    assert 3 <= waited < 3 + 10, waited
