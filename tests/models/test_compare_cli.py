"""``negosim compare`` and :func:`negosim.simulation.compare.compare`, through a local Typer
app (the command functions are registered in :mod:`negosim.cli` by its owner)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from negosim import UsageError, load_scenario, simulate
from negosim.cli.compare import compare_command
from negosim.simulation.compare import compare, comparison_table, run_models, supported_models
from negosim.tables.summary import outcome_probabilities

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"

app = typer.Typer(pretty_exceptions_enable=False)
app.command("compare")(compare_command)


@app.command("noop")
def _noop() -> None:
    """A second command, so that the app dispatches by name as ``negosim`` does."""


runner = CliRunner()

NOMINAL = Path(__file__).resolve().parent / "fixtures" / "nominal_venue.yaml"  # a nominal issue


@pytest.fixture(scope="module")
def seed_scenario():
    return load_scenario(SEED)


def test_compare_prints_models_side_by_side_and_writes_files(tmp_path):
    out = tmp_path / "cmp"
    args = ["compare", str(SEED), "--models", "bargaining,compromise,nash", "--runs", "100"]
    result = runner.invoke(app, [*args, "--seed", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "How each issue ends, by model (probability, 95% interval)" in text
    header = next(line for line in text.splitlines() if "bargaining" in line)
    assert header.index("bargaining") < header.index("compromise") < header.index("nash")
    # Cells wrap in the table: each ending's words, and the option's.
    assert "agreed:" in text and "without a deal:" in text and "Political" in text
    assert "100 runs per model, seed 1" in text
    assert "compromise, nash: forecasting models; they ignore the calendar" in text
    table = pd.read_parquet(out / "compare.parquet")
    assert list(dict.fromkeys(table["model"])) == ["bargaining", "compromise", "nash"]
    totals = table.groupby(["model", "issue"])["probability"].sum()
    assert totals.to_numpy() == pytest.approx(1.0)
    assert (table["runs"] == 100).all()
    scenario = load_scenario(SEED)
    for issue_id in scenario.issues:
        assert (out / f"compare_{issue_id}.png").stat().st_size > 1000
    assert f"Wrote {out / 'compare.parquet'}" in text


def test_compare_table_matches_each_models_own_runs(seed_scenario):
    table = compare(seed_scenario, ["compromise", "expected_utility"], runs=60, seed=3)
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns[:4]) == ["model", "issue", "outcome", "agreed"]
    for name in ("compromise", "expected_utility"):
        own = outcome_probabilities(simulate(seed_scenario, 60, 3, model=name).runs)
        mine = table[table["model"] == name].drop(columns="model").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, own)
    # The same function in two steps (for plots that need each model's runs).
    results = run_models(seed_scenario, ["compromise", "expected_utility"], runs=60, seed=3)
    pd.testing.assert_frame_equal(comparison_table(results), table)


def test_compare_runs_every_model_that_fits_by_default():
    path = NOMINAL
    scenario = load_scenario(path)
    fits, skipped = supported_models(scenario)
    assert fits == ["bargaining", "nash"]
    assert skipped["expected_utility"] == (
        "model 'expected_utility' cannot handle nominal issues (it supports: continuous, ordinal)"
    )
    result = runner.invoke(app, ["compare", str(path), "--runs", "20", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "skipping compromise: model 'compromise' cannot handle nominal issues" in result.stderr
    header = next(line for line in result.stdout.splitlines() if "bargaining" in line)
    assert "nash" in header and "compromise" not in header


@pytest.mark.parametrize(
    ("models", "message"),
    [
        ("bargaining,oracle", "unknown model 'oracle' (known: bargaining, compromise, "),
        ("nash,exchange", "model 'exchange' cannot handle nominal issues"),
        (" , ", "--models needs at least one name"),
    ],
)
def test_compare_refuses_bad_models_before_running(models, message):
    path = NOMINAL
    result = runner.invoke(app, ["compare", str(path), "--models", models, "--runs", "5"])
    assert isinstance(result.exception, UsageError)
    assert message in str(result.exception)
    assert result.stdout == ""  # nothing ran, nothing printed


def test_compare_library_errors(seed_scenario):
    with pytest.raises(UsageError, match="unknown model 'oracle'"):
        compare(seed_scenario, ["oracle"], runs=5, seed=1)
    with pytest.raises(UsageError, match="models must be a list of names"):
        compare(seed_scenario, "nash", runs=5, seed=1)
    with pytest.raises(UsageError, match="no model to compare"):
        compare(seed_scenario, [], runs=5, seed=1)


def test_documented_compare_output_is_what_the_command_prints():
    """Golden test: the seed scenario's table in docs/models.md (regenerate it with the command
    in the comment that opens the block, piped)."""
    docs = (ROOT / "docs" / "models.md").read_text(encoding="utf-8")
    head, _, rest = docs.partition("<!-- compare-golden: negosim ")
    command, _, rest = rest.partition(" -->\n```text\n")
    documented, _, _ = rest.partition("\n```\n<!-- /compare-golden -->")
    assert head and documented, "the golden block is missing from docs/models.md"
    result = runner.invoke(app, command.split())
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip("\n") == documented, (
        "negosim compare's output changed: regenerate the block in docs/models.md with "
        f"`negosim {command} | cat`"
    )
