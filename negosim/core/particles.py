"""Beliefs as particles: what an observer thinks another actor's private numbers might be.

Every actor knows its own numbers (its fallback value, saliences, utilities, patience, risk and
the chance its ratifying body passes a treaty: the truth in :class:`~negosim.core.sampling.
BlockParams`).  What the others believe about them is ``P`` particles per replicate, each a full
draw of the target's uncertain numbers:

- the **common prior** of a target (``holder is None``) draws each number from the target's
  declared distribution, at the site ``beliefs.<target_id>.<path>`` (``<path>`` is the truth's
  site without ``actors.<target_id>.``: ``beliefs.russia.fallback.value``);
- a **declared belief** (``actors.<holder>.beliefs.<target>`` in the scenario) draws the numbers
  it names from the distribution it declares, at ``beliefs.<holder_id>.<target_id>.<path>``, and
  shares every other array with the common prior, so only the named numbers differ.

Every site has its own stream (:class:`~negosim.core.sampling.Sites`), so particles are a function
of the block's seed, the block size and ``P`` only, and never change the truth's draws.  Arrays are
``(R, P, ...)``: replicates first, as everywhere in the engine (``docs/engine.md``).  Arrays may be
shared between sets (and slices are views): treat them as read-only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from negosim.core.compiled import Compiled
from negosim.core.sampling import Sites
from negosim.errors import UsageError
from negosim.scenario.schema import Belief

__all__ = ["Particles", "held_belief", "sample_particles", "slice_particles", "stack_particles"]

_ARRAYS = ("salience", "patience", "risk", "fallback_value", "pass_probability")


@dataclass
class Particles:
    """One observer's belief about one target: ``p`` particles in each of ``n`` replicates."""

    target: int  # index of the target actor (file order)
    holder: int | None  # None: the common prior, held by every actor without a declared belief
    n: int  # replicates R
    p: int  # particles P per replicate
    salience: np.ndarray  # (R, P, I): 0 on issues where the target has no stance
    explicit_utility: list[np.ndarray]  # per issue (R, P, N options): NaN where not given
    patience: np.ndarray  # (R, P)
    risk: np.ndarray  # (R, P)
    fallback_value: np.ndarray  # (R, P): NaN where computed from no-deal outcomes
    pass_probability: np.ndarray  # (R, P): 1 where the target has no ratifying body


def sample_particles(
    compiled: Compiled, seed: np.random.SeedSequence, n: int, particles: int
) -> list[Particles]:
    """Draw every belief of a block of ``n`` replicates, ``particles`` particles each.

    Parameters
    ----------
    compiled
        The compiled scenario.
    seed
        The block's seed sequence (the one :func:`~negosim.core.sampling.sample_block` takes).
    n
        Replicates in the block.
    particles
        Particles per replicate, at least 1.

    Returns
    -------
    list of Particles
        The common prior of each actor, in actor order, then one set per declared belief,
        ordered by holder and then by target (both in actor order).

    Raises
    ------
    UsageError
        On fewer than one particle or a negative block size.
    """
    if particles < 1:
        raise UsageError(f"particles must be at least 1 (got {particles})")
    if n < 0:
        raise UsageError(f"a block holds at least 0 replicates (got {n})")
    sites = Sites(seed)
    actors = compiled.scenario.actors
    common = [
        _common(compiled, sites, t, target_id, n, particles)
        for t, target_id in enumerate(compiled.actor_ids)
    ]
    declared = []
    for h, holder_id in enumerate(compiled.actor_ids):
        beliefs = actors[holder_id].beliefs
        for t, target_id in enumerate(compiled.actor_ids):
            if target_id in beliefs and t != h:
                prior = common[t]
                declared.append(
                    _declared(compiled, sites, prior, h, holder_id, beliefs[target_id], n)
                )
    return common + declared


def held_belief(sets: Sequence[Particles], holder: int, target: int) -> Particles:
    """The set ``holder`` holds about ``target``: its declared belief, else the common prior."""
    common = None
    for item in sets:
        if item.target != target:
            continue
        if item.holder == holder:
            return item
        if item.holder is None:
            common = item
    if common is None:
        raise KeyError(f"no particles about actor {target}")
    return common


def _draw(sites: Sites, site: str, value: Any, n: int, p: int) -> np.ndarray:
    # n*P values from one stream, row-major: replicate r holds draws r*P .. r*P + P - 1.
    return sites.sample(site, value, n * p).reshape(n, p)


