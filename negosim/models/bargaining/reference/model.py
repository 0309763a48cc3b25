"""The reference's model: one replicate, one dated round per step, and a block of replicates
played one model at a time (:func:`run_reference_block`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np

from negosim.core.compiled import Compiled
from negosim.core.sampling import block_seed, sample_block
from negosim.core.status import Status
from negosim.errors import UsageError
from negosim.models.bargaining.mesa_compat import forget_model
from negosim.models.bargaining.reference.agents import ReferenceActor, ReferenceOfficial
from negosim.models.bargaining.reference.inputs import (
    PROTOCOLS,
    TOLERANCE,
    ReplicateInputs,
    np_argmax,
    np_clip,
    np_maximum,
    position_of,
    replicate_inputs,
)
from negosim.scenario.schema import (
    AuthorityEffect,
    CapabilityEffect,
    PositionEffect,
    SalienceEffect,
)

__all__ = ["ReferenceNegotiation", "ReferenceResult", "run_reference_block"]


# -- the model -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Package:
    """A package as plain Python data."""

    issues: tuple[int, ...]
    combos: list[list[int]]
    needs_ratification: list[bool]
    allowed: list[list[bool]]  # [actor][combination]
    no_deal: int
    on_table: list[int]  # combinations inside every red line, no-deal excluded


class ReferenceNegotiation(mesa.Model):
    """Deadline-driven multilateral bargaining in one replicate, one dated round per step.

    Parameters
    ----------
    compiled
        The compiled scenario.
    inputs
        The replicate's sampled numbers (see :func:`replicate_inputs`).
    protocol
        ``"capability"`` (proposer on a package drawn in proportion to clout there, capability
        x mean salience) or ``"alternating"`` (turns in file order).
    pull_limit
        How far officials other than the head can pull an actor's ideal point.
    rng
        Seed of Mesa's generator; it only orders :meth:`mesa.agent.AgentSet.shuffle_do`, which
        the rules do not depend on.
    every_round
        Re-value every package and re-solve the strategic floors in every round, as a tutorial
        model's ``step`` would, instead of only when a stance, salience or capability changed
        (as the engine does).  The results are identical; only the cost differs.
    """

    def __init__(
        self,
        compiled: Compiled,
        inputs: ReplicateInputs,
        *,
        protocol: str = "capability",
        pull_limit: float = 25.0,
        rng: int = 0,
        every_round: bool = False,
    ):
        super().__init__(rng=rng)
        if protocol not in PROTOCOLS:
            raise UsageError(f"protocol must be one of {PROTOCOLS} (got {protocol!r})")
        c = compiled
        self.compiled = compiled
        self.inputs = inputs
        self.protocol = protocol
        self.pull_limit = pull_limit
        self.every_round = every_round
        self.n_rounds = c.n_rounds
        self.day = c.round_dates[0] if c.round_dates else dt.date.min
        self.packages = [
            _Package(
                issues=p.issues,
                combos=p.combos.tolist(),
                needs_ratification=p.needs_ratification.tolist(),
                allowed=p.allowed.tolist(),
                no_deal=p.no_deal,
                on_table=[
                    combo
                    for combo in range(len(p.combos))
                    if combo != p.no_deal and all(row[combo] for row in p.allowed.tolist())
                ],
            )
            for p in c.packages
        ]
        self.officials = [ReferenceOfficial(self, o) for o in range(len(c.official_ids))]
        self.actors = [ReferenceActor(self, a) for a in range(c.n_actors)]
        for official in self.officials:
            self.actors[official.actor_index].officials.append(official)
        self.ratify_all = all(inputs.ratifies)
        self.ratify_probability = 1.0
        for p in inputs.pass_probability:
            self.ratify_probability *= p
        self.alpha = [
            [
                np_clip((t + 1) / self.n_rounds, 0.0, 1.0) ** (1.0 / actor.beta)
                for actor in self.actors
            ]
            for t in range(self.n_rounds)
        ]
        self.pending = self._pending_changes()
        K = len(self.packages)
        self.status = [Status.OPEN] * K
        self.end_round = [-1] * K
        self.combo = [p.no_deal for p in self.packages]
        self.floors: list[list[list[float]]] = []  # [package][round - floor_start][actor]
        self.floor_start = 0
        self.round_index = 0
        self.running = self.n_rounds > 0

    def _pending_changes(self) -> list[bool]:
        """Per round: is an event with effects still due after it, at a later round?"""
        c = self.compiled
        events = c.scenario.events
        dates = [
            events[e].date
            for e in c.event_ids
            if events[e].effects or any(o.effects for o in events[e].outcomes.values())
        ]
        last = c.round_dates[-1] if c.round_dates else c.scenario.calendar.start
        return [any(day < d <= last for d in dates) for day in c.round_dates]

    # -- events --------------------------------------------------------------------------------

    def fire_events(self, t: int) -> None:
        """Apply the effects of the events that happened since the last round."""
        c, x = self.compiled, self.inputs
        day = c.round_dates[t]
        before = c.round_dates[t - 1] if t > 0 else dt.date.min
        for event, outcome, effect, value in x.effects:
            if not before < c.scenario.events[c.event_ids[event]].date <= day:
                continue
            if not x.happens[event] or (outcome >= 0 and x.outcome[event] != outcome):
                continue
            self.apply(effect, value)

    def apply(self, effect: Any, value: float | None) -> None:
        """Apply one effect to its actor."""
        c = self.compiled
        actor = self.actors[c.actor_ids.index(effect.actor)]
        if isinstance(effect, AuthorityEffect):
            actor.head = c.official_ids.index(effect.official)
        elif isinstance(effect, SalienceEffect):
            assert value is not None
            i = c.issue_ids.index(effect.issue)
            new = value if effect.set is not None else actor.salience[i] + value
            actor.salience[i] = np_clip(new, 0.0, 1.0)
        elif isinstance(effect, CapabilityEffect):
            assert value is not None
            actor.capability = actor.capability * value
        elif isinstance(effect, PositionEffect):
            i = c.issue_ids.index(effect.issue)
            actor.override_value[i], actor.override_choice[i] = position_of(c, i, effect.to)
        for each in self.actors:  # capability enters everyone's strategic floors
            each.stale = True

    # -- proposers and strategic floors --------------------------------------------------------

    def recognition(self, t: int, k: int) -> list[float]:
        """Probability that each actor proposes on package ``k`` at round ``t``: its clout there,
        capability times mean salience over the package's issues."""
        A = len(self.actors)
        if self.protocol == "alternating":
            return [1.0 if a == t % A else 0.0 for a in range(A)]
        issues = self.packages[k].issues
        clout = []
        for actor in self.actors:
            mean = 0.0
            for i in issues:
                mean += actor.salience[i]
            clout.append(actor.capability * (mean / len(issues)))
        total = 0.0
        for value in clout:
            total += value
        return [value / total if total > 0 else 1.0 / A for value in clout]

    def proposer(self, t: int, k: int) -> int:
        """The actor who proposes on package ``k`` at round ``t`` (pre-drawn uniform number)."""
        A = len(self.actors)
        if self.protocol == "alternating":
            return t % A
        draw = self.inputs.proposer_draw[t]
        cumulative, passed = 0.0, 0
        for share in self.recognition(t, k):
            cumulative += share
            passed += draw >= cumulative
        return min(passed, A - 1)

    def compute_floors(self, t0: int) -> None:
        """Strategic floors of rounds ``t0..T-1`` by backward induction on every package."""
        actors = self.actors
        A = len(actors)
        patience = [actor.patience for actor in actors]
        self.floors = []
        for k, package in enumerate(self.packages):
            u_eff = [actor.u_eff[k] for actor in actors]
            reservation = [actor.reservation[k] for actor in actors]
            table = package.on_table  # only these can ever be agreed
            value = list(reservation)
            floors: list[list[float]] = [[] for _ in range(t0, self.n_rounds)]
            for t in range(self.n_rounds - 1, t0 - 1, -1):
                floor = [np_maximum(reservation[a], patience[a] * value[a]) for a in range(A)]
                floors[t - t0] = floor
                acceptable = [
                    c for c in table if all(u_eff[a][c] >= floor[a] - TOLERANCE for a in range(A))
                ]
                feasible = bool(acceptable)
                payoff = [0.0] * A
                for p, weight in enumerate(self.recognition(t, k)):
                    if weight == 0.0:
                        continue
                    best = 0
                    if feasible:
                        best = acceptable[np_argmax([u_eff[p][c] for c in acceptable])]
                    for a in range(A):
                        payoff[a] += weight * (u_eff[a][best] if feasible else floor[a])
                value = payoff
            self.floors.append(floors)
        self.floor_start = t0

    # -- one round -----------------------------------------------------------------------------

    def step(self) -> None:
        """One dated round: events, stances, then a proposal on every open package."""
        t = self.round_index
        self.day = self.compiled.round_dates[t]
        self.fire_events(t)
        if self.every_round:
            for actor in self.actors:
                actor.stale = True
        self.agents.shuffle_do("step")
        if any(actor.revalued for actor in self.actors):
            self.compute_floors(t)
        for k in range(len(self.packages)):
            if self.status[k] == Status.OPEN:
                self.bargain(k, t, self.proposer(t, k))
        self.round_index += 1
        if self.round_index >= self.n_rounds or Status.OPEN not in self.status:
            self.finish()

    def bargain(self, k: int, t: int, proposer: int) -> None:
        """The proposer offers its best package that every aspiration accepts; then ratification,
        and breakdown when no package beats every fallback and nothing due can change that."""
        package, actors = self.packages[k], self.actors
        levels = [actor.aspiration(k, t) for actor in actors]
        acceptable = [
            c
            for c in package.on_table
            if all(actor.u_eff[k][c] >= levels[a] - TOLERANCE for a, actor in enumerate(actors))
        ]
        if acceptable:
            own = actors[proposer].u_eff[k]
            offer = acceptable[np_argmax([own[c] for c in acceptable])]
            self.end_round[k] = t
            if package.needs_ratification[offer] and not self.ratify_all:
                self.status[k] = Status.RATIFICATION_FAILED
            else:
                self.status[k] = Status.AGREED
                self.combo[k] = offer
            return
        if self.pending[t]:
            return
        zone = any(
            all(actor.u_eff[k][c] >= actor.reservation[k] - TOLERANCE for actor in actors)
            for c in package.on_table
        )
        if not zone:
            self.status[k] = Status.BREAKDOWN
            self.end_round[k] = t

    def finish(self) -> None:
        """Packages still open at the end hit the deadline."""
        last = max(0, self.round_index - 1)
        for k, status in enumerate(self.status):
            if status == Status.OPEN:
                self.status[k] = Status.DEADLINE
                self.end_round[k] = last
        self.running = False


