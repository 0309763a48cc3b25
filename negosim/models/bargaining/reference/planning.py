"""Plans, screening offers and answers under private information, for one replicate, with loops.

A *group* is what someone considers possible about one actor on one package: its true type alone
(known to the actor itself, and to everyone under complete information) or the particles of a
belief, each with a weight.  ``mind[a][i]`` is the group actor ``a`` uses for actor ``i`` (its own
true type for ``a == i``).  The rules, as the engine states them (``docs/engine.md``):

- a type *accepts* a combination worth at least its level, within ``TOLERANCE``; in the plan the
  level is its value of continuing, ``floor(t) = max(reservation, patience * V(t + 1))``;
- a proposer's *screening offer* maximises ``A(x) u(x) + (1 - A(x)) fallback``, where ``A(x)`` is
  the chance, under its beliefs, that every other actor accepts ``x`` (the product over the
  others of the weight of their accepting types); it offers only what it accepts itself and
  what has a chance (``A(x) > 0``); where ``A(x) = 1`` the value is ``u(x)`` itself;
- ``V(t)`` weighs, by the chance that each actor proposes in round ``t``, the type's own offer's
  value and, when another actor proposes, the expectation over that actor's types of what the
  type gets: the offer if it and every third actor accept it, else its floor.

Weights stay fixed over a plan.  Sums run in the order the engine's run (types, then actors, in
file order), so that the same numbers come out.
"""

from __future__ import annotations

from dataclasses import dataclass

from negosim.models.bargaining.reference.inputs import TOLERANCE, np_maximum

__all__ = ["Group", "Offer", "accept_chance", "offer", "plan", "together"]


@dataclass
class Group:
    """The types one observer (or everyone) considers for one actor, on one package."""

    owner: int  # the actor whose types these are
    u: list[list[float]]  # [type][combination on the table] effective utility
    reservation: list[float]  # [type]
    patience: list[float]  # [type]
    best: list[float]  # [type] best attainable utility
    known: bool  # one type, the truth, of weight 1


@dataclass(frozen=True)
class Offer:
    """One type's screening offer: ``choice`` indexes the table; ``value`` is its expected
    utility (the fallback where nothing is ``feasible``)."""

    choice: int
    feasible: bool
    value: float


def accept_chance(group: Group, weights: list[float], level: list[float]) -> list[float]:
    """Per combination on the table, the weight of the group's types that accept it at their
    ``level``: exactly 1.0 or 0.0 for a known type."""
    J = len(group.u[0]) if group.u else 0
    chances = []
    for x in range(J):
        if group.known:
            chances.append(1.0 if group.u[0][x] >= level[0] - TOLERANCE else 0.0)
            continue
        chance = 0.0
        for p, w in enumerate(weights):
            if group.u[p][x] >= level[p] - TOLERANCE:
                chance += w
        chances.append(chance)
    return chances


def together(
    chances: list[list[float]], beliefs: list[int], owner: int, skip: int = -1
) -> list[float] | None:
    """The chance that every actor but ``owner`` (and ``skip``) accepts each combination, under
    ``beliefs`` (``mind[owner]``); None when nobody else is left."""
    joint: list[float] | None = None
    for i, g in enumerate(beliefs):
        if i == owner or i == skip:
            continue
        if joint is None:
            joint = list(chances[g])
        else:
            joint = [a * b for a, b in zip(joint, chances[g], strict=True)]
    return joint


def offer(u: list[float], joint: list[float], level: float, fallback: float) -> Offer:
    """One type's screening offer, given its utilities ``u`` of the table, the chance ``joint``
    that the others accept each combination, what it accepts itself (``level``) and what it
    gets if the offer is rejected (``fallback``).  Ties go to the first combination."""
    best, choice = -float("inf"), -1
    for x, (ux, a) in enumerate(zip(u, joint, strict=True)):
        if ux < level - TOLERANCE or a <= 0.0:
            continue
        expected = ux if a >= 1.0 else a * ux + (1.0 - a) * fallback
        if choice < 0 or expected > best:
            best, choice = expected, x
    if choice < 0:
        return Offer(choice=0, feasible=False, value=fallback)
    return Offer(choice=choice, feasible=True, value=best)


def _received(
    u: list[float],
    floor: float,
    proposer_weights: list[float],
    proposer_offers: list[Offer],
    third: list[float] | None,
) -> float:
    """What a type with utilities ``u`` and floor ``floor`` expects when another actor, whose
    types make ``proposer_offers`` with ``proposer_weights``, proposes."""
    if not u:
        return floor
    payoff = 0.0
    for w, made in zip(proposer_weights, proposer_offers, strict=True):
        ux = u[made.choice]
        yes = made.feasible and ux >= floor - TOLERANCE
        if third is None:
            pay = ux if yes else floor
        else:
            chance = third[made.choice]
            if yes and chance >= 1.0:
                pay = ux
            else:
                pay = floor + (chance * (ux - floor) if yes else 0.0)
        payoff += w * pay
    return payoff


def plan(
    groups: list[Group],
    weights: list[list[float]],
    mind: list[list[int]],
    recognition: list[list[float]],
) -> list[list[list[float]]]:
    """Backward induction over the remaining rounds: ``floors[g][t][p]``, the value of
    continuing of type ``p`` of group ``g`` in the ``t``-th remaining round.

    ``recognition[t][m]`` is the chance that actor ``m`` proposes in that round.
    """
    T, A = len(recognition), len(mind)
    floors: list[list[list[float]]] = [[[] for _ in range(T)] for _ in groups]
    value = [list(g.reservation) for g in groups]
    for t in range(T - 1, -1, -1):
        floor = [
            [
                np_maximum(r, d * v)
                for r, d, v in zip(g.reservation, g.patience, value[n], strict=True)
            ]
            for n, g in enumerate(groups)
        ]
        for n in range(len(groups)):
            floors[n][t] = floor[n]
        chances = [accept_chance(g, weights[n], floor[n]) for n, g in enumerate(groups)]
        made = []  # every type's screening offer, under its owner's beliefs
        for n, g in enumerate(groups):
            joint = together(chances, mind[g.owner], g.owner)
            assert joint is not None, "bargaining needs two actors"
            made.append([offer(u, joint, f, f) for u, f in zip(g.u, floor[n], strict=True)])
        for n, g in enumerate(groups):
            j = g.owner
            new = []
            for p in range(len(g.reservation)):
                payoff = 0.0
                for m in range(A):
                    weight = recognition[t][m]
                    if weight == 0.0:
                        continue
                    if m == j:
                        received = made[n][p].value
                    else:
                        q = mind[j][m]
                        third = together(chances, mind[j], j, skip=m)
                        received = _received(g.u[p], floor[n][p], weights[q], made[q], third)
                    payoff += weight * received
                new.append(payoff)
            value[n] = new
    return floors
