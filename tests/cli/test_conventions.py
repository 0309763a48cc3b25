"""The conventions a command-line user expects: --version, help that shows flags as flags, shell
completion, -q and -v, --json documents (parsed, and checked against the files read here
independently), arguments checked before any work, and --workers 0 refused."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from negosim import __version__
from negosim.cli import main
from negosim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"
QUOTA = ROOT / "scenarios" / "two_state_fishing_quota.yaml"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"negosim {__version__}"


@pytest.mark.parametrize("command", ["run", "sweep", "plot", "compare", "validate", "backtest"])
def test_help_shows_flags_as_flags_and_arguments_in_capitals(command, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    assert main([command, "--help"]) == 0
    text = capsys.readouterr().out
    assert "<bool>" not in text
    assert not re.search(r"\{\w+\}", text), text  # no "{file}" in the usage line
    usage = next(line for line in text.splitlines() if "Usage:" in line)
    if command in ("run", "sweep", "compare"):
        assert usage.strip().endswith("[OPTIONS] FILE"), usage
    # A flag's row names the flag and its help, with no type between them.
    quiet = next(line for line in text.splitlines() if "--quiet" in line)
    assert re.search(r"--quiet\s+-q\s+Print nothing", quiet), quiet


def test_run_help_lists_value_options_with_their_type(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    assert main(["run", "--help"]) == 0
    text = capsys.readouterr().out
    assert re.search(r"--runs\s+<int>", text)
    assert re.search(r"--explain\s+Print the round-by-round story", text)


def test_shell_completion_completes_commands():
    env = {**os.environ, "_NEGOSIM_COMPLETE": "complete_bash", "COMP_WORDS": "negosim ru"}
    env["COMP_CWORD"] = "1"
    done = subprocess.run(
        [sys.executable, "-m", "negosim"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.split() == ["run"], (done.stdout, done.stderr)
    shown = subprocess.run(
        [sys.executable, "-m", "negosim", "--show-completion", "bash"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0 and "_negosim_completion" in shown.stdout


def test_quiet_prints_nothing_and_verbose_says_each_step(tmp_path, capsys):
    assert main(["run", str(QUOTA), "--runs", "20", "--out", str(tmp_path / "q"), "-q"]) == 0
    printed = capsys.readouterr()
    assert printed.out == "" and printed.err == ""
    assert (tmp_path / "q" / "runs.parquet").is_file()
    assert main(["validate", str(QUOTA), "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["run", str(QUOTA), "--runs", "20", "--out", str(tmp_path / "v"), "-v"]) == 0
    printed = capsys.readouterr()
    assert f"sha256 {_sha(QUOTA)}" in printed.err
    assert "20 runs in 1 block(s) of 1,000, seed 7" in printed.err
    assert "How each issue ends: agreed, or without a deal" in printed.out


def test_quiet_and_verbose_exclude_each_other(tmp_path, capsys):
    assert main(["run", str(QUOTA), "-q", "-v", "--out", str(tmp_path / "x")]) == 2
    assert "-q/--quiet and -v/--verbose exclude each other" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_run_json_is_one_document_matching_runs_parquet(tmp_path, capsys):
    out = tmp_path / "r"
    assert (
        main(["run", str(SEED), "--runs", "120", "--seed", "3", "--out", str(out), "--json"]) == 0
    )
    document = json.loads(capsys.readouterr().out)  # the whole of stdout is one document
    runs = pq.read_table(out / "runs.parquet").to_pandas()
    assert document["runs"] == 120 and document["seed"] == 3
    assert document["scenario"]["sha256"] == _sha(SEED)
    scenario = load_scenario(SEED)
    for row in document["outcomes"]:
        rows = runs[runs["issue"] == row["issue"]]
        # Agreed or not, the outcome is the option the issue ends with (runs.parquet's).
        hits = (rows["agreed"] == row["agreed"]) & (rows["outcome"] == row["outcome"])
        label = scenario.issues[row["issue"]].options[row["outcome"]].label
        if row["agreed"]:
            assert row["label"] == f"agreed: {label}"
        else:
            assert row["label"].startswith(f"without a deal: {label}")
        assert row["count"] == int(hits.sum()) and row["runs"] == 120
        assert row["probability"] == pytest.approx(hits.mean())
        assert row["low"] <= row["probability"] <= row["high"]
    ends = {row["what"]: row for row in document["ends"]}
    full = runs.groupby("run")["agreed"].all()
    assert ends["full agreement"]["count"] == int(full.sum())
    assert {Path(f).name for f in document["files"]} >= {"runs.parquet", "manifest.json"}


def test_sweep_json_gives_every_point(tmp_path, capsys):
    out = tmp_path / "s"
    args = ["sweep", str(QUOTA), "--vary", "actors.northland.fallback.value=0.3:0.7:5"]
    args += ["--runs", "30", "--seed", "1", "--out", str(out), "--json"]
    assert main(args) == 0
    document = json.loads(capsys.readouterr().out)
    parts = sorted((out / "runs").glob("part-*.parquet"))
    runs = pd.concat([pq.read_table(p).to_pandas() for p in parts], ignore_index=True)
    full = runs.groupby(["point", "run"])["agreed"].all().groupby(level="point").mean()
    assert [p["point"] for p in document["points"]] == [0, 1, 2, 3, 4]
    # The levels as written: 0.4 is 0.4, not 0.39999999999999997.
    levels = [p["factors"]["actors.northland.fallback.value"] for p in document["points"]]
    assert levels == [0.3, 0.4, 0.5, 0.6, 0.7]
    for point in document["points"]:
        assert point["p_agreement"] == pytest.approx(full[point["point"]])
    design = pq.read_table(out / "design.parquet").to_pandas()
    assert (design["actors.northland.fallback.value"] == 0.4).sum() == 1
    assert (runs["actors.northland.fallback.value"] == 0.4).sum() == len(runs) // 5


def test_compare_json_gives_each_models_distribution(tmp_path, capsys):
    args = ["compare", str(SEED), "--models", "compromise,nash", "--runs", "40", "--json"]
    assert main(args) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["models"] == ["compromise", "nash"]
    table = pd.DataFrame(document["outcomes"])
    sums = table.groupby(["model", "issue"])["probability"].sum()
    assert sums.to_numpy() == pytest.approx(1.0)
    assert set(table["issue"]) == set(load_scenario(SEED).issues)


def test_backtest_json_scores_each_half(capsys):
    assert main(["backtest", "--boot", "5", "--models", "compromise", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    scores = {row["half"]: row for row in document["scores"] if row["model"] == "compromise"}
    assert set(scores) == {"odd", "even", "all"}
    # The halves split the issues: odd + even = all.
    assert scores["odd"]["n_issues"] + scores["even"]["n_issues"] == scores["all"]["n_issues"]
    assert scores["even"]["diff"] == 0.0  # the baseline against itself
    assert document["bootstrap_replicates"] == 5


def test_workers_zero_is_a_usage_error(tmp_path, capsys):
    args = ["sweep", str(QUOTA), "--vary", "actors.northland.fallback.value=0.3,0.4"]
    args += ["--runs", "10", "--seed", "1", "--out", str(tmp_path / "w"), "--workers", "0"]
    assert main(args) == 2
    assert "--workers must be a whole number >= 1 (got 0)" in capsys.readouterr().err
    assert not (tmp_path / "w").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--explain", "--run", "20"], "--run must be a run id from 0 to 19 of the 20 runs"),
        (["--run", "3"], "--run 3 picks the run --explain tells; add --explain"),
        (["--model", "nope"], "nope"),
        (["--seed", "-1"], "seed must be a whole number"),
    ],
)
def test_run_checks_every_argument_before_any_work(tmp_path, capsys, extra, message):
    out = tmp_path / "r"
    assert main(["run", str(QUOTA), "--runs", "20", "--out", str(out), *extra]) == 2
    assert message in capsys.readouterr().err
    # Refused before any simulation: neither the folder nor its staging store exists.
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_run_refuses_a_folder_of_someone_elses_files_before_any_work(tmp_path, capsys):
    out = tmp_path / "r"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["run", str(QUOTA), "--runs", "20", "--out", str(out)]) == 2
    assert "holds files negosim did not write (notes.txt)" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]
