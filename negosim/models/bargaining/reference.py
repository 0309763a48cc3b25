"""The bargaining rules written again the way Mesa's tutorials write models: the speed reference.

One :class:`mesa.Model` per replicate, one :class:`mesa.Agent` per actor and per official, scalar
Python attributes, plain loops over combinations.  It implements exactly
the rules documented in :mod:`~negosim.models.bargaining.rules` and
:mod:`~negosim.models.bargaining.model` (and the stance rule of
:mod:`~negosim.models.bargaining.agents`) without importing their code, and it takes its inputs
from the same sampled :class:`~negosim.core.sampling.BlockParams`: replicate ``r`` of a block is a
slice of the block's draws.  For a given ``(master_seed, block, n)`` it must therefore agree with
:func:`~negosim.models.bargaining.run.run_block` run by run;
``tests/models/bargaining/test_reference_equivalence.py`` checks that, and
``benchmarks/bench_engine.py`` times both.

Floating point follows the engine's order of operations (sums in file order starting from zero,
ties broken like :func:`numpy.argmax`: the first maximum in combination order) and the same
tolerance, ``1e-9``.  Python's ``**`` and numpy's vectorised power may differ in the last bit;
that can only matter for a comparison within a few ulps of the tolerance edge.

Run ``python -m negosim.models.bargaining.reference`` for a small demonstration on the seed
scenario.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np

from negosim.core.compiled import Compiled, option_index
from negosim.core.sampling import BlockParams, block_seed, sample_block
from negosim.errors import UsageError
from negosim.scenario.schema import (
    AuthorityEffect,
    CapabilityEffect,
    PositionEffect,
    SalienceEffect,
)

__all__ = [
    "END_REASONS",
    "ReferenceActor",
    "ReferenceNegotiation",
    "ReferenceOfficial",
    "ReferenceResult",
    "ReplicateInputs",
    "replicate_inputs",
    "run_reference_block",
]

TOLERANCE = 1e-9
OPEN, AGREED, BREAKDOWN, RATIFICATION_FAILED, DEADLINE = range(5)
END_REASONS = ("open", "agreement", "breakdown", "ratification_failed", "deadline")
PROTOCOLS = ("capability", "alternating")


# -- scalar helpers with numpy's semantics -------------------------------------------------------


def _clip(x: float, low: float, high: float) -> float:
    """``np.clip`` for one float (NaN stays NaN)."""
    if x != x:
        return x
    return low if x < low else high if x > high else x


def _maximum(x: float, y: float) -> float:
    """``np.maximum`` of two floats (NaN propagates)."""
    if x != x or y != y:
        return x if x != x else y
    return x if x >= y else y


def _max(xs: list[float]) -> float:
    """``np.max`` of a non-empty list (NaN propagates)."""
    best = -math.inf
    for x in xs:
        if x != x:
            return x
        if x > best:
            best = x
    return best


def _argmax(xs: list[float]) -> int:
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


def replicate_inputs(params: BlockParams, r: int) -> ReplicateInputs:
    """Slice replicate ``r`` out of a block's sampled inputs."""
    if not 0 <= r < params.n:
        raise UsageError(f"replicate must be in [0, {params.n}) (got {r})")
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
    )


def _position_of(c: Compiled, issue: int, position: Any) -> tuple[float, int]:
    """``(value, choice)`` of a stated position; choice is -1 except on nominal issues."""
    spec = c.scenario.issues[c.issue_ids[issue]]
    k = option_index(spec, c.option_ids[issue], c.option_values[issue], position)
    return float(c.option_values[issue][k]), (k if spec.kind == "nominal" else -1)


# -- agents --------------------------------------------------------------------------------------


class ReferenceOfficial(mesa.Agent):
    """A person who speaks or decides for an actor, in one replicate.

    Parameters
    ----------
    model
        The replicate's model.
    index
        Index of the official in the scenario's ``officials``.
    """

    def __init__(self, model: ReferenceNegotiation, index: int):
        super().__init__(model)
        c = model.compiled
        self.index = index
        self.official_id = c.official_ids[index]
        spec = c.scenario.officials[self.official_id]
        self.actor_index = int(c.official_actor[index])
        self.influence = model.inputs.influence[index]
        self.authority = spec.authority
        self.hypothetical = spec.hypothetical  # no say until in office
        # Stated ideal value per issue (None: no stated position), option index on nominal issues.
        self.value: list[float | None] = [None] * len(c.issue_ids)
        self.choice: list[int] = [-1] * len(c.issue_ids)
        for i, issue_id in enumerate(c.issue_ids):
            stance = spec.stances.get(issue_id)
            if stance is not None:
                self.value[i], self.choice[i] = _position_of(c, i, stance.position)

    def step(self) -> None:
        """Officials do not act alone: their actor weighs them when it re-forms its stance."""

    def has_authority(self, day: dt.date) -> bool:
        """True when one of the official's authority periods contains ``day``."""
        return any(period.contains(day) for period in self.authority)


