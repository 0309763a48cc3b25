"""Repeated random splits by proposal (negosim.validation.splits), on data whose answer is known.

The synthetic data: outcomes anywhere on 0-100, a baseline forecasting the outcome plus normal
noise of sd 10, models forecasting it plus noise of smaller sd.  For normal noise of sd sigma the
expected absolute error is sigma * sqrt(2 / pi), so the expected held-out difference of a model
with sd s from the baseline is (s - 10) * sqrt(2 / pi), whatever the split.  The paired
difference of one issue, |e_s| - |e_10| with independent noises, has variance
(1 - 2 / pi) (s^2 + 10^2), so the standard error of a mean over n issues, and from it the minimum
detectable difference 2.80 SE, is known too.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from negosim.errors import UsageError
from negosim.validation import (
    DEU3,
    Forecast,
    Tuned,
    load_deu3,
    proposal_splits,
    run_backtest,
    run_splits,
)
from negosim.validation.forecasters import prepare_models

ROOT_2_OVER_PI = math.sqrt(2 / math.pi)
BASE_SD, GOOD_SD = 10.0, 6.0
N_PROPOSALS, PER_PROPOSAL = 1000, 3


def synthetic(n_proposals: int = N_PROPOSALS, per: int = PER_PROPOSAL, seed: int = 7) -> DEU3:
    """A DEU3 of ``n_proposals`` proposals of ``per`` issues each, two actors."""
    rng = np.random.default_rng(seed)
    n = n_proposals * per
    proposal = np.repeat(np.arange(1, n_proposals + 1), per).astype(np.int64)
    outcome = rng.uniform(0, 100, n)
    issues = pd.DataFrame({"prnrnmc": proposal, "counvte": "QMV", "rp": np.nan, "out": outcome})
    return DEU3(
        issues=issues,
        actors=("a", "b"),
        positions=rng.uniform(0, 100, (n, 2)),
        salience=np.full((n, 2), 50.0),
        gdp=np.ones(2),
        outcome=outcome,
        reference_point=np.full(n, np.nan),
        proposal=proposal,
        n_dropped=0,
    )


def noisy(data: DEU3, sd: float, seed: int) -> np.ndarray:
    return data.outcome + np.random.default_rng(seed).normal(0.0, sd, data.n_issues)


def fixed(values: np.ndarray):
    """A fixed model forecasting ``values`` (computed from the truth by the test, not by the
    model, which is shown no outcome)."""
    return lambda data, cap: Forecast(values, "fixed")


def se_of_mean(sd: float, n: int) -> float:
    return math.sqrt((1 - 2 / math.pi) * (sd**2 + BASE_SD**2) / n)


@pytest.fixture(scope="module")
def data() -> DEU3:
    return synthetic()


def test_the_splits_recover_the_known_difference_and_its_detectable_size(data: DEU3) -> None:
    models = {
        "compromise": fixed(noisy(data, BASE_SD, 1)),
        "good": fixed(noisy(data, GOOD_SD, 2)),
    }
    results = run_splits(models, n_splits=40, n_boot=400, seed=3, data=data)
    row = results.summary.set_index("model").loc["good"]
    expected = (GOOD_SD - BASE_SD) * ROOT_2_OVER_PI  # -3.19
    full = se_of_mean(GOOD_SD, data.n_issues)  # 0.128: the sampling error of the whole sample
    # Tolerance: 3.5 standard errors of the whole sample's mean difference.
    assert row["diff_median"] == pytest.approx(expected, abs=3.5 * full)
    assert row["pooled_diff"] == pytest.approx(expected, abs=3.5 * full)
    assert row["pooled_low"] < expected < row["pooled_high"]
    assert row["share_better"] == 1.0  # one held-out half's SE is 0.18, the gain 3.19
    # Minimum detectable differences within 15 % of 2.80 SE: pooled over every issue, and one
    # held-out half (1,500 issues) alone.
    assert row["mdd"] == pytest.approx(2.801585 * full, rel=0.15)
    half = se_of_mean(GOOD_SD, data.n_issues // 2)
    assert row["split_mdd"] == pytest.approx(2.801585 * half, rel=0.15)
    # The MAE itself: sigma * sqrt(2 / pi).
    assert row["mae"] == pytest.approx(GOOD_SD * ROOT_2_OVER_PI, abs=0.2)
    base = results.summary.set_index("model").loc["compromise"]
    assert base["diff_median"] == 0.0 and base["share_better"] == 0.0
    assert len(results.by_split) == 2 * 40


def test_splits_are_by_proposal_balanced_and_reproducible_from_the_seed(data: DEU3) -> None:
    train = proposal_splits(data.proposal, 25, seed=11)
    assert train.shape == (25, data.n_issues)
    for split in train:
        trained = set(data.proposal[split])
        held = set(data.proposal[~split])
        assert not trained & held  # no proposal on both sides
        assert len(trained) == N_PROPOSALS // 2 and len(held) == N_PROPOSALS - N_PROPOSALS // 2
    np.testing.assert_array_equal(train, proposal_splits(data.proposal, 25, seed=11))
    assert not np.array_equal(train, proposal_splits(data.proposal, 25, seed=12))
    # Different splits, not one repeated.
    assert len({split.tobytes() for split in train}) == 25
    # An odd number of proposals: the larger half is held out.
    odd = proposal_splits(np.array([1, 1, 2, 3, 3, 3, 4, 5, 6]), 3, seed=0)
    for split in odd:
        assert np.unique(np.array([1, 1, 2, 3, 3, 3, 4, 5, 6])[split]).size == 3


def test_tuning_sees_only_the_training_proposals_and_picks_the_best_candidate(
    data: DEU3,
) -> None:
    """The selection is instrumented: it records the issues whose outcome it is shown, which must
    be exactly the training proposals of the split, in order; the candidates are shown none."""
    candidate_outcomes: list[np.ndarray] = []
    shown: list[np.ndarray] = []
    sds = (BASE_SD, 3.0, GOOD_SD)  # the best is not first

    def candidates(d: DEU3, cap: np.ndarray) -> list[tuple[str, np.ndarray]]:
        candidate_outcomes.append(np.concatenate([d.outcome, d.issues["out"].to_numpy()]))
        return [(f"sd={sd:g}", noisy(data, sd, 10 + k)) for k, sd in enumerate(sds)]

    def select(values: np.ndarray, outcome: np.ndarray) -> int:
        shown.append(~np.isnan(outcome))
        errors = np.nanmean(np.abs(values - outcome), axis=1)
        return int(np.argmin(errors))

    models = {"compromise": fixed(noisy(data, BASE_SD, 1)), "tuned": Tuned(candidates, select)}
    results = run_splits(models, n_splits=30, n_boot=200, seed=5, data=data)
    assert len(candidate_outcomes) == 1 and np.isnan(candidate_outcomes[0]).all()
    train = proposal_splits(data.proposal, 30, seed=5)
    assert len(shown) == 30
    for split, mask in zip(train, shown, strict=True):
        np.testing.assert_array_equal(mask, split)
        assert not set(data.proposal[mask]) & set(data.proposal[~split])
    row = results.summary.set_index("model").loc["tuned"]
    assert row["params"] == "sd=3 (30/30 splits)"
    assert row["diff_median"] == pytest.approx(
        (3.0 - BASE_SD) * ROOT_2_OVER_PI, abs=3.5 * se_of_mean(3.0, data.n_issues)
    )
    # The fixed split tunes on the odd proposals only.
    shown.clear()
    run_backtest(models, n_boot=20, data=data)
    assert len(shown) == 1
    np.testing.assert_array_equal(shown[0], data.proposal % 2 == 1)


def test_a_fixed_model_is_shown_no_outcome(data: DEU3) -> None:
    seen: list[np.ndarray] = []

    def model(d: DEU3, cap: np.ndarray) -> np.ndarray:
        seen.append(d.outcome)
        return np.full(d.n_issues, 50.0)

    run_splits({"peek": model}, n_splits=2, n_boot=10, data=data)
    assert len(seen) == 1 and np.isnan(seen[0]).all()


def test_bad_arguments_are_usage_errors(data: DEU3) -> None:
    for kwargs, message in [
        ({"n_splits": 0}, "n_splits must be a positive integer"),
        ({"n_boot": 0}, "n_boot must be a positive integer"),
        ({"seed": -1}, "seed must be a whole number >= 0"),
    ]:
        with pytest.raises(UsageError, match=message):
            run_splits(["compromise"], data=data, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="memory budget"):
        run_splits(["compromise"], n_splits=10**9, data=data)
    with pytest.raises(UsageError, match="no candidate"):
        run_splits({"empty": Tuned(lambda d, c: [])}, n_splits=2, data=data)


def test_on_deu3_a_fixed_models_pooled_difference_is_its_whole_sample_difference() -> None:
    """Each issue is held out in some split, and a fixed model's error does not depend on the
    split, so its pooled held-out difference is its difference over all 353 issues, computed
    here from the two models' forecasts directly (23.20 - 23.22 in docs/models.md)."""
    deu3 = load_deu3()
    prepared = prepare_models(["exchange"], deu3)
    results = run_splits(n_splits=50, n_boot=100, data=deu3, prepared=prepared)
    row = results.summary.set_index("model").loc["exchange"]
    errors = {name: np.abs(p.values[0] - deu3.outcome) for name, p in prepared.items()}
    expected = float((errors["exchange"] - errors["compromise"]).mean())
    assert row["pooled_diff"] == pytest.approx(expected, abs=1e-9)
    assert row["pooled_diff"] == pytest.approx(-0.02, abs=0.01)  # the rounded figures
    assert row["n_issues"] == 353
