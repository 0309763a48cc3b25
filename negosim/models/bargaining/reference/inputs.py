"""What one replicate of the reference reads: its inputs as plain Python numbers, and scalar
helpers that follow NumPy's semantics (NaN handling, ties broken at the first maximum), so that the
reference computes what the vectorised engine computes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from negosim.core.compiled import Compiled, option_index
from negosim.core.particles import Particles
from negosim.core.sampling import BlockParams
from negosim.errors import UsageError

__all__ = [
    "INFORMATION",
    "PROTOCOLS",
    "TOLERANCE",
    "Belief",
    "PrivateType",
    "ReplicateInputs",
    "np_argmax",
    "np_clip",
    "np_max",
    "np_maximum",
    "position_of",
    "replicate_inputs",
]

TOLERANCE = 1e-9
PROTOCOLS = ("capability", "alternating")
INFORMATION = ("private", "complete")


# -- scalar helpers with numpy's semantics -------------------------------------------------------


def np_clip(x: float, low: float, high: float) -> float:
    """``np.clip`` for one float (NaN stays NaN)."""
    if x != x:
        return x
    return low if x < low else high if x > high else x


def np_maximum(x: float, y: float) -> float:
    """``np.maximum`` of two floats (NaN propagates)."""
    if x != x or y != y:
        return x if x != x else y
    return x if x >= y else y


def np_max(xs: list[float]) -> float:
    """``np.max`` of a non-empty list (NaN propagates)."""
    best = -math.inf
    for x in xs:
        if x != x:
            return x
        if x > best:
            best = x
    return best


def np_argmax(xs: list[float]) -> int:
    """``np.argmax``: index of the first maximum (the first NaN, if any)."""
    best = 0
    for i, x in enumerate(xs):
        if x != x:
            return i
        if x > xs[best]:
            best = i
    return best


# -- one replicate's inputs ----------------------------------------------------------------------


@dataclass(frozen=True)
class PrivateType:
    """An actor's private numbers, known only to itself: its true type or one particle (one
    type another actor thinks it might have)."""

    salience: list[float]  # per issue
    explicit_utility: list[list[float]]  # [issue][option], NaN where not given
    patience: float
    risk: float
    fallback_value: float  # NaN: computed from the no-deal outcomes
    pass_probability: float  # the chance its own ratifying body passes a treaty (1: none)


@dataclass(frozen=True)
class Belief:
    """What one holder (``None``: every actor without a declared belief) believes about one
    target in one replicate: equally weighted particles, each a possible type of the target."""

    target: int
    holder: int | None
    particles: list[PrivateType]


@dataclass(frozen=True)
class ReplicateInputs:
    """Replicate ``r`` of a :class:`BlockParams`, as plain Python numbers.

    Lists are indexed like the compiled scenario: actors, issues, options, officials and events in
    file (events: date) order.
    """

    capability: list[float]
    salience: list[list[float]]  # [actor][issue]
    explicit_utility: list[list[list[float]]]  # [issue][actor][option], NaN where not given
    patience: list[float]
    risk: list[float]
    fallback_value: list[float]  # NaN: computed from the no-deal outcomes
    pass_probability: list[float]
    ratifies: list[bool]
    influence: list[float]  # per official
    happens: list[bool]  # per event
    outcome: list[int]  # per event, -1 where none
    effects: list[tuple[int, int, Any, float | None]]  # (event, outcome, effect, sampled number)
    proposer_draw: list[float]  # per round
    beliefs: list[Belief]  # common priors, then declared beliefs (empty: complete information)

    def true_type(self, actor: int, salience: list[float]) -> PrivateType:
        """The actor's own type, with its saliences as events have left them."""
        return PrivateType(
            salience=salience,
            explicit_utility=[issue[actor] for issue in self.explicit_utility],
            patience=self.patience[actor],
            risk=self.risk[actor],
            fallback_value=self.fallback_value[actor],
            pass_probability=self.pass_probability[actor],
        )


def replicate_inputs(
    params: BlockParams, r: int, particles: list[Particles] | None = None
) -> ReplicateInputs:
    """Slice replicate ``r`` out of a block's sampled inputs (and out of its particles, drawn by
    :func:`~negosim.core.particles.sample_particles`, under private information)."""
    if not 0 <= r < params.n:
        raise UsageError(f"replicate must be in [0, {params.n}) (got {r})")
    beliefs = []
    for held in particles or []:
        types = []
        for p in range(held.p):
            types.append(
                PrivateType(
                    salience=held.salience[r, p].tolist(),
                    explicit_utility=[u[r, p].tolist() for u in held.explicit_utility],
                    patience=float(held.patience[r, p]),
                    risk=float(held.risk[r, p]),
                    fallback_value=float(held.fallback_value[r, p]),
                    pass_probability=float(held.pass_probability[r, p]),
                )
            )
        beliefs.append(Belief(target=held.target, holder=held.holder, particles=types))
    return ReplicateInputs(
        capability=params.capability[r].tolist(),
        salience=params.salience[r].tolist(),
        explicit_utility=[u[r].tolist() for u in params.explicit_utility],
        patience=params.patience[r].tolist(),
        risk=params.risk[r].tolist(),
        fallback_value=params.fallback_value[r].tolist(),
        pass_probability=params.pass_probability[r].tolist(),
        ratifies=params.ratifies[r].tolist(),
        influence=params.influence[r].tolist(),
        happens=params.happens[r].tolist(),
        outcome=params.outcome[r].tolist(),
        effects=[
            (d.event, d.outcome, d.effect, None if d.values is None else float(d.values[r]))
            for d in params.effects
        ],
        proposer_draw=params.proposer_draw[r].tolist(),
        beliefs=beliefs,
    )


def position_of(c: Compiled, issue: int, position: Any) -> tuple[float, int]:
    """``(value, choice)`` of a stated position; choice is -1 except on nominal issues."""
    spec = c.scenario.issues[c.issue_ids[issue]]
    k = option_index(spec, c.option_ids[issue], c.option_values[issue], position)
    return float(c.option_values[issue][k]), (k if spec.kind == "nominal" else -1)