class ReferenceActor(mesa.Agent):
    """A state or organisation at the table, in one replicate.

    Each :meth:`step` re-forms the actor's stance from its officials and, when the stance or what
    it weighs changed, re-values every combination of every package.

    Parameters
    ----------
    model
        The replicate's model.
    index
        Index of the actor in the scenario's ``actors``.
    """

    def __init__(self, model: ReferenceNegotiation, index: int):
        super().__init__(model)
        c, x = model.compiled, model.inputs
        self.index = index
        self.actor_id = c.actor_ids[index]
        self.spec = c.scenario.actors[self.actor_id]
        n_issues = len(c.issue_ids)
        self.base_value = [math.nan] * n_issues
        self.base_choice = [-1] * n_issues
        for i, issue_id in enumerate(c.issue_ids):
            stance = self.spec.stances.get(issue_id)
            if stance is not None:
                self.base_value[i], self.base_choice[i] = _position_of(c, i, stance.position)
        self.officials: list[ReferenceOfficial] = []
        self.head = -1  # official made head by an authority effect
        self.override_value = [math.nan] * n_issues
        self.override_choice = [-1] * n_issues
        self.capability = x.capability[index]
        self.salience = list(x.salience[index])
        self.patience = x.patience[index]
        self.risk = x.risk[index]
        self.fallback_value = x.fallback_value[index]
        self.explicit = [x.explicit_utility[i][index] for i in range(n_issues)]
        self.beta = self.spec.behaviour.concession_exponent
        outcomes = self.spec.fallback.outcomes
        self.fallback_acts = [
            not outcomes or any(c.issue_ids[i] in outcomes for i in package.issues)
            for package in c.packages
        ]
        self.ideal: list[float] = []
        self.choice: list[int] = []
        self.stale = True  # an event changed what the actor weighs
        self.revalued = False
        self.utility: list[list[float]] = []  # per package, per combination
        self.u_eff: list[list[float]] = []
        self.reservation: list[float] = []

    def current_head(self, day: dt.date) -> int:
        """Official deciding for the actor on ``day`` (-1: none)."""
        if self.head >= 0:
            return self.head
        static = -1
        for official in self.officials:
            if official.has_authority(day):
                static = official.index  # the last one in file order wins
        return static

    def form_stance(self, day: dt.date) -> tuple[list[float], list[int]]:
        """Ideal point and preferred option per issue on ``day``.

        The head's stated position replaces the actor's own (``head_decides``); every other
        official with a stated position pulls the ideal by ``sum(w (v - base)) / (1 + sum(w))``,
        at most ``pull_limit`` points; a position effect overrides everything.
        """
        limit = self.model.pull_limit
        head = self.current_head(day) if self.spec.rule == "head_decides" else -1
        ideal, choice = [], []
        for i in range(len(self.base_value)):
            value, chosen = self.base_value[i], self.base_choice[i]
            for official in self.officials:
                if official.index == head:
                    stated = official.value[i]
                    if stated is not None:
                        value = stated
                    if official.choice[i] >= 0:
                        chosen = official.choice[i]
            pull, weight = 0.0, 0.0
            for official in self.officials:
                stated = official.value[i]
                if official.index == head or stated is None or official.hypothetical:
                    continue
                gap = stated - value
                pull += official.influence * (0.0 if gap != gap else gap)
                weight += official.influence
            value = value + _clip(pull / (1.0 + weight), -limit, limit)
            if self.override_value[i] == self.override_value[i]:
                value = self.override_value[i]
            if self.override_choice[i] >= 0:
                chosen = self.override_choice[i]
            ideal.append(value)
            choice.append(chosen)
        return ideal, choice

    def step(self) -> None:
        """Re-form the stance; re-value the packages when anything the actor weighs changed."""
        ideal, choice = self.form_stance(self.model.day)
        same = len(ideal) == len(self.ideal) and all(
            a == b or (a != a and b != b) for a, b in zip(ideal, self.ideal, strict=True)
        )
        self.revalued = self.stale or not same or choice != self.choice
        self.ideal, self.choice = ideal, choice
        if self.revalued:
            self.value_packages()
            self.stale = False

    def option_utilities(self) -> list[list[float]]:
        """Utility of each option of each issue: distance or explicit, bent by the risk attitude."""
        c = self.model.compiled
        exponent = 2.0**self.risk
        table = []
        for i, issue_id in enumerate(c.issue_ids):
            nominal = c.scenario.issues[issue_id].kind == "nominal"
            row = []
            for k, v in enumerate(c.option_values[i].tolist()):
                u = self.explicit[i][k]
                if u != u:
                    if nominal:
                        u = 1.0 if k == self.choice[i] else 0.0
                    else:
                        u = 1.0 - abs(v - self.ideal[i]) / 100.0
                row.append(_clip(u, 0.0, 1.0) ** exponent)
            table.append(row)
        return table

    def value_packages(self) -> None:
        """Utility, effective utility and reservation of every combination of every package."""
        model = self.model
        options = self.option_utilities()
        self.utility, self.u_eff, self.reservation = [], [], []
        for k, package in enumerate(model.packages):
            weights = [self.salience[i] for i in package.issues]
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
            value = self.fallback_value if self.fallback_acts[k] else math.nan
            reservation = utility[package.no_deal] if value != value else value
            p_all = model.ratify_probability
            u_eff = []
            for c, u in enumerate(utility):
                if c == package.no_deal or not package.allowed[self.index][c]:
                    u_eff.append(-math.inf)
                    continue
                p = p_all if package.needs_ratification[c] else 1.0
                u_eff.append(p * u + (1.0 - p) * reservation)
            self.utility.append(utility)
            self.u_eff.append(u_eff)
            self.reservation.append(reservation)

    def aspiration(self, k: int, t: int) -> float:
        """From the best attainable package on ``k`` down to the strategic floor at round ``t``."""
        model = self.model
        floor = model.floors[k][t - model.floor_start][self.index]
        best = _max(self.u_eff[k])
        if not math.isfinite(best):
            best = floor
        alpha = model.alpha[t][self.index]
        return floor + (1.0 - alpha) * _maximum(best - floor, 0.0)


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
    seed
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
        seed: int = 0,
        every_round: bool = False,
    ):
        super().__init__(rng=seed)
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
                _clip((t + 1) / self.n_rounds, 0.0, 1.0) ** (1.0 / actor.beta)
                for actor in self.actors
            ]
            for t in range(self.n_rounds)
        ]
        self.pending = self._pending_changes()
        K = len(self.packages)
        self.status = [OPEN] * K
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
            actor.salience[i] = _clip(new, 0.0, 1.0)
        elif isinstance(effect, CapabilityEffect):
            assert value is not None
            actor.capability = actor.capability * value
        elif isinstance(effect, PositionEffect):
            i = c.issue_ids.index(effect.issue)
            actor.override_value[i], actor.override_choice[i] = _position_of(c, i, effect.to)
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
                floor = [_maximum(reservation[a], patience[a] * value[a]) for a in range(A)]
                floors[t - t0] = floor
                acceptable = [
                    c for c in table if all(u_eff[a][c] >= floor[a] - TOLERANCE for a in range(A))
                ]
                feasible = bool(acceptable)
                payoff = [0.0] * A
                for p, weight in enumerate(self.recognition(t, k)):
                    if weight == 0.0:
                        continue
                    best = acceptable[_argmax([u_eff[p][c] for c in acceptable])] if feasible else 0
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
            if self.status[k] == OPEN:
                self.bargain(k, t, self.proposer(t, k))
        self.round_index += 1
        if self.round_index >= self.n_rounds or OPEN not in self.status:
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
            offer = acceptable[_argmax([own[c] for c in acceptable])]
            self.end_round[k] = t
            if package.needs_ratification[offer] and not self.ratify_all:
                self.status[k] = RATIFICATION_FAILED
            else:
                self.status[k] = AGREED
                self.combo[k] = offer
            return
        if self.pending[t]:
            return
        zone = any(
            all(actor.u_eff[k][c] >= actor.reservation[k] - TOLERANCE for actor in actors)
            for c in package.on_table
        )
        if not zone:
            self.status[k] = BREAKDOWN
            self.end_round[k] = t

    def finish(self) -> None:
        """Packages still open at the end hit the deadline."""
        last = max(0, self.round_index - 1)
        for k, status in enumerate(self.status):
            if status == OPEN:
                self.status[k] = DEADLINE
                self.end_round[k] = last
        self.running = False


