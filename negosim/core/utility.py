"""What packages are worth to each actor: utilities shared by every decision model.

Utilities
    Each actor's utility for an option is ``1 - |value - ideal| / 100`` on ordered issues (1 for its
    own option on unordered ones) unless the scenario gives explicit utilities; a risk attitude
    ``rho`` bends it to ``u ** 2**rho`` (convex, risk-acceptant, for ``rho > 0``).  A package's
    utility is the salience-weighted mean over its issues.  An option that needs ratification is
    valued at ``P * U + (1 - P) * reservation`` where ``P`` is the chance every body ratifies
    (Putnam's two-level game: negotiators anticipate the vote).  Options outside a red line are
    worth ``-inf``: never proposed, never accepted.

Arrays follow the table of axes in ``docs/engine.md``.
"""

from __future__ import annotations

import numpy as np

from negosim.core.compiled import PackageSpace

__all__ = [
    "combination_utility",
    "effective_utility",
    "issue_weights",
    "option_utility",
    "package_utility",
]


def option_utility(
    values: np.ndarray,
    ideal: np.ndarray,
    choice: np.ndarray | None,
    explicit: np.ndarray,
    risk: np.ndarray,
) -> np.ndarray:
    """Utility of each option of one issue, shape ``(R, A, N)`` (``N`` options).

    Parameters
    ----------
    values
        ``(N,)`` option values on 0-100.
    ideal
        ``(R, A)`` ideal points on 0-100 (ignored for unordered issues).
    choice
        ``(R, A)`` preferred option index for unordered issues, else None.
    explicit
        ``(R, A, N)`` utilities given by the scenario, NaN where not given.
    risk
        ``(R, A)`` risk attitudes in [-1, 1].
    """
    # Computed option-major, (N, R, A), so that every operation runs over long inner loops
    # (an (R, A, N) layout with N = 2 or 3 options makes NumPy loop over tiny rows); returned as
    # an (R, A, N) view of that memory.
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


def issue_weights(package: PackageSpace, salience: np.ndarray) -> np.ndarray:
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
    w = issue_weights(package, salience)
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
    actors: list[int] | None = None,
) -> np.ndarray:
    """Utility as the negotiators weigh it: anticipated ratification, red lines, and the no-deal
    combination removed from the table.  ``ratify_probability`` is ``(R,)``.

    An option that needs ratification is worth ``P * U + (1 - P) * reservation``; the others are
    worth ``U`` (the same formula with ``P = 1``, computed only where it changes anything).  With
    ``in_place`` the result overwrites ``utility`` (which saves a copy of the largest array).
    ``actors`` names the actor of each row of the actor axis when it is not every actor in
    order (the particles of one actor's types, :mod:`negosim.models.bargaining.beliefs`).
    """
    weighed = utility if in_place else utility.copy(order="K")  # keep the layout
    ratified = np.flatnonzero(package.needs_ratification)
    if ratified.size:
        p = ratify_probability[:, None, None]
        weighed[:, :, ratified] = p * utility[:, :, ratified] + (1.0 - p) * reservation[:, :, None]
    for row, a in enumerate(range(utility.shape[1]) if actors is None else actors):
        excluded = np.flatnonzero(~package.allowed[a])
        if excluded.size:
            weighed[:, row, excluded] = -np.inf
    weighed[:, :, package.no_deal] = -np.inf
    return weighed


def combination_utility(
    package: PackageSpace, utilities: list[np.ndarray], salience: np.ndarray, combo: np.ndarray
) -> np.ndarray:
    """``(R, A)`` utility of one combination per replicate (``combo`` is ``(R,)``), exactly as
    :func:`package_utility` computes it for that combination (same terms, same order)."""
    issues = list(package.issues)
    w = issue_weights(package, salience)
    rows = np.arange(salience.shape[0])
    out: np.ndarray | None = None
    for j, i in enumerate(issues):
        term = w[:, :, j] * utilities[i][rows, :, package.combos[combo, j]]
        out = term if out is None else out + term
    assert out is not None
    return out
