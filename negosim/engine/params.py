"""Sample every uncertain number of a scenario for a block of replicates, in one fixed order.

The order of draws is part of the reproducibility contract: the same compiled scenario, block
generator and block size always give the same arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from negosim.engine.compiled import Compiled
from negosim.scenario.distributions import sample
from negosim.scenario.schema import (
    AuthorityEffect,
    CapabilityEffect,
    PositionEffect,
    SalienceEffect,
)

__all__ = ["BlockParams", "EffectDraw", "sample_block"]


@dataclass(frozen=True)
class EffectDraw:
    """One effect of an event (or of one of its outcomes) with its sampled numbers."""

    event: int  # index into Compiled.event_ids
    outcome: int  # index of the outcome, or -1 for the event's own effects
    effect: Any  # the schema's effect object
    values: np.ndarray | None  # (R,) sampled number (set/add/multiply), if any


@dataclass
class BlockParams:
    """Sampled inputs of a block of ``n`` replicates (arrays lead with the replicate axis)."""

    n: int
    capability: np.ndarray  # (R, A)
    salience: np.ndarray  # (R, A, I)
    explicit_utility: list[np.ndarray]  # per issue (R, A, K): NaN where not given
    patience: np.ndarray  # (R, A)
    risk: np.ndarray  # (R, A)
    fallback_value: np.ndarray  # (R, A): NaN when computed from no-deal outcomes
    pass_probability: np.ndarray  # (R, A): 1 where the actor has no ratifying body
    ratifies: np.ndarray  # (R, A) bool: would the body pass a treaty in this run
    influence: np.ndarray  # (R, O)
    happens: np.ndarray  # (R, E) bool
    outcome: np.ndarray  # (R, E) int, -1 where the event has no outcomes or did not happen
    effects: list[EffectDraw] = field(default_factory=list)
    proposer_draw: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (R, T) in [0,1)


def sample_block(c: Compiled, rng: np.random.Generator, n: int) -> BlockParams:
    """Draw a block's inputs from ``rng`` in a fixed order."""
    s = c.scenario
    A, n_issues = c.n_actors, len(c.issue_ids)
    capability = np.empty((n, A))
    salience = np.zeros((n, A, n_issues))
    explicit = [np.full((n, A, len(v)), np.nan) for v in c.option_values]
    patience, risk = np.empty((n, A)), np.empty((n, A))
    fallback_value = np.full((n, A), np.nan)
    pass_probability = np.ones((n, A))
    for a, actor in enumerate(s.actors.values()):
        capability[:, a] = sample(actor.capability, rng, n)
        for i, issue_id in enumerate(c.issue_ids):
            stance = actor.stances.get(issue_id)
            if stance is None:
                continue
            salience[:, a, i] = sample(stance.salience, rng, n)
            if stance.utilities:
                ids = c.option_ids[i] or ()
                for option_id, value in stance.utilities.items():
                    explicit[i][:, a, ids.index(option_id)] = sample(value, rng, n)
        patience[:, a] = sample(actor.behaviour.patience, rng, n)
        risk[:, a] = sample(actor.behaviour.risk, rng, n)
        if actor.fallback.value is not None:
            fallback_value[:, a] = sample(actor.fallback.value, rng, n)
        if actor.ratification is not None:
            pass_probability[:, a] = sample(actor.ratification.pass_probability, rng, n)
    ratifies = rng.random((n, A)) < pass_probability
    influence = np.empty((n, len(c.official_ids)))
    for o, official in enumerate(s.officials.values()):
        influence[:, o] = sample(official.influence, rng, n)
    happens, outcome, effects = _sample_events(c, rng, n)
    proposer_draw = rng.random((n, max(1, c.n_rounds)))
    return BlockParams(
        n=n,
        capability=capability,
        salience=salience,
        explicit_utility=explicit,
        patience=patience,
        risk=risk,
        fallback_value=fallback_value,
        pass_probability=pass_probability,
        ratifies=ratifies,
        influence=influence,
        happens=happens,
        outcome=outcome,
        effects=effects,
        proposer_draw=proposer_draw,
    )


def _effect_value(effect: Any, rng: np.random.Generator, n: int) -> np.ndarray | None:
    if isinstance(effect, SalienceEffect):
        return sample(effect.set if effect.set is not None else effect.add, rng, n)  # type: ignore[arg-type]
    if isinstance(effect, CapabilityEffect):
        return sample(effect.multiply, rng, n)
    if isinstance(effect, AuthorityEffect | PositionEffect):
        return None
    raise TypeError(f"unknown effect {effect!r}")  # pragma: no cover - the schema is closed


def _sample_events(
    c: Compiled, rng: np.random.Generator, n: int
) -> tuple[np.ndarray, np.ndarray, list[EffectDraw]]:
    s = c.scenario
    E = len(c.event_ids)
    happens = np.zeros((n, E), dtype=bool)
    outcome = np.full((n, E), -1, dtype=np.int64)
    effects: list[EffectDraw] = []
    for e, event_id in enumerate(c.event_ids):  # date order, so conditions are already drawn
        event = s.events[event_id]
        p = np.clip(sample(event.probability, rng, n), 0.0, 1.0)
        fires = rng.random(n) < p
        if event.condition is not None:
            earlier = c.event_ids.index(event.condition.event)
            wanted = list(s.events[event.condition.event].outcomes).index(event.condition.outcome)
            fires &= outcome[:, earlier] == wanted
        happens[:, e] = fires
        if event.outcomes:
            weights = np.stack(
                [np.clip(sample(o.probability, rng, n), 0.0, 1.0) for o in event.outcomes.values()],
                axis=1,
            )
            total = weights.sum(axis=1, keepdims=True)
            # Probabilities are normalised per run; all-zero weights fall back to equal chances.
            weights = np.where(
                total > 0, weights / np.where(total > 0, total, 1), 1 / weights.shape[1]
            )
            u = rng.random(n)
            chosen = (u[:, None] >= np.cumsum(weights, axis=1)).sum(axis=1)
            chosen = np.minimum(chosen, weights.shape[1] - 1)
            outcome[:, e] = np.where(fires, chosen, -1)
        for effect in event.effects:
            effects.append(EffectDraw(e, -1, effect, _effect_value(effect, rng, n)))
        for k, out in enumerate(event.outcomes.values()):
            for effect in out.effects:
                effects.append(EffectDraw(e, k, effect, _effect_value(effect, rng, n)))
    return happens, outcome, effects
