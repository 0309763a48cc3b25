"""Finished work survives: corrupt parts are detected and redone alone; a full disk stops the
sweep with a clear error and leaves the finished parts intact; a dead Dask worker's blocks are
retried; tables are identical whatever the order in which blocks finish."""

from __future__ import annotations

import errno
import hashlib
import os
import random
import shutil
import signal
import subprocess
import threading
import time
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from negosim import load_scenario
from negosim.cli import main
from negosim.sweeps import sweep
from negosim.sweeps.runner import local_cluster
from negosim.sweeps.store import DiskFullError, SweepStore

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"
GRID = {"actors.russia.fallback.value": [0.4, 0.5, 0.6]}
ARGS = {"runs": 300, "seed": 21, "block_size": 100}


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(SEED)


@pytest.fixture(scope="module")
def reference(scenario, tmp_path_factory):
    return sweep(scenario, GRID, out=tmp_path_factory.mktemp("ref") / "s", **ARGS).runs


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("damage", ["truncate", "flip", "delete"])
def test_a_damaged_part_is_detected_and_only_it_is_recomputed(
    scenario, reference, tmp_path, damage
):
    out = tmp_path / "s"
    sweep(scenario, GRID, out=out, **ARGS)
    store = SweepStore(out)
    victim = store.part_path(1, 2)
    others = {p: _digest(p) for p in store.parts.glob("*.parquet") if p != victim}
    mtimes = {p: p.stat().st_mtime_ns for p in others}
    data = victim.read_bytes()
    if damage == "truncate":
        victim.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        victim.write_bytes(data[:100] + bytes([data[100] ^ 0xFF]) + data[101:])
    else:
        victim.unlink()
    resumed = sweep(scenario, GRID, out=out, **ARGS)
    assert resumed.manifest["resumed_blocks"] == 8  # 9 parts, 1 damaged
    assert {p: p.stat().st_mtime_ns for p in others} == mtimes  # the others were not rewritten
    assert _digest(victim) == hashlib.sha256(data).hexdigest()  # recomputed bit for bit
    pd.testing.assert_frame_equal(resumed.runs, reference)


def test_disk_full_on_a_real_tiny_filesystem(scenario, reference, tmp_path, capsys):
    mount = tmp_path / "tiny"
    mount.mkdir()
    if (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", str(mount)],
            capture_output=True,
            check=False,
        ).returncode
        != 0
    ):
        pytest.skip("cannot mount a tmpfs here (needs root); the injected ENOSPC test covers it")
    try:
        out = mount / "s"
        args = [
            "sweep",
            str(SEED),
            "--vary",
            "actors.russia.fallback.value=0.4,0.5,0.6",
            "--runs",
            "300",
            "--seed",
            "21",
            "--block-size",
            "100",
            "--out",
            str(out),
        ]
        assert main(args) == 2
        err = capsys.readouterr().err
        assert "disk full while writing" in err and "re-run the same command to resume" in err
        assert "Traceback" not in err
        store = SweepStore(out)
        finished = store.verified_parts()
        assert 0 < len(finished) < 9
        assert not list(out.rglob(".*.tmp"))  # no half-written temporary files left
        bigger = tmp_path / "moved"
        shutil.copytree(out, bigger)
    finally:
        subprocess.run(["umount", str(mount)], check=False)
    assert main([*args[:-1], str(bigger)]) == 0
    capsys.readouterr()
    pd.testing.assert_frame_equal(SweepStore(bigger).read(), reference)


def test_disk_full_injected(scenario, reference, tmp_path, monkeypatch):
    """The same on any machine: the fourth part write fails with ENOSPC."""
    import negosim.sweeps.store as store_module

    real = store_module.write_bytes_atomic
    calls = {"n": 0}

    def failing(path, data):
        if Path(path).name.startswith("part-"):
            calls["n"] += 1
            if calls["n"] == 4:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(store_module, "write_bytes_atomic", failing)
    out = tmp_path / "s"
    with pytest.raises(DiskFullError, match="disk full while writing part-"):
        sweep(scenario, GRID, out=out, **ARGS)
    assert len(SweepStore(out).verified_parts()) == 3
    monkeypatch.setattr(store_module, "write_bytes_atomic", real)
    pd.testing.assert_frame_equal(sweep(scenario, GRID, out=out, **ARGS).runs, reference)


class ScrambledExecutor(Executor):
    """Runs submitted tasks on threads after random delays, so they finish in scrambled order."""

    def __init__(self, seed: int):
        self._pool = ThreadPoolExecutor(max_workers=4)
        self._random = random.Random(seed)  # test-only shuffling, not model randomness

    def submit(self, fn, /, *args, **kwargs) -> Future:
        delay = self._random.random() * 0.05

        def delayed():
            time.sleep(delay)
            return fn(*args, **kwargs)

        return self._pool.submit(delayed)

    def shutdown(self, wait=True, **kwargs):
        self._pool.shutdown(wait=wait)


@pytest.mark.parametrize("order_seed", [1, 2, 3])
def test_completion_order_does_not_matter(scenario, reference, tmp_path, order_seed):
    pool = ScrambledExecutor(order_seed)
    try:
        frame = sweep(scenario, GRID, out=tmp_path / "s", executor=pool, workers=4, **ARGS).runs
    finally:
        pool.shutdown()
    pd.testing.assert_frame_equal(frame, reference)


@pytest.mark.dask
@pytest.mark.slow
def test_dask_worker_killed_mid_sweep(scenario, tmp_path):
    distributed = pytest.importorskip("distributed")
    grid = {"actors.russia.fallback.value": [0.3 + 0.05 * i for i in range(8)]}
    args = {"runs": 2000, "seed": 4, "block_size": 250}
    expected = sweep(scenario, grid, out=tmp_path / "ref", **args).runs
    with (
        local_cluster(2) as cluster,
        distributed.Client(cluster) as client,
    ):
        out = tmp_path / "s"
        killed: list[int] = []

        def killer():
            while len(SweepStore(out).journal_entries()) < 6:
                time.sleep(0.02)
            pid = next(iter(client.run(os.getpid).values()))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        frame = sweep(scenario, grid, out=out, executor=client, workers=2, **args).runs
        thread.join(timeout=5)
    assert killed, "the worker was not killed before the sweep ended"
    pd.testing.assert_frame_equal(frame, expected)
