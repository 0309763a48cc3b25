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

The table
    Only combinations inside every red line (``PackageSpace.on_table``) can ever be agreed, and
    between two valuations only those that some replicate of the block values at least at every
    fallback (floors and aspirations never fall below it).  Rounds and floors work on that table,
    held ``(A, J, R)``, with the per-actor state ``(A, R)``: replicates are the innermost axis,
    so NumPy loops run long whatever the number of actors or combinations.
"""

from __future__ import annotations

import numpy as np

from negosim.engine.compiled import PackageSpace

__all__ = [
    "acceptable_to_all",
    "aspiration",
    "combination_utility",
    "concession_alpha",
    "effective_utility",
    "first_max",
    "option_utility",
    "package_utility",
    "play_round",
    "strategic_floors",
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
    # Computed option-major, (K, R, A), so that every operation runs over long inner loops
    # (an (R, A, K) layout with K = 2 or 3 options makes NumPy loop over tiny rows); returned as
    # an (R, A, K) view of that memory.
    if choice is None:
        base = 1.0 - np.abs(values[:, None, None] - ideal[None, :, :]) / 100.0
    else:
        base = (np.arange(len(values))[:, None, None] == choice[None, :, :]).astype(float)
    given = explicit.transpose(2, 0, 1)
    u = np.where(np.isnan(given), base, given)
    np.clip(u, 0.0, 1.0, out=u)
    exponent = 2.0**risk
    for a in np.flatnonzero((exponent != 1.0).any(axis=0)):  # u ** 1 is u: skip the neutral
        u[:, :, a] **= exponent[None, :, a]
    return u.transpose(1, 2, 0)


def _issue_weights(package: PackageSpace, salience: np.ndarray) -> np.ndarray:
    """``(R, A, n)`` each actor's weights over the package's issues: its saliences normalised to
    sum to 1 (equal weights for an actor that cares about none of them)."""
    w = salience[:, :, list(package.issues)]
    total = w.sum(axis=2, keepdims=True)
    weights: np.ndarray = np.where(total > 0, w / np.where(total > 0, total, 1.0), 1.0 / w.shape[2])
    return weights


def package_utility(
    package: PackageSpace, utilities: list[np.ndarray], salience: np.ndarray
) -> np.ndarray:
    """Salience-weighted utility of every combination of a package, shape ``(R, A, C)``.

    Combinations are the Cartesian product of the issues' options in row-major order, so the sum
    is built by broadcasting, one issue at a time, over a grid that grows by that issue's options
    (no gathers; the terms are added in issue order).
    """
    issues = list(package.issues)
    w = _issue_weights(package, salience)
    R, A = salience.shape[:2]
    n = len(issues)

    def term(j: int) -> np.ndarray:  # (K_j, R, A): options first, so the inner loops are long
        return w[None, :, :, j] * utilities[issues[j]].transpose(2, 0, 1)

    grid = term(0)  # (size of the grid so far, R, A)
    for j in range(1, n):
        grid = (grid[:, None] + term(j)[None, :]).reshape(-1, R, A)
    # A view: shape (R, A, C), laid out combination-major, which suits what is done with it
    # (gathers of combinations, maxima over them).
    return grid.transpose(1, 2, 0)


def effective_utility(
    package: PackageSpace,
    utility: np.ndarray,
    reservation: np.ndarray,
    ratify_probability: np.ndarray,
    *,
    in_place: bool = False,
) -> np.ndarray:
    """Utility as the negotiators weigh it: anticipated ratification, red lines, and the no-deal
    combination removed from the table.  ``ratify_probability`` is ``(R,)``.

    An option that needs ratification is worth ``P * U + (1 - P) * reservation``; the others are
    worth ``U`` (the same formula with ``P = 1``, computed only where it changes anything).  With
    ``in_place`` the result overwrites ``utility`` (which saves a copy of the largest array).
    """
    weighed = utility if in_place else utility.copy(order="K")  # keep the layout
    ratified = np.flatnonzero(package.needs_ratification)
    if ratified.size:
        p = ratify_probability[:, None, None]
        weighed[:, :, ratified] = p * utility[:, :, ratified] + (1.0 - p) * reservation[:, :, None]
    for a in range(utility.shape[1]):
        excluded = np.flatnonzero(~package.allowed[a])
        if excluded.size:
            weighed[:, a, excluded] = -np.inf
    weighed[:, :, package.no_deal] = -np.inf
    return weighed


def combination_utility(
    package: PackageSpace, utilities: list[np.ndarray], salience: np.ndarray, combo: np.ndarray
) -> np.ndarray:
    """``(R, A)`` utility of one combination per replicate (``combo`` is ``(R,)``), exactly as
    :func:`package_utility` computes it for that combination (same terms, same order)."""
    issues = list(package.issues)
    w = _issue_weights(package, salience)
    rows = np.arange(salience.shape[0])
    out: np.ndarray | None = None
    for j, i in enumerate(issues):
        term = w[:, :, j] * utilities[i][rows, :, package.combos[combo, j]]
        out = term if out is None else out + term
    assert out is not None
    return out


def acceptable_to_all(u_table: np.ndarray, level: np.ndarray) -> np.ndarray:
    """``(J, R)`` True where every actor's utility is at least its ``level`` (within tolerance).

    ``u_table`` is ``(A, J, R)`` and ``level`` is ``(A, R)``: replicates are the innermost axis
    everywhere, so NumPy's inner loops are long whatever the number of combinations.  A chain of
    per-actor comparisons: cheaper than a reduction over a temporary 3-D array.
    """
    bar = level - TOLERANCE
    accepted: np.ndarray = u_table[0] >= bar[0]
    for a in range(1, u_table.shape[0]):
        accepted &= u_table[a] >= bar[a]
    return accepted


def first_max(values: np.ndarray) -> np.ndarray:
    """``np.argmax(values, axis=0)`` (the first maximum) for arrays without NaN, computed as the
    first position equal to the maximum: quicker when the first axis is the short one."""
    found: np.ndarray = (values == values.max(axis=0)).argmax(axis=0)
    return found


def strategic_floors(
    u_table: np.ndarray, reservation: np.ndarray, patience: np.ndarray, recognition: np.ndarray
) -> np.ndarray:
    """Backward induction of the remaining rounds; returns floors of shape ``(T, A, R)``.

    ``u_table`` is ``(A, J, R)``, the effective utilities of the combinations on the table
    (inside every red line, no-deal excluded; the others can never be agreed, so they cannot
    change a floor); ``reservation`` and ``patience`` are ``(A, R)``; ``recognition`` is
    ``(T, A, R)``, the probability that each actor proposes at each round.
    """
    T, A, R = recognition.shape
    J = u_table.shape[1]
    floors = np.empty((T, A, R))
    value = reservation.copy()
    # Flat index of u_table[a, 0, r] at [a, r]: adding R times a combination index gathers every
    # actor's utility of that combination (np.take on a flat index is the cheapest gather).
    base = np.arange(A)[:, None] * (J * R) + np.arange(R)[None, :]
    for t in range(T - 1, -1, -1):
        floor = np.maximum(reservation, patience * value)
        floors[t] = floor
        payoff = np.zeros((A, R))
        if J == 0:  # nothing can be agreed: whoever proposes, each actor keeps its floor
            for p in range(A):
                payoff += recognition[t, p][None, :] * floor
            value = payoff
            continue
        acceptable = acceptable_to_all(u_table, floor)  # (J, R)
        feasible = np.any(acceptable, axis=0)[None, :]
        for p in range(A):
            weight = recognition[t, p]
            if not weight.any():
                continue
            best = first_max(np.where(acceptable, u_table[p], -np.inf))
            chosen = np.take(u_table, base + best[None, :] * R)  # (A, R)
            payoff += weight[None, :] * np.where(feasible, chosen, floor)
        value = payoff
    return floors


def concession_alpha(beta: np.ndarray, n_rounds: int) -> np.ndarray:
    """Faratin et al.'s ``alpha(t) = ((t + 1) / T) ** (1 / beta)`` for rounds ``t = 0..T-1``.

    Shape ``(T, A)``.  The first round already counts as a step, and in the last round before the
    deadline (``t = T - 1``) every actor is down to its floor.
    """
    t = (np.arange(n_rounds, dtype=float)[:, None] + 1.0) / max(1, n_rounds)
    return np.clip(t, 0.0, 1.0) ** (1.0 / beta[None, :])


def aspiration(best: np.ndarray, floor: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``(A, R)`` aspiration: from ``best``, each actor's best attainable package (the maximum of
    its effective utilities; ``-inf`` when none is inside its red lines), down to the floor.
    ``best`` and ``floor`` are ``(A, R)``; ``alpha`` is ``(A,)``."""
    best = np.where(np.isfinite(best), best, floor)
    return floor + (1.0 - alpha[:, None]) * np.maximum(best - floor, 0.0)


def play_round(
    u_table: np.ndarray, table: np.ndarray, level: np.ndarray, proposer: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One round: the proposer offers its best package that everyone's ``level`` accepts.

    ``u_table`` is ``(A, J, R)`` over the combinations ``table`` (indices into the package's
    combinations) that could be agreed; ``level`` is ``(A, R)``.  Returns ``(agreed, offer)``,
    both ``(R,)``; ``offer`` is meaningful only where ``agreed`` (elsewhere the proposer has
    nothing everyone accepts and puts forward its own favourite, which the model looks up when it
    tells the story).
    """
    _, J, R = u_table.shape
    if J == 0:
        return np.zeros(R, dtype=bool), np.zeros(R, dtype=np.int64)
    acceptable = acceptable_to_all(u_table, level)
    rows = np.arange(R)
    own = np.take(u_table, proposer[None, :] * (J * R) + np.arange(J)[:, None] * R + rows)
    offer = table[first_max(np.where(acceptable, own, -np.inf))]
    agreed: np.ndarray = np.any(acceptable, axis=0)
    return agreed, offer
