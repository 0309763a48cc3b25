"""Killed sweeps resume exactly; failures are reported; other sweeps' folders are refused."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from negosim import UsageError, load_scenario
from negosim.cli import main
from negosim.sweeps import SweepError, load_sweep, sweep
from negosim.sweeps.store import SweepStore

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"


def _cli(out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "negosim.cli",
        "sweep",
        str(SEED),
        "--vary",
        "actors.russia.fallback.value=0.3:0.7:12",
        "--runs",
        "400",
        "--seed",
        "5",
        "--block-size",
        "100",
        "--out",
        str(out),
        *extra,
    ]


def _journal_lines(out: Path) -> int:
    journal = out / "blocks.jsonl"
    return len(journal.read_text().splitlines()) if journal.exists() else 0


@pytest.mark.slow
def test_sigkill_mid_sweep_then_resume_equals_uninterrupted(tmp_path):
    full = tmp_path / "full"
    assert subprocess.run(_cli(full), capture_output=True, check=False).returncode == 0
    expected = load_sweep(full).runs

    killed = tmp_path / "killed"
    kills = 0
    for target in (3, 15, 30):  # kill it several times at different points
        proc = subprocess.Popen(_cli(killed), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while _journal_lines(killed) < target and proc.poll() is None:
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail("sweep made no progress")
            time.sleep(0.02)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
    assert kills >= 2
    done_before = _journal_lines(killed)
    assert 0 < done_before < 48
    result = subprocess.run(_cli(killed), capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((killed / "manifest.json").read_text())
    assert manifest["complete"] is True
    assert manifest["resumed_blocks"] >= done_before - 1  # a cut-short last journal line is redone
    entries = SweepStore(killed).journal_entries()
    assert sorted(entries) == [(p, b) for p in range(12) for b in range(4)]  # none missing
    pd.testing.assert_frame_equal(load_sweep(killed).runs, expected)


def test_a_failing_block_is_reported_and_the_rest_complete(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NEGOSIM_FAIL_BLOCKS", "1:0,2:1")
    scenario = load_scenario(SEED)
    grid = {"actors.russia.fallback.value": [0.4, 0.5, 0.6]}
    with pytest.raises(SweepError) as exc:
        sweep(scenario, grid, runs=200, seed=8, block_size=100, out=tmp_path / "s")
    rendered = str(exc.value)
    assert "2 block(s) failed" in rendered
    assert "point 1 (actors.russia.fallback.value=0.5), block 0, seed 8: RuntimeError" in rendered
    assert "point 2 (actors.russia.fallback.value=0.6), block 1, seed 8" in rendered
    store = SweepStore(tmp_path / "s")
    assert sorted(store.journal_entries()) == [(0, 0), (0, 1), (1, 1), (2, 0)]
    # The CLI exits 1 with the list; fixing the cause and re-running completes the sweep.
    code = main(
        [
            "sweep",
            str(SEED),
            "--vary",
            "actors.russia.fallback.value=0.4,0.5,0.6",
            "--runs",
            "200",
            "--seed",
            "8",
            "--block-size",
            "100",
            "--out",
            str(tmp_path / "s"),
        ]
    )
    assert code == 1
    assert "point 1" in capsys.readouterr().err
    monkeypatch.delenv("NEGOSIM_FAIL_BLOCKS")
    done = sweep(scenario, grid, runs=200, seed=8, block_size=100, out=tmp_path / "s")
    assert done.manifest["resumed_blocks"] == 4
    fresh = sweep(scenario, grid, runs=200, seed=8, block_size=100, out=tmp_path / "fresh")
    pd.testing.assert_frame_equal(done.runs, fresh.runs)


def test_a_folder_holding_another_design_is_refused(tmp_path):
    scenario = load_scenario(SEED)
    sweep(scenario, {"actors.russia.fallback.value": [0.4]}, runs=50, seed=1, out=tmp_path / "s")
    with pytest.raises(UsageError, match="holds a different sweep"):
        sweep(
            scenario, {"actors.russia.fallback.value": [0.5]}, runs=50, seed=1, out=tmp_path / "s"
        )
    with pytest.raises(UsageError, match="holds a different sweep"):
        sweep(
            scenario, {"actors.russia.fallback.value": [0.4]}, runs=50, seed=2, out=tmp_path / "s"
        )


def test_a_second_sweep_into_a_locked_folder_is_refused(tmp_path):
    scenario = load_scenario(SEED)
    with (
        SweepStore(tmp_path / "s"),
        pytest.raises(UsageError, match="another sweep is writing here"),
    ):
        sweep(
            scenario, {"actors.russia.fallback.value": [0.4]}, runs=50, seed=1, out=tmp_path / "s"
        )


def test_invalid_design_point_fails_before_running(tmp_path):
    scenario = load_scenario(SEED)
    with pytest.raises(UsageError, match="design point 1") as exc:
        sweep(
            scenario,
            {"actors.russia.salience.guarantees": [0.5, 1.5]},
            runs=50,
            seed=1,
            out=tmp_path / "s",
        )
    assert "salience must lie in [0, 1] (got 1.5)" in str(exc.value)
    assert not (tmp_path / "s").exists()


def test_end_counts_tally_each_points_runs(tmp_path):
    scenario = load_scenario(SEED)
    factor = "actors.russia.stances.guarantees.salience"
    sweep(scenario, {factor: [0.3, 0.9]}, runs=25, seed=5, block_size=10, out=tmp_path)
    counts = SweepStore(tmp_path).end_counts()
    per_run = load_sweep(tmp_path).runs.drop_duplicates(["point", "run"])
    assert counts.index.tolist() == [0, 1] and counts.index.name == "point"
    for point, runs in per_run.groupby("point"):
        reasons = runs["run_end_reason"].tolist()
        assert counts.loc[point].tolist() == [
            len(reasons),
            reasons.count("agreement"),
            reasons.count("breakdown"),
        ]
    assert counts["runs"].tolist() == [25, 25]
