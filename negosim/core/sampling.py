"""Sample every uncertain number of a scenario for a block of replicates.

Each sampling site (``actors.russia.capability``, ``events.election.outcome``...) draws from its
own generator, derived from the block's seed sequence and the site's name.  So the same compiled
scenario, block seed and block size always give the same arrays, and changing one number of the
scenario (a sweep's design point) leaves every other site's draws as they were: design points
share common random numbers and comparisons between them are paired.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from negosim.core.compiled import Compiled
from negosim.scenario.distributions import sample
from negosim.scenario.schema import (
    AuthorityEffect,
    CapabilityEffect,
    PositionEffect,
    SalienceEffect,
)

__all__ = [
    "BlockParams",
    "EffectDraw",
    "Sites",
    "plan_blocks",
    "sample_block",
    "slice_params",
    "stack_params",
]


def plan_blocks(runs: int, block_size: int) -> list[tuple[int, int, int]]:
    """Every block of a simulation as ``(block, n, first_run)``: blocks of ``block_size`` runs,
    the last one shorter (a block is the unit of randomness: :func:`block_seed`)."""
    return [
        (block, min(block_size, runs - block * block_size), block * block_size)
        for block in range(-(-runs // block_size))
    ]


def block_seed(master_seed: int, block: int) -> np.random.SeedSequence:
    """The seed sequence of one block: a function of the master seed and the block index only."""
    return np.random.SeedSequence(master_seed, spawn_key=(block,))


class Sites:
    """Independent generators per named sampling site, derived from one block seed sequence."""

    def __init__(self, seed: np.random.SeedSequence):
        self.seed = seed

    def rng(self, site: str) -> np.random.Generator:
        """The generator of ``site``: a function of the block's seed and the site's name only."""
        key = int.from_bytes(hashlib.sha256(site.encode("utf-8")).digest()[:8], "little")
        child = np.random.SeedSequence(self.seed.entropy, spawn_key=(*self.seed.spawn_key, key))
        return np.random.default_rng(child)

    def sample(self, site: str, value: Any, n: int) -> np.ndarray:
        """Draw ``n`` values of an uncertain number at ``site``."""
        return sample(value, self.rng(site), n)


@dataclass(frozen=True)
class EffectDraw:
    """One effect of an event (or of one of its outcomes) with its sampled numbers."""

    event: int  # index into Compiled.event_ids
    outcome: int  # index of the outcome, or -1 for the event's own effects
    effect: Any  # the schema's effect object
    values: np.ndarray | None  # (R,) sampled number (set/add/multiply), if any


@dataclass
class BlockParams:
    """Sampled inputs of a block of ``n`` replicates (arrays lead with the replicate axis, the
    layout every model shares; ``docs/engine.md`` has the table of axes)."""

    n: int
    capability: np.ndarray  # (R, A)
    salience: np.ndarray  # (R, A, I)
    explicit_utility: list[np.ndarray]  # per issue (R, A, N options): NaN where not given
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


def sample_block(c: Compiled, seed: np.random.SeedSequence, n: int) -> BlockParams:
    """Draw a block's inputs; every site has its own stream (see the module docstring)."""
    s = c.scenario
    sites = Sites(seed)
    A, n_issues = c.n_actors, len(c.issue_ids)
    capability = np.empty((n, A))
    salience = np.zeros((n, A, n_issues))
    explicit = [np.full((n, A, len(v)), np.nan) for v in c.option_values]
    patience, risk = np.empty((n, A)), np.empty((n, A))
    fallback_value = np.full((n, A), np.nan)
    pass_probability = np.ones((n, A))
    ratifies = np.ones((n, A), dtype=bool)
    for a, (actor_id, actor) in enumerate(s.actors.items()):
        base = f"actors.{actor_id}"
        capability[:, a] = sites.sample(f"{base}.capability", actor.capability, n)
        for i, issue_id in enumerate(c.issue_ids):
            stance = actor.stances.get(issue_id)
            if stance is None:
                continue
            where = f"{base}.stances.{issue_id}"
            salience[:, a, i] = sites.sample(f"{where}.salience", stance.salience, n)
            if stance.utilities:
                ids = c.option_ids[i] or ()
                for option_id, value in stance.utilities.items():
                    explicit[i][:, a, ids.index(option_id)] = sites.sample(
                        f"{where}.utilities.{option_id}", value, n
                    )
        patience[:, a] = sites.sample(f"{base}.behaviour.patience", actor.behaviour.patience, n)
        risk[:, a] = sites.sample(f"{base}.behaviour.risk", actor.behaviour.risk, n)
        if actor.fallback.value is not None:
            fallback_value[:, a] = sites.sample(f"{base}.fallback.value", actor.fallback.value, n)
        if actor.ratification is not None:
            site = f"{base}.ratification.pass_probability"
            pass_probability[:, a] = sites.sample(site, actor.ratification.pass_probability, n)
            ratifies[:, a] = (
                sites.rng(f"{base}.ratification.vote").random(n) < pass_probability[:, a]
            )
    influence = np.empty((n, len(c.official_ids)))
    for o, (official_id, official) in enumerate(s.officials.items()):
        influence[:, o] = sites.sample(f"officials.{official_id}.influence", official.influence, n)
    happens, outcome, effects = _sample_events(c, sites, n)
    proposer_draw = sites.rng("protocol.proposer").random((n, max(1, c.n_rounds)))
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


