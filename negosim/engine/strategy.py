"""The bargaining rules as pure array functions over a block of replicates.

Utilities
    Each actor's utility for an option is ``1 - |value - ideal| / 100`` on ordered issues (1 for its
    own option on unordered ones) unless the scenario gives explicit utilities; a risk attitude
    ``rho`` bends it to ``u ** 2**rho`` (convex, risk-acceptant, for ``rho > 0``).  A package's
    utility is the salience-weighted mean over its issues.  An option that needs ratification is
    valued at ``P * U + (1 - P) * reservation`` where ``P`` is the chance every body ratifies
    (Putnam's two-level game: negotiators anticipate the vote).  Options outside a red line are
    worth ``-inf``: never proposed, never accepted.

Strategic floor
    ``floor[t]`` is what an actor can secure by rejecting at round ``t``: the larger of its
    reservation value and its discounted continuation value ``delta * V[t + 1]`` in the subgame-
    perfect equilibrium of the remaining finite game (Stahl 1972; with alternating proposers and
    many rounds it approaches Rubinstein 1982; with proposers recognised in proportion to
    clout, capability x salience, it is the unanimity game of Baron & Ferejohn 1989).  After the
    deadline only the fallback remains.

Aspiration
    ``floor + (1 - alpha(t)) * (U_max - floor)`` with Faratin, Sierra & Jennings' (1998)
    time-dependent tactic ``alpha(t) = ((t + 1) / T) ** (1 / beta)``: Boulware actors (``beta < 1``)
    hold out until the deadline nears, conceders (``beta > 1``) drop to their floor early.
"""

from __future__ import annotations

import numpy as np

from negosim.engine.compiled import PackageSpace

__all__ = [
    "acceptable_to_all",
    "aspiration",
    "concession_alpha",
    "effective_utility",
    "option_utility",
    "package_utility",
    "play_round",
    "strategic_floors",
    "zone_of_agreement",
]

TOLERANCE = 1e-9


def option_utility(
    values: np.ndarray,
    ideal: np.ndarray,
    choice: np.ndarray | None,
    explicit: np.ndarray,
    risk: np.ndarray,
) -> np.ndarray:
    """Utility of each option of one issue, shape ``(R, A, K)``.

    Parameters
    ----------
    values
        ``(K,)`` option values on 0-100.
    ideal
        ``(R, A)`` ideal points on 0-100 (ignored for unordered issues).
    choice
        ``(R, A)`` preferred option index for unordered issues, else None.
    explicit
        ``(R, A, K)`` utilities given by the scenario, NaN where not given.
    risk
        ``(R, A)`` risk attitudes in [-1, 1].
    """
    if choice is None:
        base = 1.0 - np.abs(values[None, None, :] - ideal[:, :, None]) / 100.0
    else:
        base = (np.arange(len(values))[None, None, :] == choice[:, :, None]).astype(float)
    u = np.where(np.isnan(explicit), base, explicit)
    return np.clip(u, 0.0, 1.0) ** (2.0 ** risk[:, :, None])


def package_utility(
    package: PackageSpace, utilities: list[np.ndarray], salience: np.ndarray
) -> np.ndarray:
    """Salience-weighted utility of every combination of a package, shape ``(R, A, C)``.

    Combinations are the Cartesian product of the issues' options in row-major order, so the sum
    is built by broadcasting each issue's weighted utilities over the product grid (no gathers).
    """
    issues = list(package.issues)
    w = salience[:, :, issues]
    total = w.sum(axis=2, keepdims=True)
    n = len(issues)
    w = np.where(total > 0, w / np.where(total > 0, total, 1.0), 1.0 / n)
    R, A = salience.shape[:2]
    sizes = [utilities[i].shape[2] for i in issues]
    out = np.zeros((R, A, *sizes))
    for j, i in enumerate(issues):
        shape = [R, A] + [1] * n
        shape[2 + j] = sizes[j]
        out += (w[:, :, j, None] * utilities[i]).reshape(shape)
    return out.reshape(R, A, -1)


