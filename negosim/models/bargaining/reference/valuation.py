"""What a package is worth to one type of one actor, in one replicate, in plain Python.

The same arithmetic serves an actor's true type and every particle another actor holds about it:
only the private numbers differ (:class:`~negosim.models.bargaining.reference.inputs.
PrivateType`); the ideal points are the actor's public stance as it stands.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from negosim.core.compiled import Compiled
from negosim.models.bargaining.reference.inputs import PrivateType, np_clip, np_max

__all__ = ["Valuation", "option_utilities", "value_package"]


@dataclass(frozen=True)
class Valuation:
    """One type's valuation of one package."""

    u_eff: list[float]  # per combination: -inf outside its red lines and for no deal
    reservation: float  # what it keeps without a deal
    best: float  # its best attainable utility (-inf: nothing inside its red lines)


def option_utilities(
    c: Compiled, ideal: list[float], choice: list[int], kind: PrivateType
) -> list[list[float]]:
    """Utility of each option of each issue: explicit where the type gives one, else distance to
    the ideal point (ordered issues) or 1 for the preferred option (nominal ones), clipped to
    [0, 1] and bent by the risk attitude, ``u ** 2**risk``."""
    exponent = 2.0**kind.risk
    table = []
    for i, issue_id in enumerate(c.issue_ids):
        nominal = c.scenario.issues[issue_id].kind == "nominal"
        row = []
        for k, v in enumerate(c.option_values[i].tolist()):
            u = kind.explicit_utility[i][k]
            if u != u:  # not given
                if nominal:
                    u = 1.0 if k == choice[i] else 0.0
                else:
                    u = 1.0 - abs(v - ideal[i]) / 100.0
            row.append(np_clip(u, 0.0, 1.0) ** exponent)
        table.append(row)
    return table


def value_package(
    package: Any,
    actor: int,
    options: list[list[float]],
    kind: PrivateType,
    *,
    fallback_acts: bool,
    ratify: float,
) -> Valuation:
    """The type's utility of every combination of ``package`` as it negotiates it.

    A combination's utility is the salience-weighted mean of its options' utilities; one that
    needs ratification is worth ``ratify * u + (1 - ratify) * reservation`` (``ratify``: the
    chance that every body passes it, as the type sees it); combinations outside the actor's red
    lines and the no-deal combination are worth ``-inf``.
    """
    weights = [kind.salience[i] for i in package.issues]
    total = 0.0
    for w in weights:
        total += w
    n = len(weights)
    weights = [w / total if total > 0 else 1.0 / n for w in weights]
    utility = []
    for combo in package.combos:
        u = 0.0
        for j, i in enumerate(package.issues):
            u += weights[j] * options[i][combo[j]]
        utility.append(u)
    stated = kind.fallback_value if fallback_acts else math.nan
    reservation = utility[package.no_deal] if stated != stated else stated
    u_eff = []
    for c, u in enumerate(utility):
        if c == package.no_deal or not package.allowed[actor][c]:
            u_eff.append(-math.inf)
        elif package.needs_ratification[c]:
            u_eff.append(ratify * u + (1.0 - ratify) * reservation)
        else:
            u_eff.append(u)
    return Valuation(u_eff=u_eff, reservation=reservation, best=np_max(u_eff))
