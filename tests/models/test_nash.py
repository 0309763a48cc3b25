"""Nash bargaining and Rubinstein's alternating offers against their closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negosim.errors import UsageError
from negosim.models.nash import (
    nash_bargaining,
    nash_split,
    rubinstein_limit_weights,
    rubinstein_share,
)


def test_symmetric_split_is_half() -> None:
    np.testing.assert_allclose(nash_split([0.0, 0.0]), [0.5, 0.5])


def test_asymmetric_weights_and_disagreement_points() -> None:
    # Weights 1 : 3 split the surplus 1 : 3.
    np.testing.assert_allclose(nash_split([0.0, 0.0], weights=[1, 3]), [0.25, 0.75])
    # Each first gets its disagreement utility, then half of what is left (1 - 0.6 = 0.4):
    # 0.2 + 0.2 and 0.4 + 0.2.
    np.testing.assert_allclose(nash_split([0.2, 0.4]), [0.4, 0.6])
    # Three players, a surplus of 10, weights 1, 1, 2: (10 - 0 - 2 - 0) shared 1:1:2 on top.
    np.testing.assert_allclose(nash_split([0, 2, 0], weights=[1, 1, 2], size=10), [2, 4, 4])
    # Batch of disagreement points.
    np.testing.assert_allclose(nash_split([[0, 0], [0.5, 0]]), [[0.5, 0.5], [0.75, 0.25]])


@settings(max_examples=100, deadline=None)
@given(st.floats(0.05, 5), st.floats(0.05, 5), st.floats(0.0, 0.4), st.floats(0.0, 0.4))
def test_split_maximises_the_weighted_nash_product(
    w1: float, w2: float, d1: float, d2: float
) -> None:
    x1, x2 = nash_split([d1, d2], weights=[w1, w2])
    assert x1 + x2 == pytest.approx(1.0)
    grid = np.linspace(d1 + 1e-9, 1 - d2 - 1e-9, 2001)
    product = w1 * np.log(grid - d1) + w2 * np.log(1 - grid - d2)
    assert abs(grid[product.argmax()] - x1) <= (1 - d1 - d2) / 1000


def test_discrete_packages() -> None:
    utilities = [[3.0, 1.0], [2.0, 2.0], [1.0, 3.0]]
    # Equal weights: products 3, 4, 3 -> the middle package.
    assert nash_bargaining(utilities, [0.0, 0.0]).index == 1
    # Weight 3 : 1 for the first actor: 3^3*1 = 27 > 2^3*2 = 16 > 1*3 = 3 -> the first package.
    assert nash_bargaining(utilities, [0.0, 0.0], weights=[3, 1]).index == 0
    # Disagreement (2.5, 0): only the first package beats it for actor 0.
    choice = nash_bargaining(utilities, [2.5, 0.0])
    assert choice.index == 0
    np.testing.assert_allclose(choice.utilities, [3.0, 1.0])
    assert np.isneginf(choice.log_nash_product[1:]).all()
    # Nothing beats disagreement: no agreement, players keep their disagreement utilities.
    none = nash_bargaining(utilities, [5.0, 5.0])
    assert none.index == -1
    np.testing.assert_allclose(none.utilities, [5.0, 5.0])
    # Batch: two disagreement points at once.
    batch = nash_bargaining(utilities, [[0.0, 0.0], [5.0, 5.0]])
    np.testing.assert_array_equal(batch.index, [1, -1])


def test_rubinstein_closed_forms() -> None:
    # Equal patience delta: the proposer gets 1 / (1 + delta).
    assert rubinstein_share(0.9, 0.9) == pytest.approx(1 / 1.9)
    # An impatient responder (delta 0) gives the proposer everything.
    assert rubinstein_share(0.5, 0.0) == pytest.approx(1.0)
    # (1 - 0.8) / (1 - 0.9 * 0.8) = 0.2 / 0.28.
    assert rubinstein_share(0.9, 0.8) == pytest.approx(0.2 / 0.28)
    np.testing.assert_allclose(rubinstein_share([0.9, 0.5], 0.9), [1 / 1.9, 0.1 / 0.55])


@pytest.mark.parametrize(("rho1", "rho2"), [(1.0, 1.0), (1.0, 2.0), (0.3, 5.0)])
def test_rubinstein_tends_to_the_asymmetric_nash_split(rho1: float, rho2: float) -> None:
    # delta_i = exp(-rho_i * dt): as dt -> 0 the proposer's share tends to rho2 / (rho1 + rho2),
    # the Nash split with weights proportional to 1 / rho_i = log-ratio weights.
    dt = 1e-6
    d1, d2 = math.exp(-rho1 * dt), math.exp(-rho2 * dt)
    limit = rho2 / (rho1 + rho2)
    assert rubinstein_share(d1, d2) == pytest.approx(limit, abs=1e-5)
    weights = rubinstein_limit_weights(d1, d2)
    np.testing.assert_allclose(weights, [limit, 1 - limit], rtol=1e-6)
    np.testing.assert_allclose(nash_split([0, 0], weights=weights), [limit, 1 - limit], rtol=1e-6)


def test_bad_arguments_raise_usage_errors() -> None:
    with pytest.raises(UsageError, match=r"\[0, 1\)"):
        rubinstein_share(1.0, 0.5)
    with pytest.raises(UsageError, match=r"\[0, 1\)"):
        rubinstein_share(0.5, -0.1)
    with pytest.raises(UsageError, match="positive"):
        rubinstein_limit_weights(0.0, 0.5)
    with pytest.raises(UsageError, match="no surplus"):
        nash_split([0.6, 0.5])
    with pytest.raises(UsageError, match="weights must be positive"):
        nash_split([0, 0], weights=[1, 0])
    with pytest.raises(UsageError, match="n_packages, n_actors"):
        nash_bargaining([1.0, 2.0], [0.0])
    with pytest.raises(UsageError, match="broadcast"):
        nash_bargaining([[1.0, 2.0]], [0.0, 0.0, 0.0])
    with pytest.raises(UsageError, match="finite"):
        nash_bargaining([[1.0, np.nan]], [0.0, 0.0])
