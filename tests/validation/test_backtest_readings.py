"""Both readings of the expected utility model in the DEU III backtest (docs/models.md)."""

from __future__ import annotations

import numpy as np
import pytest

from negosim.models.expected_utility import expected_utility
from negosim.validation import backtest_models, run_backtest
from negosim.validation.deu3 import DEU3, capabilities, load_deu3


@pytest.fixture(scope="module")
def data() -> DEU3:
    return load_deu3()


def test_the_scholz_code_reading_is_its_own_row(data: DEU3) -> None:
    names = list(backtest_models())
    assert names.index("expected_utility") < names.index("expected_utility_scholz_code")
    results = run_backtest(
        ["expected_utility", "expected_utility_scholz_code"], n_boot=20, data=data
    )
    rows = results[results.half == "all"].set_index("model")
    assert rows.loc["expected_utility_scholz_code", "params"] == (
        "reading=scholz_code, median voter forecast"
    )
    assert rows.loc["expected_utility_scholz_code", "n_issues"] == 353
    # The two readings forecast differently on these data.
    assert rows.loc["expected_utility_scholz_code", "mae"] != rows.loc["expected_utility", "mae"]


def test_the_row_scores_the_reading_issue_by_issue(data: DEU3) -> None:
    """The backtest's forecasts of the reading's row, rebuilt from the pure function on the
    issues as one batch (not regrouped by proposal, not through the model's adapter; salience
    on 0-100, GDP capabilities), give the row's MAE."""
    cap = capabilities(data, "gdp")
    run = expected_utility(
        data.positions, data.salience, cap, reading="scholz_code", salience_max=100.0
    )
    forecasts = run.forecast
    expected = float(np.abs(forecasts - data.outcome).mean())
    results = run_backtest(["expected_utility_scholz_code"], n_boot=20, data=data)
    row = results[(results.model == "expected_utility_scholz_code") & (results.half == "all")]
    assert row.mae.iloc[0] == pytest.approx(expected, abs=1e-9)
