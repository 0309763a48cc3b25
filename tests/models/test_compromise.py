"""The compromise model and its baselines: hand-computed values, the Scholz example, invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from negosim.errors import UsageError
from negosim.models.compromise import compromise, mean, median, weighted_mean, weighted_median

# Scholz, Calbert & Smith (2011), Table 1 (from Bueno de Mesquita 1994): capability, position,
# salience of ten EC members on the date of emission standards for medium-sized cars.
SCHOLZ_CAPABILITY = [0.08, 0.08, 0.03, 0.16, 0.16, 0.16, 0.16, 0.05, 0.05, 0.08]
SCHOLZ_POSITION = [7, 4, 4, 4, 10, 10, 10, 7, 4, 7]
SCHOLZ_SALIENCE = [40, 80, 20, 80, 60, 60, 90, 10, 100, 70]


def test_hand_computed_weighted_mean() -> None:
    # weights c*s = 2*50, 1*100, 1*50 = 100, 100, 50; (100*10 + 100*40 + 50*100) / 250 = 40.
    assert compromise([10.0, 40.0, 100.0], [50, 100, 50], [2, 1, 1]) == pytest.approx(40.0)


def test_scholz_example_weighted_mean_median_and_mean() -> None:
    # c*s: at 4: 6.4 + 0.6 + 12.8 + 5.0 = 24.8; at 7: 3.2 + 0.5 + 5.6 = 9.3; at 10: 33.6.
    # Mean = (4*24.8 + 7*9.3 + 10*33.6) / 67.7 = 500.3 / 67.7 = 7.390 (the README's 7.39).
    result = compromise(SCHOLZ_POSITION, SCHOLZ_SALIENCE, SCHOLZ_CAPABILITY)
    assert result == pytest.approx(500.3 / 67.7)
    assert round(float(result), 2) == 7.39
    # Half the weight is 33.85; 24.8 at 4 is short of it, 24.8 + 9.3 = 34.1 at 7 passes it.
    weights = np.multiply(SCHOLZ_CAPABILITY, SCHOLZ_SALIENCE)
    assert weighted_median(SCHOLZ_POSITION, weights) == 7.0
    assert mean(SCHOLZ_POSITION) == pytest.approx(6.7)


def test_salience_scale_does_not_matter() -> None:
    s100 = np.array(SCHOLZ_SALIENCE, dtype=float)
    a = compromise(SCHOLZ_POSITION, s100, SCHOLZ_CAPABILITY)
    b = compromise(SCHOLZ_POSITION, s100 / 100, SCHOLZ_CAPABILITY)
    assert a == pytest.approx(b)


def test_batch_dimensions_and_shared_capability() -> None:
    positions = np.array([[10.0, 40.0, 100.0], [0.0, 0.0, 60.0]])
    salience = np.array([[50, 100, 50], [1, 1, 1]])
    result = compromise(positions, salience, [2, 1, 1])
    assert result.shape == (2,)
    # Second row: weights 2, 1, 1 -> 60 / 4 = 15.
    np.testing.assert_allclose(result, [40.0, 15.0])
    # Actors on axis 0 instead of the last axis.
    np.testing.assert_allclose(
        compromise(positions.T, salience.T, np.array([[2], [1], [1]]), axis=0), [40.0, 15.0]
    )
    # A (replicates, issues, actors) block.
    block = np.broadcast_to(positions, (4, 2, 3))
    np.testing.assert_allclose(
        compromise(block, salience, [2, 1, 1]), np.tile([40.0, 15.0], (4, 1))
    )


def test_nan_actors_are_ignored() -> None:
    base = compromise([10.0, 40.0, 100.0], [50, 100, 50], [2, 1, 1])
    with_absent = compromise([10.0, np.nan, 40.0, 100.0], [50, 90, 100, 50], [2, 1000, 1, 1])
    assert with_absent == pytest.approx(base)
    # Missing salience or capability also means no weight.
    assert compromise([10.0, 99.0], [1.0, np.nan], [1, 1]) == pytest.approx(10.0)
    assert compromise([10.0, 99.0], [1.0, 1.0], [1, np.nan]) == pytest.approx(10.0)


def test_no_weight_gives_nan() -> None:
    assert np.isnan(compromise([np.nan, np.nan], [1, 1], [1, 1]))
    assert np.isnan(compromise([1.0, 2.0], [0, 0], [1, 1]))
    assert np.isnan(mean([np.nan, np.nan]))
    assert np.isnan(median([np.nan, np.nan]))
    assert np.isnan(weighted_median([1.0, 2.0], [0.0, 0.0]))


def test_salience_exponent() -> None:
    # Exponent 0 drops salience: capability-weighted mean (2*10 + 40 + 100) / 4 = 40.
    assert compromise([10.0, 40.0, 100.0], [50, 100, 50], [2, 1, 1], salience_exponent=0) == 40
    # Exponent 2: weights 2*2500, 10000, 2500 -> (50000 + 400000 + 250000) / 17500 = 40.
    assert compromise(
        [10.0, 40.0, 100.0], [50, 100, 50], [2, 1, 1], salience_exponent=2
    ) == pytest.approx(40.0)
    # A zero-salience actor keeps zero weight even with exponent 0.
    assert compromise([0.0, 100.0], [0, 1], [1, 1], salience_exponent=0) == 100.0


def test_weighted_median_hand_examples() -> None:
    # Exactly half the weight on each side: the lower of the two positions.
    assert weighted_median([0.0, 100.0], [1.0, 1.0]) == 0.0
    # Order of the input does not matter; weights 1, 3, 1 put the median at 5.
    assert weighted_median([9.0, 5.0, 1.0], [1.0, 3.0, 1.0]) == 5.0
    np.testing.assert_allclose(
        weighted_median([[1.0, 2.0, 3.0], [3.0, 2.0, np.nan]], [[1, 1, 5], [5, 1, 1]]), [3.0, 3.0]
    )


def test_bad_arguments_raise_usage_errors() -> None:
    with pytest.raises(UsageError, match="salience must be non-negative"):
        compromise([1.0, 2.0], [-1, 1], [1, 1])
    with pytest.raises(UsageError, match="capability must be non-negative"):
        compromise([1.0, 2.0], [1, 1], [1, -2])
    with pytest.raises(UsageError, match="broadcast"):
        compromise([1.0, 2.0, 3.0], [1, 1], [1, 1, 1])
    with pytest.raises(UsageError, match="finite"):
        compromise([1.0, np.inf], [1, 1], [1, 1])
    with pytest.raises(UsageError, match="numeric"):
        compromise(["a", "b"], [1, 1], [1, 1])
    with pytest.raises(UsageError, match="actor axis"):
        compromise(1.0, 1.0, 1.0)
    with pytest.raises(UsageError, match="axis"):
        compromise([1.0, 2.0], [1, 1], [1, 1], axis=3)
    with pytest.raises(UsageError, match="salience_exponent"):
        compromise([1.0, 2.0], [1, 1], [1, 1], salience_exponent=-1)


positions_strategy = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 4), st.integers(1, 8)),
    elements=st.one_of(st.floats(-1000, 1000, allow_nan=False), st.just(np.nan)),
)


@settings(max_examples=200, deadline=None)
@given(positions=positions_strategy, data=st.data())
def test_forecast_lies_in_convex_hull(positions: np.ndarray, data: st.DataObject) -> None:
    weight = st.floats(0, 100, allow_nan=False)
    salience = data.draw(hnp.arrays(np.float64, positions.shape, elements=weight))
    capability = data.draw(hnp.arrays(np.float64, positions.shape[-1:], elements=weight))
    result = compromise(positions, salience, capability)
    has_weight = (~np.isnan(positions) & (salience * capability > 0)).any(-1)
    assert np.array_equal(np.isnan(result), ~has_weight)
    lo = np.nanmin(np.where(np.isnan(positions), np.inf, positions), axis=-1)
    hi = np.nanmax(np.where(np.isnan(positions), -np.inf, positions), axis=-1)
    ok = has_weight
    tolerance = 1e-9 * (1 + np.abs(positions[~np.isnan(positions)]).max(initial=0))
    assert (result[ok] >= lo[ok] - tolerance).all()
    assert (result[ok] <= hi[ok] + tolerance).all()
    # The weighted median is one of the present positions.
    med = weighted_median(positions, salience * capability)
    for row in np.flatnonzero(ok):
        assert med[row] in positions[row]


@settings(max_examples=100, deadline=None)
@given(positions=positions_strategy)
def test_baselines_agree_with_numpy(positions: np.ndarray) -> None:
    present = ~np.isnan(positions).all(-1)
    expected_mean = np.full(positions.shape[0], np.nan)
    expected_median = np.full(positions.shape[0], np.nan)
    expected_mean[present] = np.nanmean(positions[present], axis=-1)
    expected_median[present] = np.nanmedian(positions[present], axis=-1)
    np.testing.assert_allclose(mean(positions), expected_mean, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(median(positions), expected_median, rtol=1e-12, atol=1e-9)
    # Equal weights: the weighted mean is the plain mean.
    np.testing.assert_allclose(
        weighted_mean(positions, np.ones_like(positions)), expected_mean, rtol=1e-12, atol=1e-9
    )