def effective_utility(
    package: PackageSpace,
    utility: np.ndarray,
    reservation: np.ndarray,
    ratify_probability: np.ndarray,
) -> np.ndarray:
    """Utility as the negotiators weigh it: anticipated ratification, red lines, and the no-deal
    combination removed from the table.  ``ratify_probability`` is ``(R,)``."""
    p = np.where(package.needs_ratification[None, :], ratify_probability[:, None], 1.0)
    weighed = p[:, None, :] * utility + (1.0 - p[:, None, :]) * reservation[:, :, None]
    weighed = np.where(package.allowed[None, :, :], weighed, -np.inf)
    weighed[:, :, package.no_deal] = -np.inf
    return weighed


def acceptable_to_all(u_eff: np.ndarray, level: np.ndarray) -> np.ndarray:
    """``(R, C)`` True where every actor's utility is at least its ``level`` (within tolerance).

    A chain of per-actor comparisons: cheaper than a reduction over a temporary 3-D array.
    """
    accepted: np.ndarray = u_eff[:, 0, :] >= level[:, 0, None] - TOLERANCE
    for a in range(1, u_eff.shape[1]):
        accepted &= u_eff[:, a, :] >= level[:, a, None] - TOLERANCE
    return accepted


def zone_of_agreement(u_eff: np.ndarray, reservation: np.ndarray) -> np.ndarray:
    """``(R,)`` True where some package is at least as good as every actor's fallback."""
    return np.any(acceptable_to_all(u_eff, reservation), axis=1)


def strategic_floors(
    u_eff: np.ndarray, reservation: np.ndarray, patience: np.ndarray, recognition: np.ndarray
) -> np.ndarray:
    """Backward induction of the remaining rounds; returns floors of shape ``(T, R, A)``.

    ``recognition`` is ``(T, R, A)``: the probability that each actor proposes at each round.
    """
    T, R, A = recognition.shape
    floors = np.empty((T, R, A))
    value = reservation.copy()
    rows = np.arange(R)
    for t in range(T - 1, -1, -1):
        floor = np.maximum(reservation, patience * value)
        floors[t] = floor
        acceptable = acceptable_to_all(u_eff, floor)  # (R, C)
        feasible: np.ndarray = np.any(acceptable, axis=1)
        payoff = np.zeros((R, A))
        for p in range(A):
            weight = recognition[t, :, p]
            if not weight.any():
                continue
            own = np.where(acceptable, u_eff[:, p, :], -np.inf)
            best = own.argmax(axis=1)
            chosen = u_eff[rows, :, best]  # (R, A)
            payoff += weight[:, None] * np.where(feasible[:, None], chosen, floor)
        value = payoff
    return floors


def concession_alpha(beta: np.ndarray, n_rounds: int) -> np.ndarray:
    """Faratin et al.'s ``alpha(t) = ((t + 1) / T) ** (1 / beta)`` for rounds ``t = 0..T-1``.

    Shape ``(T, A)``.  The first round already counts as a step, and in the last round before the
    deadline (``t = T - 1``) every actor is down to its floor.
    """
    t = (np.arange(n_rounds, dtype=float)[:, None] + 1.0) / max(1, n_rounds)
    return np.clip(t, 0.0, 1.0) ** (1.0 / beta[None, :])


def aspiration(u_eff: np.ndarray, floor: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``(R, A)`` aspiration: from the best attainable package down to the floor."""
    best = u_eff.max(axis=2)
    best = np.where(np.isfinite(best), best, floor)
    return floor + (1.0 - alpha[None, :]) * np.maximum(best - floor, 0.0)


def play_round(
    u_eff: np.ndarray, level: np.ndarray, proposer: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One round: the proposer offers its best package that everyone's ``level`` accepts.

    Returns ``(agreed, proposal)``: ``agreed`` is ``(R,)``; ``proposal`` is the package offered,
    or the proposer's own best package (rejected) where nothing acceptable exists.
    """
    rows = np.arange(u_eff.shape[0])
    acceptable = acceptable_to_all(u_eff, level)
    own = u_eff[rows, proposer, :]
    offer = np.where(acceptable, own, -np.inf).argmax(axis=1)
    agreed: np.ndarray = np.any(acceptable, axis=1)
    return agreed, np.where(agreed, offer, own.argmax(axis=1))