# -- a block of replicates -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceResult:
    """Outcome arrays of a block played by the reference, shaped like ``BlockResult``'s."""

    block: int
    first_run: int
    n: int
    status: np.ndarray  # (K, R) Status values
    end_round: np.ndarray  # (K, R)
    combo: np.ndarray  # (K, R) the package settled, or the no-deal package


def run_reference_block(
    compiled: Compiled,
    *,
    master_seed: int,
    block: int,
    n: int,
    first_run: int,
    protocol: str = "capability",
    pull_limit: float = 25.0,
    every_round: bool = False,
) -> ReferenceResult:
    """Sample a block exactly as :func:`~negosim.models.bargaining.run.run_block` does, then play
    each of its ``n`` replicates as its own Mesa model.

    Parameters
    ----------
    compiled
        The compiled scenario.
    master_seed, block
        Where the block's randomness comes from (:func:`negosim.core.sampling.block_seed`).
    n
        Replicates in the block.
    first_run
        Run number of the block's first replicate (kept for alignment with ``BlockResult``).
    protocol
        ``"capability"`` or ``"alternating"``.
    pull_limit
        How far officials other than the head can pull an actor's ideal point.
    every_round
        Re-value and re-solve the floors in every round (see :class:`ReferenceNegotiation`).

    Returns
    -------
    ReferenceResult
        Status, end round and settled combination per package and replicate.
    """
    if protocol not in PROTOCOLS:
        raise UsageError(f"protocol must be one of {PROTOCOLS} (got {protocol!r})")
    params = sample_block(compiled, block_seed(master_seed, block), n)
    # Mesa's generators (one per replicate's model) are seeded from the block's stream too.
    mesa_seeds = block_seed(master_seed, block).generate_state(max(1, n)).tolist()
    K = len(compiled.packages)
    status = np.zeros((K, n), dtype=np.int8)
    end_round = np.full((K, n), -1, dtype=np.int64)
    combo = np.zeros((K, n), dtype=np.int64)
    for r in range(n):
        model = ReferenceNegotiation(
            compiled,
            replicate_inputs(params, r),
            protocol=protocol,
            pull_limit=pull_limit,
            rng=mesa_seeds[r],
            every_round=every_round,
        )
        while model.running:
            model.step()
        if model.n_rounds == 0:
            model.finish()
        status[:, r] = model.status
        end_round[:, r] = model.end_round
        combo[:, r] = model.combo
        forget_model(model)  # what Mesa keeps of it (see negosim.models.bargaining.mesa_compat)
    return ReferenceResult(
        block=block, first_run=first_run, n=n, status=status, end_round=end_round, combo=combo
    )