# -- a block of replicates -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceResult:
    """Outcome arrays of a block played by the reference, shaped like ``BlockResult``'s."""

    block: int
    first_run: int
    n: int
    status: np.ndarray  # (K, R) index into END_REASONS
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
        Where the block's randomness comes from (:func:`negosim.models.bargaining.run.block_seed`).
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
    mesa_seed = master_seed + block
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
            seed=mesa_seed + r,
            every_round=every_round,
        )
        while model.running:
            model.step()
        if model.n_rounds == 0:
            model.finish()
        status[:, r] = model.status
        end_round[:, r] = model.end_round
        combo[:, r] = model.combo
        # Mesa 3.3 keeps every model in Agent._ids; let this one go (see NegotiationModel.release).
        registry = getattr(mesa.Agent, "_ids", None)
        if isinstance(registry, dict):
            registry.pop(model, None)
    return ReferenceResult(
        block=block, first_run=first_run, n=n, status=status, end_round=end_round, combo=combo
    )


if __name__ == "__main__":  # pragma: no cover - a demonstration
    from pathlib import Path

    from negosim import load_scenario
    from negosim.core.compiled import compile_scenario

    root = Path(__file__).resolve().parents[1]
    scenario = load_scenario(root / "scenarios" / "nato_russia_missile_defence_2012.yaml")
    result = run_reference_block(
        compile_scenario(scenario), master_seed=1, block=0, n=20, first_run=0
    )
    for k, package in enumerate(compile_scenario(scenario).packages):
        reasons = [END_REASONS[s] for s in result.status[k]]
        print(package.package_id, {r: reasons.count(r) for r in sorted(set(reasons))})
