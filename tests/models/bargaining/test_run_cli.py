"""`negosim run`: summary, files written atomically, identical output for the same seed, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from negosim.cli import main

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"
QUOTA = ROOT / "scenarios" / "two_state_fishing_quota.yaml"


def test_run_prints_summary_and_writes_results(tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", str(SEED), "--runs", "300", "--seed", "4", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    for heading in ("How each issue ends", "How the talks end", "Fallbacks that play out"):
        assert heading in text
    assert "Political declaration" in text and "NATO summit in Chicago (2012-05-20)" in text
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs["run"].nunique() == 300
    assert len(runs) == 300 * 6  # one row per run x issue
    assert {"run", "replicate", "seed", "end_reason", "end_date", "outcome", "value"} <= set(runs)
    assert {"utility_nato", "utility_russia", "utility_united_states"} <= set(runs)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 4 and manifest["runs"] == 300
    assert manifest["scenario"]["sha256"] and manifest["scenario"]["path"] == str(SEED)
    assert {"negosim", "numpy", "mesa", "python"} <= set(manifest["versions"])
    assert not list(out.glob(".*.tmp"))  # no temporary files left behind


def test_same_seed_writes_identical_runs(tmp_path, capsys):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for folder, seed in ((a, "9"), (b, "9"), (c, "10")):
        assert main(["run", str(SEED), "--runs", "1500", "--seed", seed, "--out", str(folder)]) == 0
    capsys.readouterr()
    assert (a / "runs.parquet").read_bytes() == (b / "runs.parquet").read_bytes()
    pd.testing.assert_frame_equal(
        pd.read_parquet(a / "runs.parquet"), pd.read_parquet(b / "runs.parquet")
    )
    assert not pd.read_parquet(a / "runs.parquet").equals(pd.read_parquet(c / "runs.parquet"))


def test_continuous_scenario_reports_agreed_values(tmp_path, capsys):
    assert main(["run", str(QUOTA), "--runs", "200", "--out", str(tmp_path / "q")]) == 0
    text = capsys.readouterr().out
    assert "agreed value median" in text


def test_explain_tells_one_run(tmp_path, capsys):
    args = [
        "run",
        str(SEED),
        "--runs",
        "50",
        "--out",
        str(tmp_path / "e"),
        "--explain",
        "--run",
        "7",
    ]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "Run 7, round by round:" in text
    assert "round 1, 2012-02-27" in text
    assert "event: Russian presidential election:" in text
    assert "proposes:" in text and "aspiration" in text
    assert "end of talks" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--runs", "-5"], "runs must be a whole number from 1 to 100,000,000 (got -5)"),
        (["--runs", "0"], "runs must be a whole number from 1 to 100,000,000 (got 0)"),
        (["--seed", "-1"], "seed must be a whole number from 0 to 2**63 - 1 (got -1)"),
        (["--model", "nope"], "unknown model 'nope' (known: bargaining"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(tmp_path, capsys, args, message):
    code = main(["run", str(SEED), "--out", str(tmp_path / "x"), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_unwritable_output_directory(tmp_path, capsys):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    code = main(["run", str(SEED), "--runs", "10", "--out", str(blocker / "sub")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{blocker / 'sub'}: cannot write results" in err


def test_broken_scenario_exits_2(tmp_path, capsys):
    broken = ROOT / "tests" / "scenario" / "fixtures" / "broken" / "unknown_option.yaml"
    assert main(["run", str(broken), "--out", str(tmp_path / "b")]) == 2
    assert "unknown option of issue 'treaty': 'binding'" in capsys.readouterr().err
