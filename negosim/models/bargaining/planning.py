"""Continuation values and screening offers under private information, as array kernels.

Every actor has a private *type* (its own sampled numbers: saliences, utilities of options, risk,
patience, fallback value, ratification chance).  What an observer believes about another actor is
a *group* of types: the truth itself (one type, under complete information) or ``P`` particles
with weights (the observer's belief, :mod:`negosim.core.particles`).  A group holds, for one
package and one valuation, each of its types' effective utilities of the combinations on the table
``u`` ``(P, J, R)``, its reservation value, patience and best attainable utility ``(P, R)``.
``mind[a][i]`` names the group actor ``a`` uses for actor ``i`` (its own group for ``a == i``).

The rules (``docs/engine.md`` has the derivation and the sources):

Responders
    A type accepts a combination when it is worth at least its *value of continuing*
    ``c(t) = max(reservation, delta * V(t + 1))`` (or, for an actor with a declared concession
    style, at least its aspiration above that value).  After the last round only the fallback
    remains, so ``c(T - 1)`` is the reservation value.
Proposers
    A proposer offers the combination that maximises its expected utility under its beliefs,
    ``A(x) * u(x) + (1 - A(x)) * c(t)``, where ``A(x)`` is the chance that every other actor
    accepts ``x`` (the product over the others of the weight of their types that accept it): the
    screening trade-off between the chance of acceptance and the surplus kept (Fudenberg &
    Tirole 1983; Sobel & Takahashi 1983).  Only combinations it would itself accept, with
    ``A(x) > 0``, are offered.
Values
    ``V(t)`` is the recognition-weighted payoff of round ``t``: its own screening offer's value
    when the type proposes, and when another actor proposes, the expectation over that actor's
    types (under the type's beliefs) of the offer's utility where the type accepts it and every
    third actor does (with the chance its beliefs give), else ``c(t)``.  Beliefs are held fixed
    over the plan (actors do not anticipate their own learning); a new plan is made at every
    valuation.  With every group a single known type this is the subgame-perfect backward
    induction of :func:`~negosim.models.bargaining.rules.strategic_floors`, bit for bit
    (``tests/models/bargaining/test_planning.py``).

Shapes follow the table of axes in ``docs/engine.md``: replicates always last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from negosim.models.bargaining.rules import TOLERANCE

__all__ = [
    "Group",
    "accept_chance",
    "acceptance",
    "offers",
    "plan",
    "responder_payoff",
    "some_type_accepts",
    "together",
]


@dataclass
class Group:
    """The types one observer (or everyone) considers for one actor, on one package.

    ``weights`` is ``(P, R)``; under complete information a group is one type of weight 1.
    """

    owner: int  # the actor whose types these are
    u: np.ndarray  # (P, J, R) effective utility of the combinations on the table
    reservation: np.ndarray  # (P, R)
    patience: np.ndarray  # (P, R)
    best: np.ndarray  # (P, R) best attainable utility (-inf: nothing inside its red lines)
    known: bool = False  # one type, the truth, of weight 1

    @property
    def size(self) -> int:
        return int(self.u.shape[0])


def acceptance(group: Group, level: np.ndarray) -> np.ndarray:
    """``(P, J, R)`` True where each type accepts each combination at ``level`` ``(P, R)``."""
    accepted: np.ndarray = group.u >= (level - TOLERANCE)[:, None, :]
    return accepted


def accept_chance(
    group: Group, weights: np.ndarray, level: np.ndarray, mask: np.ndarray | None = None
) -> np.ndarray:
    """``(J, R)`` the weight of the group's types that accept each combination at ``level``
    (``mask``: their answers, :func:`acceptance`, if already computed).

    For a known group this is exactly 1.0 or 0.0, so that products of such chances are the
    complete-information answers.
    """
    if mask is None:
        mask = acceptance(group, level)
    if group.known:
        return mask[0].astype(float)
    chance: np.ndarray = weights[0][None, :] * mask[0]
    for p in range(1, group.size):
        chance += weights[p][None, :] * mask[p]
    return chance


def offers(
    group: Group,
    together: np.ndarray,
    level: np.ndarray,
    fallback: np.ndarray,
    mask: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each type's screening offer: ``(choice, feasible, value)``, each ``(P, R)``.

    ``together`` ``(J, R)`` is the chance that every other actor accepts each combination (the
    proposer's beliefs); ``level`` ``(P, R)`` is what each type accepts itself (``mask``: its
    answers at that level, if already computed), ``fallback`` ``(P, R)`` what it gets when the
    offer is rejected.  ``value`` is the offer's expected utility where ``feasible`` (some
    combination it accepts has a chance), else ``fallback``.  Ties go to the first combination.
    """
    P, J, R = group.u.shape
    if J == 0:
        empty = np.zeros((P, R), dtype=np.int64)
        return empty, np.zeros((P, R), dtype=bool), fallback.copy()
    if mask is None:
        mask = acceptance(group, level)
    # A * u + (1 - A) * fallback: where A is 1 this is u exactly and where A is 0 the fallback
    # exactly (utilities on the table and fallbacks are finite), so complete information keeps
    # the arithmetic of the full-information rule.
    expected = group.u * together[None]
    rest = 1.0 - together
    for p in range(P):  # (J, R) at a time: no temporary the size of the whole group
        expected[p] += rest * fallback[p][None, :]
    valid = mask & (together > 0.0)[None]
    np.copyto(expected, -np.inf, where=~valid)
    best = expected.max(axis=1)  # (P, R)
    choice = (expected == best[:, None, :]).argmax(axis=1)  # the first maximum
    feasible = np.asarray(valid.any(axis=1))
    value = np.where(feasible, best, fallback)
    return choice, feasible, value


