"""The reference's model: one replicate, one dated round per step, and a block of replicates
played one model at a time (:func:`run_reference_block`).

A round: events due fire; when one reached the replicate (or a head changed, or in the first
round) the actors re-form their stances, every package is valued by every true type and every
particle, and the rounds left are planned by backward induction
(:func:`~negosim.models.bargaining.reference.planning.plan`).  Then on every open package the
round's proposer makes its screening offer, the others answer at their aspirations, every
observer updates its beliefs by Bayes' rule on what it saw
(:func:`~negosim.models.bargaining.reference.learning.bayes`), and, when no event that could
change things is still due, an actor who believes nothing can beat every fallback walks away.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np

from negosim.core.compiled import Compiled
from negosim.core.particles import sample_particles
from negosim.core.sampling import block_seed, sample_block
from negosim.core.status import Status
from negosim.errors import UsageError
from negosim.models.bargaining.mesa_compat import forget_model
from negosim.models.bargaining.reference.agents import (
    ReferenceActor,
    ReferenceOfficial,
    concede,
)
from negosim.models.bargaining.reference.inputs import (
    INFORMATION,
    PROTOCOLS,
    TOLERANCE,
    ReplicateInputs,
    np_clip,
    position_of,
    replicate_inputs,
)
from negosim.models.bargaining.reference.learning import bayes, walks_away
from negosim.models.bargaining.reference.planning import (
    Group,
    accept_chance,
    offer,
    plan,
    together,
)
from negosim.models.bargaining.reference.valuation import option_utilities, value_package
from negosim.models.bargaining.rules import valuation_rounds
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
        The replicate's sampled numbers and particles (see :func:`replicate_inputs`).
    protocol
        ``"capability"`` (proposer on a package drawn in proportion to clout there, capability
        x mean salience) or ``"alternating"`` (turns in file order).
    pull_limit
        How far officials other than the head can pull an actor's ideal point.
    information
        ``"private"``: each actor knows its own type and holds the replicate's particles about
        the others; ``"complete"``: every type is known.
    tremble
        The chance, in observers' eyes, that an actor answers or proposes against its type.
    walk_away
        An actor walks away when its believed chance that some combination beats every fallback
        falls below this.
    rng
        Seed of Mesa's generator; it only orders :meth:`mesa.agent.AgentSet.shuffle_do`, which
        the rules do not depend on.
    every_round
        Re-value and re-plan in every round, as a tutorial model's ``step`` would, instead of
        only when an event's effect or a change of head reached the replicate.  Under complete
        information the results are identical; under private information a plan made later uses
        what has been learnt since, so the results differ.
    """

    def __init__(
        self,
        compiled: Compiled,
        inputs: ReplicateInputs,
        *,
        protocol: str = "capability",
        pull_limit: float = 25.0,
        information: str = "private",
        tremble: float = 0.05,
        walk_away: float = 0.05,
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
        self.tremble = tremble
        self.walk_away = walk_away
        self.every_round = every_round
        self.due = valuation_rounds(compiled)  # the calendar's re-planning rounds
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
        A = len(self.actors)
        self.ratify_all = all(inputs.ratifies)
        self.ratify_probability = 1.0
        for p in inputs.pass_probability:
            self.ratify_probability *= p
        self.alpha = [
            [
                1.0
                if actor.beta is None
                else np_clip((t + 1) / self.n_rounds, 0.0, 1.0) ** (1.0 / actor.beta)
                for actor in self.actors
            ]
            for t in range(self.n_rounds)
        ]
        self.pending = self._pending_changes()
        # Who believes what: group a is actor a's true type; group A + s is belief s.  Actor a
        # considers actor i's types to be its declared belief about i, else the common prior.
        self.private = information == "private" and bool(inputs.beliefs)
        self.beliefs = inputs.beliefs if self.private else []
        self.mind = [[i for i in range(A)] for _ in range(A)]
        for a in range(A):
            for i in range(A):
                if self.private and i != a:
                    self.mind[a][i] = self._held(a, i)
        self.weights = [[1.0] for _ in range(A)] + [
            [1.0 / len(b.particles)] * len(b.particles) for b in self.beliefs
        ]
        K = len(self.packages)
        self.status = [Status.OPEN] * K
        self.end_round = [-1] * K
        self.combo = [p.no_deal for p in self.packages]
        self.had_zone = [False] * K  # a combination every actor prefers existed while open
        self.zone = [False] * K
        self.groups: list[list[Group]] = []  # [package][group]
        self.floors: list[list[list[list[float]]]] = []  # [package][group][round - start][type]
        self.shares: list[list[float]] = []  # [package][actor] recognition under capability
        self.floor_start = 0
        self.round_index = 0
        self.running = self.n_rounds > 0

    def _held(self, holder: int, target: int) -> int:
        """The group of the belief ``holder`` holds about ``target``."""
        A = len(self.actors)
        common = -1
        for s, belief in enumerate(self.beliefs):
            if belief.target == target and belief.holder == holder:
                return A + s
            if belief.target == target and belief.holder is None:
                common = A + s
        return common

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

    # -- proposers, valuations and plans ---------------------------------------------------------

    def clout_shares(self, k: int) -> list[float]:
        """Each actor's share of clout on package ``k``: capability times mean salience over the
        package's issues, normalised."""
        A = len(self.actors)
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

    def recognition(self, t: int, k: int) -> list[float]:
        """The chance that each actor proposes on package ``k`` in round ``t`` (clout shares as
        last valued, or turns)."""
        A = len(self.actors)
        if self.protocol == "alternating":
            return [1.0 if a == t % A else 0.0 for a in range(A)]
        return self.shares[k]

    def proposer(self, t: int, k: int) -> int:
        """The actor who proposes on package ``k`` at round ``t`` (pre-drawn uniform number)."""
        A = len(self.actors)
        if self.protocol == "alternating":
            return t % A
        draw = self.inputs.proposer_draw[t]
        cumulative, passed = 0.0, 0
        for share in self.shares[k]:
            cumulative += share
            passed += draw >= cumulative
        return min(passed, A - 1)

    def particle_group(self, k: int, s: int) -> Group:
        """Belief ``s``'s particles valued on package ``k``: each a type of the target, with the
        target's public stance; the others' ratifying bodies pass with their true chances."""
        belief = self.beliefs[s]
        j = belief.target
        target = self.actors[j]
        others = 1.0
        first = True
        for i, p in enumerate(self.inputs.pass_probability):
            if i != j:
                others = p if first else others * p
                first = False
        table = self.packages[k].on_table
        group = Group(owner=j, u=[], reservation=[], patience=[], best=[], known=False)
        for kind in belief.particles:
            options = option_utilities(self.compiled, target.ideal, target.choice, kind)
            valued = value_package(
                self.packages[k],
                j,
                options,
                kind,
                fallback_acts=target.fallback_acts[k],
                ratify=others * kind.pass_probability,
            )
            group.u.append([valued.u_eff[x] for x in table])
            group.reservation.append(valued.reservation)
            group.patience.append(kind.patience)
            group.best.append(valued.best)
        return group

    def value_and_plan(self, t: int) -> None:
        """Value every package (true types and particles) and plan rounds ``t..T-1``."""
        for actor in self.actors:
            actor.value_packages()
        self.groups, self.floors, self.shares = [], [], []
        for k, package in enumerate(self.packages):
            self.shares.append(self.clout_shares(k))
            truth = [actor.valuations[k] for actor in self.actors]
            self.zone[k] = any(
                all(v.u_eff[x] >= v.reservation - TOLERANCE for v in truth)
                for x in package.on_table
            )
            if self.status[k] == Status.OPEN:
                self.had_zone[k] = self.had_zone[k] or self.zone[k]
            groups = [
                Group(
                    owner=a,
                    u=[[v.u_eff[x] for x in package.on_table]],
                    reservation=[v.reservation],
                    patience=[self.actors[a].patience],
                    best=[v.best],
                    known=True,
                )
                for a, v in enumerate(truth)
            ]
            groups += [self.particle_group(k, s) for s in range(len(self.beliefs))]
            rounds = [self.recognition(r, k) for r in range(t, self.n_rounds)]
            self.groups.append(groups)
            self.floors.append(plan(groups, self.weights, self.mind, rounds))
        self.floor_start = t

    # -- one round -----------------------------------------------------------------------------

    def step(self) -> None:
        """One dated round: events, stances, then a proposal on every open package."""
        t = self.round_index
        self.day = self.compiled.round_dates[t]
        self.fire_events(t)
        if self.every_round or self.due[t]:  # the calendar: events and heads change only then
            self.agents.shuffle_do("step")  # stances
            self.value_and_plan(t)
        for k in range(len(self.packages)):
            if self.status[k] == Status.OPEN:
                self.bargain(k, t, self.proposer(t, k))
        self.round_index += 1
        if self.round_index >= self.n_rounds or Status.OPEN not in self.status:
            self.finish()

    def levels(self, k: int, t: int) -> list[list[float]]:
        """What every type of every group asks for on package ``k`` in round ``t``."""
        out = []
        for n, group in enumerate(self.groups[k]):
            floor = self.floors[k][n][t - self.floor_start]
            alpha = self.alpha[t][group.owner]
            out.append([concede(b, f, alpha) for b, f in zip(group.best, floor, strict=True)])
        return out

    def bargain(self, k: int, t: int, proposer: int) -> None:
        """The proposer makes its screening offer and the others answer at their aspirations;
        observers learn from what they saw; then ratification, and a walk-away when nothing due
        can change things."""
        package, groups, A = self.packages[k], self.groups[k], len(self.actors)
        if package.on_table:
            every = self.levels(k, t)
            chances = [accept_chance(g, self.weights[n], every[n]) for n, g in enumerate(groups)]
            joint = together(chances, self.mind[proposer], proposer)
            assert joint is not None, "bargaining needs two actors"
            floor = self.floors[k][proposer][t - self.floor_start][0]
            made = offer(groups[proposer].u[0], joint, every[proposer][0], floor)
            x = made.choice if made.feasible else -1
            answers = [groups[j].u[0][max(x, 0)] >= every[j][0] - TOLERANCE for j in range(A)]
            if self.private:
                self.learn(k, t, every, chances, proposer, x, answers)
            if x >= 0 and all(answers[j] for j in range(A) if j != proposer):
                agreed = package.on_table[x]
                self.end_round[k] = t
                if package.needs_ratification[agreed] and not self.ratify_all:
                    self.status[k] = Status.RATIFICATION_FAILED
                else:
                    self.status[k] = Status.AGREED
                    self.combo[k] = agreed
                return
        if self.pending[t]:
            return
        if self.private and package.on_table:
            walked = walks_away(groups, self.weights, self.mind, self.walk_away)
        else:
            walked = not self.zone[k]
        if walked:
            self.status[k] = Status.BREAKDOWN
            self.end_round[k] = t

    def learn(
        self,
        k: int,
        t: int,
        every: list[list[float]],
        chances: list[list[float]],
        proposer: int,
        x: int,
        answers: list[bool],
    ) -> None:
        """Bayes' rule on the strategies played: each belief keeps the weight of the types that
        would have answered (or offered) as its target did."""
        A = len(self.actors)
        for n in range(A, len(self.groups[k])):
            group = self.groups[k][n]
            j = group.owner
            if j != proposer and x >= 0:
                consistent = [
                    (u[x] >= level - TOLERANCE) == answers[j]
                    for u, level in zip(group.u, every[n], strict=True)
                ]
                self.weights[n] = bayes(self.weights[n], consistent, self.tremble)
            elif j == proposer:
                joint = together(chances, self.mind[j], j)
                assert joint is not None
                floor = self.floors[k][n][t - self.floor_start]
                consistent = []
                for u, level, f in zip(group.u, every[n], floor, strict=True):
                    predicted = offer(u, joint, level, f)
                    consistent.append((predicted.choice if predicted.feasible else -1) == x)
                self.weights[n] = bayes(self.weights[n], consistent, self.tremble)

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
    inefficient: np.ndarray  # (K, R) a combination all preferred existed; none was agreed


def run_reference_block(
    compiled: Compiled,
    *,
    master_seed: int,
    block: int,
    n: int,
    first_run: int,
    protocol: str = "capability",
    pull_limit: float = 25.0,
    information: str = "private",
    particles: int = 8,
    tremble: float = 0.05,
    walk_away: float = 0.05,
    every_round: bool = False,
) -> ReferenceResult:
    """Sample a block exactly as :func:`~negosim.models.bargaining.run.run_block` does (inputs
    and particles), then play each of its ``n`` replicates as its own Mesa model.

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
    information, particles, tremble, walk_away
        As for the engine: ``"private"`` (each actor holds ``particles`` particles about each
        other actor) or ``"complete"``; the trembles of Bayes' rule; the walk-away threshold.
    every_round
        Re-value and re-plan in every round (see :class:`ReferenceNegotiation`).

    Returns
    -------
    ReferenceResult
        Status, end round, settled combination and the inefficient-failure flag per package
        and replicate.
    """
    if protocol not in PROTOCOLS:
        raise UsageError(f"protocol must be one of {PROTOCOLS} (got {protocol!r})")
    if information not in INFORMATION:
        raise UsageError(f"information must be one of {INFORMATION} (got {information!r})")
    seed = block_seed(master_seed, block)
    params = sample_block(compiled, seed, n)
    held = sample_particles(compiled, seed, n, particles) if information == "private" else None
    # Mesa's generators (one per replicate's model) are seeded from the block's stream too.
    mesa_seeds = block_seed(master_seed, block).generate_state(max(1, n)).tolist()
    K = len(compiled.packages)
    status = np.zeros((K, n), dtype=np.int8)
    end_round = np.full((K, n), -1, dtype=np.int64)
    combo = np.zeros((K, n), dtype=np.int64)
    inefficient = np.zeros((K, n), dtype=bool)
    for r in range(n):
        model = ReferenceNegotiation(
            compiled,
            replicate_inputs(params, r, held),
            protocol=protocol,
            pull_limit=pull_limit,
            information=information,
            tremble=tremble,
            walk_away=walk_away,
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
        inefficient[:, r] = [
            had and s != Status.AGREED for had, s in zip(model.had_zone, model.status, strict=True)
        ]
        forget_model(model)  # what Mesa keeps of it (see negosim.models.bargaining.mesa_compat)
    return ReferenceResult(
        block=block,
        first_run=first_run,
        n=n,
        status=status,
        end_round=end_round,
        combo=combo,
        inefficient=inefficient,
    )
