"""The plan under beliefs against the subgame-perfect backward induction it generalises.

With every group a single known type (complete information), :func:`planning.plan` must give
the floors of :func:`rules.strategic_floors` bit for bit: the responders' payoffs, the proposers'
screening offers and the recognition-weighted values then reduce to the full-information rule
(``docs/engine.md``).  Random tables with ties and red lines (``-inf`` is never on the table, but
equal utilities are) exercise the first-maximum tie-breaks.
"""

from __future__ import annotations

import numpy as np
import pytest

import negosim.models.bargaining.planning as planning
import negosim.models.bargaining.rules as rules
from negosim.models.bargaining.beliefs import likelihood_update, weighted_quantiles


def _known(u: np.ndarray, reservation: np.ndarray, patience: np.ndarray) -> list[planning.Group]:
    return [
        planning.Group(
            owner=a,
            u=u[a][None],
            reservation=reservation[a][None],
            patience=patience[a][None],
            best=u[a].max(axis=0, initial=-np.inf)[None],
            known=True,
        )
        for a in range(u.shape[0])
    ]


@pytest.mark.parametrize("seed", range(12))
def test_complete_information_is_the_strategic_floors_bit_for_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    A = int(rng.integers(2, 5))
    J = int(rng.integers(0, 9))
    R, T = 50, int(rng.integers(1, 7))
    # Coarse values make ties common (and so the tie-breaks matter).
    u = rng.integers(0, 6, size=(A, J, R)) / 5.0
    reservation = rng.integers(0, 4, size=(A, R)) / 5.0
    patience = rng.choice([0.8, 0.95, 1.0], size=(A, R))
    share = rng.random((A, R))
    recognition = np.broadcast_to(share / share.sum(axis=0), (T, A, R))
    expected = rules.strategic_floors(u, reservation, patience, recognition)
    groups = _known(u, reservation, patience)
    weights = [np.ones((1, R)) for _ in range(A)]
    mind = [list(range(A)) for _ in range(A)]
    floors = planning.plan(groups, weights, mind, recognition)
    got = np.stack([f[:, 0] for f in floors], axis=1)  # (T, A, R)
    assert np.array_equal(got, expected)


def test_a_seller_facing_a_uniform_buyer_screens_at_the_monopoly_price() -> None:
    """One round, the seller proposes: with the buyer's value v uniform on [0, 1] and the seller's
    cost c, the offer p maximises (1 - p)(p - c) + c, so p = (1 + c) / 2 (the monopoly price);
    on a grid of prices 0, 0.01, ..., 1 and 1,000 evenly spread buyer types the offer is within a
    grid step of it."""
    prices = np.linspace(0.0, 1.0, 101)
    P, R = 1000, 3
    values = (np.arange(P) + 0.5) / P
    buyer = planning.Group(
        owner=1,
        u=np.broadcast_to((1.0 - prices)[None, :, None], (P, 101, R)).copy(),
        reservation=np.broadcast_to((1.0 - values)[:, None], (P, R)).copy(),
        patience=np.ones((P, R)),
        best=np.ones((P, R)),
    )
    weights = np.full((P, R), 1.0 / P)
    chance = planning.accept_chance(buyer, weights, buyer.reservation)
    costs = np.array([0.0, 0.2, 0.6])
    seller = planning.Group(
        owner=0,
        u=np.broadcast_to(prices[None, :, None], (1, 101, R)).copy(),
        reservation=costs[None, :],
        patience=np.ones((1, R)),
        best=np.ones((1, R)),
        known=True,
    )
    choice, feasible, value = planning.offers(seller, chance, costs[None, :], costs[None, :])
    assert feasible.all()
    assert np.allclose(prices[choice[0]], (1 + costs) / 2, atol=0.011)
    # Its value is the monopoly profit plus the cost: (1 - p)(p - c) + c = (1 - c)^2 / 4 + c.
    assert np.allclose(value[0], (1 - costs) ** 2 / 4 + costs, atol=2e-3)


def test_bayes_rule_with_trembles() -> None:
    """Two particles, equal prior; one did what was observed: posterior (1 - e) : e."""
    weights = np.full((2, 2), 0.5)
    consistent = np.array([[True, True], [False, False]])
    observed = np.array([True, False])
    post = likelihood_update(weights, consistent, observed, 0.1)
    assert np.allclose(post[:, 0], [0.9, 0.1])
    assert np.allclose(post[:, 1], [0.5, 0.5])  # nothing observed: unchanged
    # Nobody consistent: every weight is multiplied alike, so the belief does not move.
    assert np.allclose(likelihood_update(weights, ~consistent & False, observed, 0.1), weights)


def test_weighted_quantiles() -> None:
    values = np.array([[0.1], [0.4], [0.2], [0.9]])
    weights = np.array([[0.25], [0.25], [0.25], [0.25]])
    got = weighted_quantiles(values, weights, (0.05, 0.5, 0.95))[:, 0]
    assert np.allclose(got, [0.1, 0.2, 0.9])