def _effect_value(effect: Any, sites: Sites, site: str, n: int) -> np.ndarray | None:
    if isinstance(effect, SalienceEffect):
        value = effect.set if effect.set is not None else effect.add
        return sites.sample(site, value, n)
    if isinstance(effect, CapabilityEffect):
        return sites.sample(site, effect.multiply, n)
    if isinstance(effect, AuthorityEffect | PositionEffect):
        return None
    raise TypeError(f"unknown effect {effect!r}")  # pragma: no cover - the schema is closed


def _sample_events(
    c: Compiled, sites: Sites, n: int
) -> tuple[np.ndarray, np.ndarray, list[EffectDraw]]:
    s = c.scenario
    E = len(c.event_ids)
    happens = np.zeros((n, E), dtype=bool)
    outcome = np.full((n, E), -1, dtype=np.int64)
    effects: list[EffectDraw] = []
    for e, event_id in enumerate(c.event_ids):  # date order, so conditions are already drawn
        event = s.events[event_id]
        base = f"events.{event_id}"
        p = np.clip(sites.sample(f"{base}.probability", event.probability, n), 0.0, 1.0)
        fires = sites.rng(f"{base}.happens").random(n) < p
        if event.condition is not None:
            earlier = c.event_ids.index(event.condition.event)
            wanted = list(s.events[event.condition.event].outcomes).index(event.condition.outcome)
            fires &= outcome[:, earlier] == wanted
        happens[:, e] = fires
        if event.outcomes:
            weights = np.stack(
                [
                    np.clip(
                        sites.sample(f"{base}.outcomes.{k}.probability", o.probability, n), 0, 1
                    )
                    for k, o in event.outcomes.items()
                ],
                axis=1,
            )
            total = weights.sum(axis=1, keepdims=True)
            # Probabilities are normalised per run; all-zero weights fall back to equal chances.
            safe = np.where(total > 0, total, 1.0)
            weights = np.where(total > 0, weights / safe, 1.0 / weights.shape[1])
            u = sites.rng(f"{base}.outcome").random(n)
            chosen = (u[:, None] >= np.cumsum(weights, axis=1)).sum(axis=1)
            chosen = np.minimum(chosen, weights.shape[1] - 1)
            outcome[:, e] = np.where(fires, chosen, -1)
        for j, effect in enumerate(event.effects):
            value = _effect_value(effect, sites, f"{base}.effects.{j}", n)
            effects.append(EffectDraw(e, -1, effect, value))
        for k, (outcome_id, out) in enumerate(event.outcomes.items()):
            for j, effect in enumerate(out.effects):
                value = _effect_value(effect, sites, f"{base}.outcomes.{outcome_id}.effects.{j}", n)
                effects.append(EffectDraw(e, k, effect, value))
    return happens, outcome, effects


def stack_params(parts: Sequence[BlockParams]) -> BlockParams:
    """Several blocks' inputs as one, replicates in order.

    The rules treat every replicate on its own (a replicate's run never reads another's row), so
    playing stacked blocks in one model gives each block exactly what it gets alone, at less
    cost per run.  ``tests/models/bargaining/test_batches.py`` checks this bit for bit.
    """
    if len(parts) == 1:
        return parts[0]
    first = parts[0]

    def rows(name: str) -> np.ndarray:
        return np.concatenate([getattr(p, name) for p in parts], axis=0)

    effects = [
        replace(
            draw,
            values=None
            if draw.values is None
            else np.concatenate([p.effects[e].values for p in parts]),
        )
        for e, draw in enumerate(first.effects)
    ]
    return BlockParams(
        n=sum(p.n for p in parts),
        capability=rows("capability"),
        salience=rows("salience"),
        explicit_utility=[
            np.concatenate([p.explicit_utility[i] for p in parts], axis=0)
            for i in range(len(first.explicit_utility))
        ],
        patience=rows("patience"),
        risk=rows("risk"),
        fallback_value=rows("fallback_value"),
        pass_probability=rows("pass_probability"),
        ratifies=rows("ratifies"),
        influence=rows("influence"),
        happens=rows("happens"),
        outcome=rows("outcome"),
        effects=effects,
        proposer_draw=rows("proposer_draw"),
    )


def slice_params(params: BlockParams, start: int, stop: int) -> BlockParams:
    """Replicates ``start:stop`` of a block's inputs (the inverse of :func:`stack_params`)."""
    if start == 0 and stop == params.n:
        return params
    cut = slice(start, stop)
    return BlockParams(
        n=stop - start,
        capability=params.capability[cut],
        salience=params.salience[cut],
        explicit_utility=[u[cut] for u in params.explicit_utility],
        patience=params.patience[cut],
        risk=params.risk[cut],
        fallback_value=params.fallback_value[cut],
        pass_probability=params.pass_probability[cut],
        ratifies=params.ratifies[cut],
        influence=params.influence[cut],
        happens=params.happens[cut],
        outcome=params.outcome[cut],
        effects=[
            replace(draw, values=None if draw.values is None else draw.values[cut])
            for draw in params.effects
        ],
        proposer_draw=params.proposer_draw[cut],
    )