def _common(c: Compiled, sites: Sites, t: int, target_id: str, n: int, p: int) -> Particles:
    actor = c.scenario.actors[target_id]
    base = f"beliefs.{target_id}"
    salience = np.zeros((n, p, len(c.issue_ids)))
    explicit = [np.full((n, p, len(values)), np.nan) for values in c.option_values]
    for i, issue_id in enumerate(c.issue_ids):
        stance = actor.stances.get(issue_id)
        if stance is None:
            continue
        where = f"{base}.stances.{issue_id}"
        salience[:, :, i] = _draw(sites, f"{where}.salience", stance.salience, n, p)
        ids = c.option_ids[i] or ()
        for option_id, value in (stance.utilities or {}).items():
            explicit[i][:, :, ids.index(option_id)] = _draw(
                sites, f"{where}.utilities.{option_id}", value, n, p
            )
    patience = _draw(sites, f"{base}.behaviour.patience", actor.behaviour.patience, n, p)
    risk = _draw(sites, f"{base}.behaviour.risk", actor.behaviour.risk, n, p)
    fallback_value = np.full((n, p), np.nan)
    if actor.fallback.value is not None:
        fallback_value = _draw(sites, f"{base}.fallback.value", actor.fallback.value, n, p)
    pass_probability = np.ones((n, p))
    if actor.ratification is not None:
        site = f"{base}.ratification.pass_probability"
        pass_probability = _draw(sites, site, actor.ratification.pass_probability, n, p)
    return Particles(
        target=t,
        holder=None,
        n=n,
        p=p,
        salience=salience,
        explicit_utility=explicit,
        patience=patience,
        risk=risk,
        fallback_value=fallback_value,
        pass_probability=pass_probability,
    )


def _declared(
    c: Compiled, sites: Sites, prior: Particles, h: int, holder_id: str, belief: Belief, n: int
) -> Particles:
    p = prior.p
    target_id = c.actor_ids[prior.target]
    target = c.scenario.actors[target_id]
    base = f"beliefs.{holder_id}.{target_id}"
    changed: dict[str, Any] = {"holder": h}
    if belief.fallback_value is not None:
        changed["fallback_value"] = _draw(
            sites, f"{base}.fallback.value", belief.fallback_value, n, p
        )
    if belief.patience is not None:
        changed["patience"] = _draw(sites, f"{base}.behaviour.patience", belief.patience, n, p)
    if belief.risk is not None:
        changed["risk"] = _draw(sites, f"{base}.behaviour.risk", belief.risk, n, p)
    if belief.pass_probability is not None and target.ratification is not None:
        site = f"{base}.ratification.pass_probability"
        changed["pass_probability"] = _draw(sites, site, belief.pass_probability, n, p)
    salience, explicit = prior.salience, list(prior.explicit_utility)
    for issue_id, stance in belief.stances.items():
        if issue_id not in c.issue_ids or issue_id not in target.stances:
            continue  # the checks refuse it; a scenario built without them gets the prior
        i = c.issue_ids.index(issue_id)
        where = f"{base}.stances.{issue_id}"
        if stance.salience is not None:
            if salience is prior.salience:
                salience = salience.copy()  # copied once, so the prior stays shared and intact
            salience[:, :, i] = _draw(sites, f"{where}.salience", stance.salience, n, p)
        if stance.utilities:
            ids = c.option_ids[i] or ()
            explicit[i] = explicit[i].copy()
            for option_id, value in stance.utilities.items():
                explicit[i][:, :, ids.index(option_id)] = _draw(
                    sites, f"{where}.utilities.{option_id}", value, n, p
                )
    changed["salience"], changed["explicit_utility"] = salience, explicit
    return replace(prior, **changed)


def stack_particles(parts: Sequence[list[Particles]]) -> list[Particles]:
    """Several blocks' particles as one, replicates in order (like
    :func:`~negosim.core.sampling.stack_params`); every block lists the same sets in order."""
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    for block in parts[1:]:
        if [(s.target, s.holder, s.p) for s in block] != [(s.target, s.holder, s.p) for s in first]:
            raise ValueError("stacked blocks must hold the same belief sets with the same P")
    stacked = []
    for k, head in enumerate(first):
        sets = [block[k] for block in parts]
        arrays: dict[str, Any] = {
            name: np.concatenate([getattr(s, name) for s in sets]) for name in _ARRAYS
        }
        explicit = [
            np.concatenate([s.explicit_utility[i] for s in sets])
            for i in range(len(head.explicit_utility))
        ]
        stacked.append(replace(head, n=sum(s.n for s in sets), explicit_utility=explicit, **arrays))
    return stacked


def slice_particles(sets: list[Particles], start: int, stop: int) -> list[Particles]:
    """Replicates ``start:stop`` of every set (the inverse of :func:`stack_particles`)."""
    if not sets or (start == 0 and stop == sets[0].n):
        return sets
    cut = slice(start, stop)
    sliced = []
    for s in sets:
        arrays: dict[str, Any] = {name: getattr(s, name)[cut] for name in _ARRAYS}
        explicit = [u[cut] for u in s.explicit_utility]
        sliced.append(replace(s, n=stop - start, explicit_utility=explicit, **arrays))
    return sliced
