"""Every ```python block of README.md runs, from a fresh folder holding the shipped scenarios,
and the numbers it prints are what it says they are.

A block that reads a folder the README's commands write (``results/md``, ``results/sweep``) is
prepared by running that command, as the README shows it, with fewer runs.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from negosim.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)
FEWER_RUNS = "60"  # per run, or per design point of a sweep: enough to read the folder back


def _readme_commands() -> list[list[str]]:
    """The ``negosim ...`` commands of the README's bash blocks, continuation lines joined and
    comments dropped, as argument lists without the leading ``negosim``."""
    shell = "\n".join(re.findall(r"```bash\n(.*?)```", README, flags=re.S))
    shell = shell.replace("\\\n", " ")
    commands = []
    for line in shell.splitlines():
        words = shlex.split(line, comments=True)
        if words[:1] == ["negosim"]:
            commands.append(words[1:])
    return commands


def _with_fewer_runs(argv: list[str]) -> list[str]:
    out = list(argv)
    if "--runs" in out:
        out[out.index("--runs") + 1] = FEWER_RUNS
    return out


def _prepare(block: str) -> None:
    """Run, in the current folder, each README command whose ``--out`` the block reads."""
    for argv in _readme_commands():
        if "--out" in argv and f'"{argv[argv.index("--out") + 1]}"' in block:
            assert main(_with_fewer_runs(argv)) == 0, argv


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh folder with the shipped scenarios (and their sources), as the working folder."""
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return tmp_path


def test_readme_has_python_blocks_and_commands():
    assert len(BLOCKS) >= 2
    assert any(argv[0] == "sweep" for argv in _readme_commands())


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_python_block_runs(index: int, workdir: Path, capsys: pytest.CaptureFixture[str]):
    block = BLOCKS[index]
    _prepare(block)
    capsys.readouterr()
    exec(compile(block, f"README.md python block {index}", "exec"), {})  # the README's own code
    assert capsys.readouterr().out.strip()  # every block prints what it computes


def _full_agreement_by_hand(runs: pd.DataFrame) -> pd.Series:
    """P(full agreement) per point, counted independently of negosim.tables: a run is a full
    agreement when the ``agreed`` flag of every one of its issue rows is set."""
    per_run = runs.groupby(["point", "run"])["agreed"].all()
    return per_run.groupby(level="point").mean()


def test_readme_sweep_snippet_prints_p_full_agreement(workdir: Path, capsys):
    block = next(b for b in BLOCKS if "agreement_by_point(swept.runs)" in b and "sweep(" in b)
    namespace: dict[str, object] = {}
    exec(compile(block, "README.md", "exec"), namespace)
    printed = capsys.readouterr().out
    runs = namespace["swept"].runs  # type: ignore[attr-defined]
    by_hand = _full_agreement_by_hand(runs)
    lines = printed.splitlines()
    table = lines[
        next(i for i, row in enumerate(lines) if row.split() == ["probability", "low", "high"]) :
    ]
    for point, p in by_hand.items():
        # The printed table has one line per point: "point  probability  low  high".
        line = next(row for row in table if re.match(rf"^{point}\s", row))
        assert float(line.split()[1]) == pytest.approx(p, abs=5e-7), line
    # The issue-level mean the README used to print is another number wherever some runs agree
    # on one package only (it counts anti-piracy's rows as much as missile defence's).
    issue_mean = runs.groupby("point")["agreed"].mean()
    partial = by_hand[(by_hand > 0) & (by_hand < 1)].index
    assert all(issue_mean[p] != by_hand[p] for p in partial)


def test_readme_cli_folders_read_back_as_p_full_agreement(workdir: Path, capsys):
    from negosim.tables import agreement_by_point, agreement_rate

    block = next(b for b in BLOCKS if "results/sweep" in b)
    _prepare(block)
    # runs.parquet and the sweep's parts read with pyarrow alone, not through negosim.
    single = pq.read_table(workdir / "results" / "md" / "runs.parquet").to_pandas()
    per_run = single.groupby("run")["agreed"].all()
    assert len(per_run) == int(FEWER_RUNS)
    parts = sorted((workdir / "results" / "sweep" / "runs").glob("part-*.parquet"))
    swept = pd.concat([pq.read_table(p).to_pandas() for p in parts], ignore_index=True)
    capsys.readouterr()
    exec(compile(block, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert f"{FEWER_RUNS} runs; P(full agreement): {per_run.mean()}" in printed
    assert agreement_rate(single) == pytest.approx(per_run.mean())
    table = agreement_by_point(swept)
    pd.testing.assert_series_equal(
        table["probability"], _full_agreement_by_hand(swept), check_names=False
    )
    assert table["runs"].eq(int(FEWER_RUNS)).all()
    assert list(table.columns[:2]) == [
        "actors.russia.fallback.value",
        "actors.russia.salience.guarantees",
    ]
