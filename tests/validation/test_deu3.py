"""DEU III: loading, capability measures, and the reference backtest figures.

The reference MAEs were measured on this file by the product owner (brief of the validation
task): compromise with GDP × salience weights 20.5 on the odd half, 26.1 on the even half, 23.2
overall (353 issues); plain mean 23.7; median 28.6; status quo (rp) 51.1.  They are reproduced
within ±0.1 here.
"""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest

from negosim.errors import UsageError
from negosim.validation import (
    BASELINES,
    VARIANTS,
    Forecast,
    backtest_models,
    capabilities,
    format_table,
    load_deu3,
    run_backtest,
    shapley_shubik,
)
from negosim.validation.deu3 import DEU3


@pytest.fixture(scope="module")
def data() -> DEU3:
    return load_deu3()


@pytest.fixture(scope="module")
def baselines(data: DEU3) -> pd.DataFrame:
    models = ["compromise", "mean", "median", "status_quo"]
    return run_backtest(models, n_boot=500, rng=np.random.default_rng(1), data=data)


def test_loading_keeps_the_issues_with_an_outcome(data: DEU3) -> None:
    # 364 issues in the file, 11 without an outcome.
    assert data.n_issues == 353
    assert data.n_dropped == 11
    assert data.positions.shape == data.salience.shape == (353, 30)
    assert data.actors[:3] == ("com", "ep", "at")
    assert data.gdp[data.actors.index("de")] == 4.1  # line 2 of the file
    assert not np.isnan(data.outcome).any()
    assert np.isnan(data.reference_point).sum() == 100
    assert not np.isnan(data.salience).any()
    assert np.unique(data.proposal).size == 137
    assert data.odd.sum() + (~data.odd).sum() == 353
    assert ((data.positions >= 0) | np.isnan(data.positions)).all()


def _mae(results: pd.DataFrame, model: str, half: str) -> float:
    row = results[(results.model == model) & (results.half == half)]
    return float(row.mae.iloc[0])


def test_reference_figures_are_reproduced(baselines: pd.DataFrame) -> None:
    assert _mae(baselines, "compromise", "odd") == pytest.approx(20.5, abs=0.1)
    assert _mae(baselines, "compromise", "even") == pytest.approx(26.1, abs=0.1)
    assert _mae(baselines, "compromise", "all") == pytest.approx(23.2, abs=0.1)
    assert _mae(baselines, "mean", "all") == pytest.approx(23.7, abs=0.1)
    assert _mae(baselines, "median", "all") == pytest.approx(28.6, abs=0.1)
    assert _mae(baselines, "status_quo", "all") == pytest.approx(51.1, abs=0.1)
    counts = baselines[baselines.half == "all"].set_index("model").n_issues
    assert counts["compromise"] == 353
    assert counts["status_quo"] == 253  # rp is unknown on 100 issues


def test_bootstrap_intervals(baselines: pd.DataFrame, data: DEU3) -> None:
    assert (baselines.mae_low <= baselines.mae).all()
    assert (baselines.mae <= baselines.mae_high).all()
    base = baselines[baselines.model == "compromise"]
    np.testing.assert_allclose(base[["diff", "diff_low", "diff_high"]], 0.0, atol=1e-12)
    # Same generator seed, same intervals.
    again = run_backtest(
        ["compromise", "mean", "median", "status_quo"],
        n_boot=500,
        rng=np.random.default_rng(1),
        data=data,
    )
    pd.testing.assert_frame_equal(baselines, again)


def test_custom_model_and_baseline_always_present(data: DEU3) -> None:
    def fifty(d: DEU3, cap: np.ndarray) -> Forecast:
        return Forecast(np.full(d.n_issues, 50.0), "constant")

    results = run_backtest({"fifty": fifty}, n_boot=50, data=data)
    assert list(results.model.unique()) == ["compromise", "fifty"]
    # |50 - outcome| averaged over all issues, computed directly.
    assert _mae(results, "fifty", "all") == pytest.approx(np.abs(50 - data.outcome).mean())
    assert "| fifty |" in format_table(results)


def test_unknown_model_and_bad_arguments(data: DEU3) -> None:
    with pytest.raises(UsageError, match="unknown backtest model"):
        run_backtest(["oracle"], data=data)
    with pytest.raises(UsageError, match="n_boot"):
        run_backtest(["compromise"], n_boot=0, data=data)
    with pytest.raises(UsageError, match="unknown capability"):
        capabilities(data, "population")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="shape"):
        run_backtest({"bad": lambda d, c: np.zeros(3)}, n_boot=10, data=data)


