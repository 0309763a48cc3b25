"""``negosim backtest``, through a local Typer app (the command functions are registered in
:mod:`negosim.cli` by its owner)."""

from __future__ import annotations

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from negosim import UsageError
from negosim.cli.backtest import backtest_command

app = typer.Typer(pretty_exceptions_enable=False)
app.command("backtest")(backtest_command)


@app.command("noop")
def _noop() -> None:
    """A second command, so that the app dispatches by name as ``negosim`` does."""


runner = CliRunner()


def test_backtest_prints_the_table_and_writes_csv_and_figure(tmp_path):
    out = tmp_path / "bt"
    args = ["backtest", "deu3", "--models", "exchange,expected_utility", "--boot", "50"]
    result = runner.invoke(app, [*args, "--splits", "30", "--out", str(out)])
    assert result.exit_code == 0, result.output
    headline, _, text = result.stdout.partition("The data README's fixed split")
    assert "DEU III, 353 EU legislative issues" in headline
    assert "held-out mean absolute error on 0-100, 30 random splits by proposal" in headline
    split_rows = {
        line.split("│")[1].strip(): line for line in headline.splitlines() if line.count("│") > 5
    }
    assert list(split_rows) == ["compromise", "exchange", "expected_utility"]
    # A fixed model's pooled difference is its difference over all issues: 23.20 - 23.22.
    assert "-0.03 [" in split_rows["exchange"]
    assert "2,000" not in headline and "50 paired bootstrap replicates" in headline
    assert "even − compromise" in text
    rows = {line.split("│")[1].strip(): line for line in text.splitlines() if line.count("│") > 5}
    assert list(rows) == ["compromise", "exchange", "expected_utility"]
    # The reference figures of the compromise model (tests/validation/test_deu3.py), and the
    # exchange model's published ones in docs/models.md; the intervals depend on --boot.
    assert "20.48 [" in rows["compromise"] and "26.07 [" in rows["compromise"]
    assert "23.22 [" in rows["compromise"] and "+0.00 [+0.00, +0.00]" in rows["compromise"]
    assert "21.70 [" in rows["exchange"] and "-1.32 [" in rows["exchange"]
    assert "28.79 [" in rows["expected_utility"]
    assert "50 bootstrap replicates over proposals; capability = gdp" in text
    assert "exchange: max_rounds=3 (the default)" in text
    table = pd.read_csv(out / "backtest.csv")
    assert list(dict.fromkeys(table["model"])) == ["compromise", "exchange", "expected_utility"]
    assert set(table["half"]) == {"odd", "even", "all"}
    assert {"mae", "mae_low", "mae_high", "diff", "diff_low", "diff_high"} <= set(table.columns)
    assert (table["mae_low"] <= table["mae"]).all() and (table["mae"] <= table["mae_high"]).all()
    assert (out / "backtest.png").stat().st_size > 1000
    assert (out / "backtest_halves.png").stat().st_size > 1000
    summary = pd.read_csv(out / "backtest_splits.csv")
    assert list(summary["model"]) == ["compromise", "exchange", "expected_utility"]
    assert {"diff_median", "diff_p05", "diff_p95", "share_better", "mdd"} <= set(summary.columns)
    by_split = pd.read_csv(out / "backtest_by_split.csv")
    assert len(by_split) == 3 * 30 and set(by_split["split"]) == set(range(30))


def test_backtest_json_reports_the_splits(capsys):
    import json

    from negosim.cli.app import main

    args = ["backtest", "--models", "mean", "--boot", "20", "--splits", "15", "--json"]
    assert main(args) == 0
    document = json.loads(capsys.readouterr().out)
    splits = document["splits"]
    assert splits["n_splits"] == 15 and splits["seed"] == 0
    rows = {row["model"]: row for row in splits["summary"]}
    assert list(rows) == ["compromise", "mean"]
    assert rows["mean"]["diff_p05"] <= rows["mean"]["diff_median"] <= rows["mean"]["diff_p95"]
    assert 0.0 <= rows["mean"]["share_better"] <= 1.0
    assert rows["compromise"]["diff_median"] == 0.0
    assert {row["half"] for row in document["scores"]} == {"odd", "even", "all"}


def test_backtest_is_reproducible_and_seeded():
    args = ["backtest", "--models", "mean", "--boot", "30", "--splits", "20"]
    first = runner.invoke(app, args).stdout
    assert first == runner.invoke(app, args).stdout
    assert first != runner.invoke(app, [*args, "--seed", "1"]).stdout


def test_backtest_capability_option():
    result = runner.invoke(
        app,
        [
            "backtest",
            "--models",
            "mean",
            "--boot",
            "20",
            "--splits",
            "5",
            "--capability",
            "council",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "capability = council" in result.stdout
    halves = result.stdout.partition("The data README's fixed split")[2]
    compromise = next(line for line in halves.splitlines() if "│ compromise " in line)
    assert "20.71 [" in compromise  # docs/models.md: compromise with Council votes


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["deu4"], "unknown data set 'deu4' (known: deu3)"),
        (["--capability", "votes"], "--capability must be one of gdp, council, shapley_shubik"),
        (["--boot", "0"], "--boot must be at least 1 (got 0)"),
        (["--splits", "0"], "--splits must be at least 1 (got 0)"),
        (["--seed", "-1"], "--seed must be a whole number >= 0"),
        (["--models", "oracle"], "unknown backtest model 'oracle' (known: compromise, mean,"),
    ],
)
def test_backtest_usage_errors(args, message):
    result = runner.invoke(app, ["backtest", *args])
    assert isinstance(result.exception, UsageError)
    assert message in str(result.exception)
