"""Stokman's exchange model: a two-actor trade worked by hand, and reduction to the compromise."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from negosim.errors import UsageError
from negosim.models.compromise import compromise
from negosim.models.exchange import exchange

# Two actors, two issues.  A (capability 1) stands at 0 on both, B (capability 2) at 100.
# Saliences: A 0.2 on issue 1 and 0.6 on issue 2; B 0.4 and 0.2.
POSITIONS = [[0.0, 0.0], [100.0, 100.0]]
SALIENCE = [[0.2, 0.6], [0.4, 0.2]]
CAPABILITY = [1.0, 2.0]
# Weights c*s: A (0.2, 0.6), B (0.8, 0.4); totals W_1 = W_2 = 1.
# Expected outcomes: O_1 = 0.8 * 100 = 80, O_2 = 0.4 * 100 = 40; A and B are on opposite sides of
# both.  A cares relatively more about issue 2 (0.6/0.2 = 3 > 0.2/0.4 = 0.5): A gives on issue 1,
# B gives on issue 2.
# Equal gain: Delta_2 / Delta_1 = (s_A1 + s_B1) / (s_A2 + s_B2) = 0.6 / 0.8 = 0.75.
# Reach: A can move O_1 by at most w_A1 * |0 - 80| / W_1 = 16 (A's vote goes to 80);
#        B can move O_2 by at most w_B2 * |100 - 40| / W_2 = 24, i.e. Delta_1 <= 24 / 0.75 = 32.
# So Delta_1 = 16, Delta_2 = 12: O_1 = 96, O_2 = 28; B's vote on issue 2 moves 12 / 0.4 = 30 to 70.
# Gains: A 0.6*12 - 0.2*16 = 4.0; B 0.4*16 - 0.2*12 = 4.0 -- equal, as the model requires.


def test_two_actor_trade_by_hand() -> None:
    result = exchange(POSITIONS, SALIENCE, CAPABILITY, max_rounds=1)
    np.testing.assert_allclose(result.initial_outcome, [80.0, 40.0])
    np.testing.assert_allclose(result.outcome, [96.0, 28.0])
    np.testing.assert_allclose(result.voting_positions, [[80.0, 0.0], [100.0, 70.0]])
    assert result.n_exchanges == 1


def test_gains_are_equal() -> None:
    result = exchange(POSITIONS, SALIENCE, CAPABILITY, max_rounds=1)
    shift = result.outcome - result.initial_outcome  # +16 on issue 1 (towards B), -12 on issue 2
    salience = np.array(SALIENCE)
    gain_a = -(salience[0] * shift).sum()  # A sits below both outcomes: lower is better
    gain_b = (salience[1] * shift).sum()
    assert gain_a == pytest.approx(4.0)
    assert gain_b == pytest.approx(4.0)


def test_later_rounds_continue_the_trade() -> None:
    # Round 2 starts from O = (96, 28) with A voting 80 on issue 1 and B voting 70 on issue 2:
    # A's reach is 0.2 * 16 = 3.2, B's 0.4 * (70 - 28) = 16.8 -> Delta_1 = 3.2, Delta_2 = 2.4.
    result = exchange(POSITIONS, SALIENCE, CAPABILITY, max_rounds=2)
    np.testing.assert_allclose(result.outcome_by_round, [[80, 40], [96, 28], [99.2, 25.6]])
    assert result.n_exchanges == 2


def test_no_trade_without_opposite_sides_or_different_priorities() -> None:
    # Same relative saliences: neither gains from trading.
    same = exchange(POSITIONS, [[0.2, 0.6], [0.2, 0.6]], CAPABILITY)
    assert same.n_exchanges == 0
    np.testing.assert_allclose(same.outcome, same.initial_outcome)
    # On issue 2 both stand at 0, on the outcome: nothing to give there.
    flat = exchange([[0.0, 0.0], [100.0, 0.0]], SALIENCE, CAPABILITY)
    assert flat.n_exchanges == 0


def test_each_actor_issue_is_used_once_per_round() -> None:
    # A could trade with B or with C (identical partners); only one trade fits in a round, and
    # B and C, on the same side of both outcomes, cannot trade with each other.
    positions = [[0.0, 0.0], [100.0, 100.0], [100.0, 100.0]]
    salience = [[0.2, 0.6], [0.4, 0.2], [0.4, 0.2]]
    result = exchange(positions, salience, [1.0, 1.0, 1.0], max_rounds=1)
    assert result.n_exchanges == 1


def test_batch_and_absent_actors() -> None:
    single = exchange(POSITIONS, SALIENCE, CAPABILITY, max_rounds=2)
    batch = exchange(
        np.stack([POSITIONS, POSITIONS]), np.stack([SALIENCE, SALIENCE]), CAPABILITY, max_rounds=2
    )
    np.testing.assert_allclose(batch.outcome, np.stack([single.outcome, single.outcome]))
    # A third actor without positions changes nothing.
    padded = exchange(
        [*POSITIONS, [np.nan, np.nan]], [*SALIENCE, [0.9, 0.9]], [*CAPABILITY, 10.0], max_rounds=2
    )
    np.testing.assert_allclose(padded.outcome, single.outcome)
    assert np.isnan(padded.voting_positions[2]).all()


@settings(max_examples=100, deadline=None)
@given(
    positions=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 3), st.integers(1, 6), st.just(1)),
        elements=st.floats(0, 100),
    ),
    data=st.data(),
)
def test_one_issue_is_the_compromise_model(positions: np.ndarray, data: st.DataObject) -> None:
    shape = positions.shape
    salience = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(0.01, 1)))
    capability = data.draw(hnp.arrays(np.float64, shape[:-1], elements=st.floats(0.01, 5)))
    result = exchange(positions, salience, capability)
    expected = compromise(positions[..., 0], salience[..., 0], capability)
    np.testing.assert_allclose(result.outcome[..., 0], expected, rtol=1e-12, atol=1e-9)
    assert (result.n_exchanges == 0).all()


def test_bad_arguments_raise_usage_errors() -> None:
    with pytest.raises(UsageError, match="n_actors, n_issues"):
        exchange([1.0, 2.0], [1.0, 1.0], [1.0, 1.0])
    with pytest.raises(UsageError, match="salience must be non-negative"):
        exchange(POSITIONS, [[-1, 1], [1, 1]], CAPABILITY)
    with pytest.raises(UsageError, match="max_rounds"):
        exchange(POSITIONS, SALIENCE, CAPABILITY, max_rounds=-2)
    with pytest.raises(UsageError, match="broadcast"):
        exchange(POSITIONS, SALIENCE, [1.0, 2.0, 3.0])
