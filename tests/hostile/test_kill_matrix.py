"""SIGKILL at random points of ``negosim run --out`` and ``negosim plot`` (issue 12, point 5).

Each trial starts the command on a folder holding complete older content, kills it after a delay
drawn (seeded) from the command's measured duration, and checks that the folder holds either the
old complete content or the new complete content, file by file by SHA-256 — never a mix, never
a stale file.  Killed runs resume: the run finished after the kills equals an uninterrupted one
bit for bit.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.hostile.harness import ROOT

QUOTA = ROOT / "scenarios" / "two_state_fishing_quota.yaml"
TRIALS = 20
ENV = {**os.environ, "MPLBACKEND": "Agg"}


def _negosim(*args: str) -> list[str]:
    return [sys.executable, "-m", "negosim", *args]


def _run_args(out: Path, seed: int) -> list[str]:
    # 2,500 runs: three blocks, so kills land between parts as well as in the assembly and swap.
    return _negosim(
        "run",
        str(QUOTA),
        "--runs",
        "2500",
        "--seed",
        str(seed),
        "--trajectories",
        "--out",
        str(out),
    )


def _finish(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, env=ENV, timeout=120)
    return time.perf_counter() - start


def _kill_after(args: list[str], delay: float) -> None:
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


def _digests(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative name -> SHA-256); hidden staging files excluded."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def _self_consistent(folder: Path) -> None:
    """The folder's manifest lists exactly its other files, each with its true checksum."""
    listed = json.loads((folder / "manifest.json").read_text())["files"]
    present = _digests(folder)
    present.pop("manifest.json")
    assert present == {name: entry["sha256"] for name, entry in listed.items()}


@pytest.mark.slow
def test_sigkill_at_random_points_of_run_leaves_old_or_new_and_resumes_exactly(tmp_path):
    rng = np.random.default_rng(12)
    old_ref, new_ref = tmp_path / "old", tmp_path / "new"
    _finish(_run_args(old_ref, 1))
    duration = _finish(_run_args(new_ref, 2))
    old, new = _digests(old_ref), _digests(new_ref)
    assert old["runs.parquet"] != new["runs.parquet"]
    target = tmp_path / "target"
    shutil.copytree(old_ref, target)
    states = []
    for _ in range(TRIALS):
        _kill_after(_run_args(target, 2), float(rng.uniform(0.2, duration * 1.1)))
        _self_consistent(target)
        now = _digests(target)
        tables = {k: v for k, v in now.items() if k.endswith(".parquet")}
        if tables == {k: v for k, v in old.items() if k.endswith(".parquet")}:
            states.append("old")
        else:
            assert tables == {k: v for k, v in new.items() if k.endswith(".parquet")}
            states.append("new")
            shutil.rmtree(target)  # back to the old content for the next trials
            shutil.copytree(old_ref, target)
    assert "old" in states  # some kills landed before the swap
    _finish(_run_args(target, 2))  # resume whatever the last kill left
    final = _digests(target)
    for name in ("runs.parquet", "trajectories.parquet"):
        assert final[name] == new[name]  # bit for bit the uninterrupted run's tables
    assert not (tmp_path / ".target.negosim-run").exists()


@pytest.mark.slow
def test_sigkill_at_random_points_of_plot_leaves_the_old_or_the_new_set(tmp_path):
    rng = np.random.default_rng(21)
    results = tmp_path / "r"
    subprocess.run(
        _negosim("run", str(QUOTA), "--runs", "20", "--out", str(results)),
        check=True,
        capture_output=True,
        env=ENV,
    )
    _finish(_negosim("plot", str(results), "--format", "svg"))
    old_set = results / "figures.old"
    shutil.copytree(results / "figures", old_set)
    duration = _finish(_negosim("plot", str(results)))
    new = _digests(results / "figures")
    old = _digests(old_set)
    assert set(new) != set(old)
    seen = set()
    for _ in range(TRIALS):
        shutil.rmtree(results / "figures")
        shutil.copytree(old_set, results / "figures")
        _kill_after(_negosim("plot", str(results)), float(rng.uniform(0.2, duration * 1.1)))
        now = _digests(results / "figures")
        assert now in (old, new)
        seen.add("old" if now == old else "new")
    assert "old" in seen
