"""The bargaining rules as pure array functions over a block of replicates.

Utilities are computed by :mod:`negosim.core.utility` (shared with the other models).

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
    between two valuations only those that some replicate of the block could still accept:
    under complete information, valued at least at every fallback; under private information,
    such that every actor has some type (its own or a particle) valuing it at least at that
    type's fallback (:func:`~negosim.models.bargaining.planning.some_type_accepts`).  Rounds and
    floors work on that table, held ``(A, J, R)``, with the per-actor state ``(A, R)``:
    replicates are the innermost axis, so NumPy loops run long whatever the number of actors or
    combinations.

Under private information the plan and the screening offers are
:mod:`negosim.models.bargaining.planning`; :func:`strategic_floors` is its complete-information
special case, kept as the oracle that ``tests/models/bargaining/test_planning.py`` checks the
plan against bit for bit.  Shapes follow the table of axes in ``docs/engine.md``: replicates
always last.
"""

from __future__ import annotations

import numpy as np

from negosim.core.compiled import Compiled

__all__ = [
    "TOLERANCE",
    "acceptable_to_all",
    "aspiration",
    "concession_alpha",
    "first_max",
    "strategic_floors",
    "valuation_rounds",
]

TOLERANCE = 1e-9


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


def aspiration(best: np.ndarray, floor: np.ndarray, alpha: float | np.ndarray) -> np.ndarray:
    """Aspiration: from ``best``, the best attainable package (the maximum of the actor's
    effective utilities; ``-inf`` when none is inside its red lines), down to the floor.

    ``best`` and ``floor`` have the same shape, replicates last: ``(R,)`` for one actor (as
    :meth:`~negosim.models.bargaining.agents.ActorAgent.aspiration` calls it) or ``(A, R)``;
    ``alpha``, the concession reached this round, is a number or ``(A, 1)``.
    """
    best = np.where(np.isfinite(best), best, floor)
    level: np.ndarray = floor + (1.0 - alpha) * np.maximum(best - floor, 0.0)
    return level


def valuation_rounds(compiled: Compiled) -> list[bool]:
    """Which rounds value the packages and make a new plan: the first, and every round by whose
    date an event is due or an official's authority begins or ends.

    The rule reads the calendar only, never what happened in one replicate, so a replicate's
    story does not depend on which others share its block (under private information a new
    plan uses what has been learnt, so when plans are made matters; under complete information
    it does not, and valuing in every round gives the same results).
    """
    c = compiled
    events = [c.scenario.events[e].date for e in c.event_ids]
    periods = [p for o in c.scenario.officials.values() for p in o.authority]
    due = []
    for t, day in enumerate(c.round_dates):
        before = c.round_dates[t - 1] if t > 0 else None
        if before is None:
            due.append(True)
            continue
        changed = any(before < d <= day for d in events) or any(
            p.contains(before) != p.contains(day) for p in periods
        )
        due.append(changed)
    return due