def responder_payoff(
    group: Group,
    floor: np.ndarray,
    proposer_weights: np.ndarray,
    proposer_choice: np.ndarray,
    proposer_feasible: np.ndarray,
    third_parties: np.ndarray | None,
) -> np.ndarray:
    """``(P, R)`` what each type expects when another actor proposes.

    The proposer's types (``proposer_*``, ``(Q, R)``, under this type's beliefs) each offer one
    combination; this type gets its utility of the offer where it accepts it (at ``floor``) and
    every third actor does, which happens with chance
    ``third_parties`` ``(J, R)`` (None: there is nobody else), and ``floor`` otherwise.
    """
    _, J, R = group.u.shape
    if J == 0:
        return floor.copy()
    assert group.u.flags.c_contiguous
    P = group.size
    x = proposer_choice  # (Q, R)
    # Flat indices of [p, x[q, r], r]: one take gathers every type's utility of every offer.
    offset = x * R + np.arange(R)[None, :]  # (Q, R), the index of [x, r] in a (J, R) array
    flat = offset[None] if P == 1 else np.arange(P)[:, None, None] * (J * R) + offset[None]
    ux = np.take(group.u, flat)  # (P, Q, R)
    low = floor[:, None, :]
    # The type's answer (the comparison of :func:`acceptance` at the same floor).
    yes = (ux >= low - TOLERANCE) & proposer_feasible[None]
    if third_parties is None:
        pay = np.where(yes, ux, low)
    else:
        chance = np.take(third_parties, offset)[None]  # (1, Q, R)
        pay = np.where(yes & (chance >= 1.0), ux, low + np.where(yes, chance * (ux - low), 0.0))
    # Summed over the proposer's types in order (a single known type: the payoff itself).
    payoff: np.ndarray = proposer_weights[0][None, :] * pay[:, 0]
    for q in range(1, x.shape[0]):
        payoff += proposer_weights[q][None, :] * pay[:, q]
    return payoff


def plan(
    groups: Sequence[Group],
    weights: Sequence[np.ndarray],
    mind: Sequence[Sequence[int]],
    recognition: np.ndarray,
) -> list[np.ndarray]:
    """Backward induction of the remaining rounds for every group; floors ``(T, P, R)`` each.

    ``weights[g]`` is group ``g``'s ``(P, R)`` weights (held fixed over the plan); ``mind[a][i]``
    the group actor ``a`` uses for actor ``i``; ``recognition`` ``(T, A, R)`` the chance that
    each actor proposes in each remaining round.  The floor of a type in round ``t`` is its
    value of continuing, ``max(reservation, patience * V[t + 1])``.
    """
    T, A, R = recognition.shape
    floors = [np.empty((T, g.size, R)) for g in groups]
    value = [g.reservation.copy() for g in groups]
    for t in range(T - 1, -1, -1):
        floor = [
            np.maximum(g.reservation, g.patience * v) for g, v in zip(groups, value, strict=True)
        ]
        for g in range(len(groups)):
            floors[g][t] = floor[g]
        masks = [acceptance(g, f) for g, f in zip(groups, floor, strict=True)]
        chance = [
            accept_chance(g, w, f, m)
            for g, w, f, m in zip(groups, weights, floor, masks, strict=True)
        ]
        # Every group's screening offer, given its owner's beliefs about the others.
        made = []
        for g, group in enumerate(groups):
            joint = together(chance, mind[group.owner], group.owner, skip=())
            assert joint is not None  # at least two actors sit at the table
            made.append(offers(group, joint, floor[g], floor[g], masks[g]))
        thirds: dict[tuple[int, int], np.ndarray | None] = {}  # per (responder, proposer)
        for g, group in enumerate(groups):
            j = group.owner
            payoff = np.zeros((group.size, R))
            for m in range(A):
                weight = recognition[t, m]
                if not weight.any():
                    continue
                if m == j:
                    received = made[g][2]
                else:
                    q = mind[j][m]
                    if (j, m) not in thirds:  # the same for the truth and the particles of j
                        thirds[j, m] = together(chance, mind[j], j, skip=(m,))
                    third = thirds[j, m]
                    received = responder_payoff(
                        group, floor[g], weights[q], made[q][0], made[q][1], third
                    )
                payoff += weight[None, :] * received
            value[g] = payoff
    return floors


def together(
    chance: Sequence[np.ndarray], beliefs: Sequence[int], owner: int, skip: tuple[int, ...] = ()
) -> np.ndarray | None:
    """The chance that every actor but ``owner`` (and ``skip``) accepts, under ``beliefs``."""
    out: np.ndarray | None = None
    for i, g in enumerate(beliefs):
        if i == owner or i in skip:
            continue
        out = chance[g].copy() if out is None else out * chance[g]
    return out


def some_type_accepts(groups: Sequence[Group], n_actors: int) -> np.ndarray:
    """Indices of the combinations that, in some replicate, every actor has some type (in any
    group) valuing at least at that type's reservation value."""
    ok: np.ndarray | None = None
    for a in range(n_actors):
        mine = np.zeros(groups[0].u.shape[1:], dtype=bool)  # (J, R)
        for group in groups:
            if group.owner == a:
                mine |= acceptance(group, group.reservation).any(axis=0)
        ok = mine if ok is None else ok & mine
    assert ok is not None
    kept: np.ndarray = np.flatnonzero(ok.any(axis=1))
    return kept