def test_shapley_shubik_closed_forms() -> None:
    # [3; 2, 1, 1]: the big player is pivotal in 4 of the 6 orderings, each small one in 1.
    np.testing.assert_allclose(shapley_shubik((2, 1, 1), 3), [4 / 6, 1 / 6, 1 / 6])
    # Symmetric players share power equally.
    np.testing.assert_allclose(shapley_shubik((3, 3, 3, 3), 7), [0.25] * 4)
    # A dictator holds all of it; a dummy none: [3; 3, 1, 1].
    np.testing.assert_allclose(shapley_shubik((3, 1, 1), 3), [1.0, 0.0, 0.0])
    with pytest.raises(UsageError):
        shapley_shubik((1.5, 2), 2)  # type: ignore[arg-type]


def test_capability_measures(data: DEU3) -> None:
    gdp = capabilities(data, "gdp")
    assert gdp.shape == (353, 30)
    np.testing.assert_allclose(gdp[0], data.gdp)
    council = capabilities(data, "council")
    de, mt = data.actors.index("de"), data.actors.index("mt")
    com, ep = data.actors.index("com"), data.actors.index("ep")
    # Issue 1 (a 2000 proposal, EU-15): Amsterdam weights, Germany 10, Malta not a member.
    assert council[0, de] == 10 and council[0, mt] == 0
    # Commission and Parliament weigh as much as the largest member.
    assert council[0, com] == council[0, ep] == 10
    enlarged = ~np.isnan(data.positions[:, mt])
    assert (council[enlarged, de] == 29).all()  # Nice weights once Malta takes part
    ssi = capabilities(data, "shapley_shubik")
    members = [i for i, a in enumerate(data.actors) if a not in ("com", "ep")]
    np.testing.assert_allclose(ssi[:, members].sum(axis=1), 1.0)
    unanimity = data.issues.counvte.str.startswith("Unan").to_numpy()
    row = int(np.flatnonzero(unanimity)[0])
    power = ssi[row, members]
    assert np.allclose(power[power > 0], power[power > 0][0])  # one member, one veto


@pytest.mark.slow
def test_full_backtest_runs(data: DEU3) -> None:
    results = run_backtest(n_boot=200, data=data)
    assert list(dict.fromkeys(results.model)) == list(backtest_models())
    assert len(results) == 3 * len(backtest_models())
    tuned = results[(results.model == "exchange_tuned") & (results.half == "all")]
    assert "tuned on odd" in tuned.params.iloc[0]


def test_validation_all_is_honest_and_documented() -> None:
    import negosim.validation as validation
    from negosim.validation import backtest, deu3, forecasters, splits

    for module in (validation, backtest, deu3, forecasters, splits):
        assert module.__doc__, module.__name__
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                assert obj.__doc__, f"{module.__name__}.{name} has no docstring"
    exported = set(backtest.__all__) | set(deu3.__all__) | set(splits.__all__)
    assert set(validation.__all__) <= exported


def test_the_backtest_scores_every_registered_point_forecaster() -> None:
    from negosim.models.registry import get_model, model_names

    known = backtest_models()
    forecasters = [n for n in model_names() if get_model(n).supports.point_forecast]
    assert next(iter(known)) == "compromise"
    assert set(forecasters) | set(BASELINES) | set(VARIANTS) == set(known)
    # A model without a point forecast (the bargaining engine, the Nash solution) is not scored.
    assert not {n for n in model_names() if n not in forecasters} & set(known)


def test_a_registered_point_forecaster_joins_the_backtest(data: DEU3) -> None:
    """A model registered with a point forecast is scored with no change to the backtest: here
    one forecasting the unweighted mean must score what the plain-mean baseline scores."""
    from typing import Any, ClassVar

    from negosim.models.compromise import mean
    from negosim.models.registry import register, unregister
    from negosim.models.spatial import POINT_FORECAST, PointForecastModel

    class PlainMean(PointForecastModel):
        name: ClassVar[str] = "plain_mean_for_test"
        reference: ClassVar[str] = "Nobody 2024"
        supports = POINT_FORECAST

        @classmethod
        def point_forecast(
            cls, positions, salience, capability, *, salience_max=1.0, **parameters: Any
        ):
            cls.check_parameters(parameters)
            return mean(np.swapaxes(positions, 1, 2))

    register(PlainMean)
    try:
        assert "plain_mean_for_test" in backtest_models()
        table = run_backtest(["plain_mean_for_test", "mean"], n_boot=20, data=data)
    finally:
        unregister("plain_mean_for_test")
    mae = table.set_index(["model", "half"])["mae"]
    for half in ("odd", "even", "all"):
        assert mae["plain_mean_for_test", half] == pytest.approx(mae["mean", half], abs=1e-12)
    assert "plain_mean_for_test" not in backtest_models()
