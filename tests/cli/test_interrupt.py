"""Ctrl-C during ``run --out`` or ``sweep``: one line saying how many blocks are saved, exit 130,
and the same command resumes from them, saying so.

A real child process gets a real SIGINT once its first block is journalled; the journal read
here is what counts the blocks saved.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUOTA = ROOT / "scenarios" / "two_state_fishing_quota.yaml"
PATIENCE = 240.0  # seconds a child may take on a loaded machine before the test gives up


def _journal_lines(journal: Path) -> int:
    try:
        return sum(1 for line in journal.read_text().splitlines() if line.strip())
    except FileNotFoundError:
        return 0


def _interrupt_after_first_block(args: list[str], journal: Path, cwd: Path) -> tuple[int, str]:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    child = subprocess.Popen(
        [sys.executable, "-m", "negosim", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        start = time.monotonic()
        while _journal_lines(journal) == 0 and child.poll() is None:
            if time.monotonic() - start > PATIENCE:
                pytest.fail(f"no block saved after {PATIENCE} s: negosim {' '.join(args)}")
            time.sleep(0.02)
        assert child.poll() is None, "finished before it could be interrupted"
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=PATIENCE)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return child.returncode, err


def _resume(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "negosim", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )


def test_ctrl_c_during_run_saves_blocks_and_the_same_command_resumes(tmp_path):
    args = ["run", str(QUOTA), "--runs", "8000", "--out", "res", "-q"]
    journal = tmp_path / ".res.negosim-run" / "blocks.jsonl"
    code, err = _interrupt_after_first_block(args, journal, tmp_path)
    saved = _journal_lines(journal)
    assert code == 130, err
    assert err.strip().splitlines() == [
        f"interrupted: {saved} of 8 blocks saved in res; run the same command to resume"
    ]
    assert "Traceback" not in err and 1 <= saved < 8
    done = _resume(args[:-1], tmp_path)  # without -q, which silences the resume line
    assert done.returncode == 0, done.stderr
    assert f"resuming: {saved} of 8 blocks done" in done.stderr.splitlines()
    assert (tmp_path / "res" / "runs.parquet").is_file()


def test_ctrl_c_during_a_sweep_saves_blocks_and_the_same_command_resumes(tmp_path):
    args = ["sweep", str(QUOTA), "--vary", "actors.northland.fallback.value=0.1:0.9:9"]
    args += ["--runs", "100", "--block-size", "20", "--seed", "1", "--out", "sw"]
    args += ["--workers", "2"]
    journal = tmp_path / "sw" / "blocks.jsonl"
    code, err = _interrupt_after_first_block(args, journal, tmp_path)
    saved = _journal_lines(journal)
    assert code == 130, err
    assert err.strip().splitlines() == [
        f"interrupted: {saved} of 45 blocks saved in sw; run the same command to resume"
    ]
    assert 1 <= saved < 45
    done = _resume(args, tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"resuming: {saved} of 45 blocks done" in done.stderr.splitlines()
    assert _journal_lines(journal) == 45
