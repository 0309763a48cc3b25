"""The negotiation as a Mesa model carrying a block of replicates as arrays.

Each :meth:`NegotiationModel.step` is one dated round: events due by the round's date fire (each
effect is applied by the actor it names), actors re-form their stances from their officials, and
on every open package the actors say what they ask for (their aspirations), answer every
combination on the table, and the round's proposer offers the combination it likes best among
those everyone accepts.  Packages end in agreement, breakdown (no package is at least as good as
every fallback and no event that can still fire could change that), a failed ratification, or the
deadline.  The rules are documented in :mod:`negosim.models.bargaining.rules` and
``docs/engine.md``.

Who owns what: the :class:`~negosim.models.bargaining.agents.ActorAgent` owns its inputs, its
stance, its row of each valuation and its behaviour in a round; the model owns what belongs to the
table (the protocol, the combinations in play, each package's status, end round and settled
combination) and runs the vectorised kernels (:mod:`negosim.core.utility`,
:mod:`negosim.models.bargaining.rules`) over the agents' stacked answers.  It reaches its agents
through Mesa's :class:`~mesa.agent.AgentSet` and never writes their arrays.
"""

from __future__ import annotations

import datetime as dt

import mesa
import numpy as np

import negosim.models.bargaining.planning as planning
import negosim.models.bargaining.rules as rules
from negosim.core import utility
from negosim.core.compiled import Compiled
from negosim.core.particles import Particles
from negosim.core.sampling import BlockParams
from negosim.core.status import Status
from negosim.models.bargaining.agents import ActorAgent, OfficialAgent
from negosim.models.bargaining.beliefs import (
    believed_zone,
    likelihood_update,
    minds,
    particle_group,
    weighted_quantiles,
)
from negosim.models.bargaining.mesa_compat import forget_model
from negosim.models.bargaining.narrative import Narrator

__all__ = ["NegotiationModel"]


class NegotiationModel(Narrator, mesa.Model):
    """Deadline-driven multilateral bargaining over a block of replicates.

    Parameters
    ----------
    compiled
        The compiled scenario.
    params
        The block's sampled inputs.
    protocol
        ``"capability"``: each round's proposer on a package is drawn with probability
        proportional to clout, capability x mean salience on the package (Baron & Ferejohn 1989
        with Bueno de Mesquita's clout); ``"alternating"``: actors propose in turn, in the
        order of the file (Rubinstein 1982 for two actors).
    pull_limit
        How far (points on 0-100) officials other than the head can pull an actor's ideal point.
    record
        Keep per-round aspirations and ideal points (for trajectories).
    explain
        Keep a round-by-round narrative (meant for a block of one replicate).
    explain_at
        The replicate whose round-by-round story is told.
    particles
        The observers' beliefs (:func:`negosim.core.particles.sample_particles`): one set of
        particles per actor (the common prior) and one per declared belief.
    information
        ``"private"``: each actor knows only its own type and holds ``particles`` about the
        others; ``"complete"``: every type is known (the particles are ignored).
    tremble
        The chance, in observers' eyes, that an actor answers or proposes against its type (so
        that a surprise never empties a belief).
    walk_away
        An actor walks away when its believed chance that some package beats every fallback
        falls below this (and no event that could change things is still due).
    rng
        Seed of Mesa's own generator (``Model(rng=...)``; :func:`~negosim.models.bargaining.run.
        mesa_seed` derives it from the block's seed sequence).  The rules draw nothing from it:
        every random number they use was drawn beforehand by :mod:`negosim.core.sampling`, so the
        results do not depend on it.
    """

    def __init__(
        self,
        compiled: Compiled,
        params: BlockParams,
        *,
        protocol: str = "capability",
        pull_limit: float = 25.0,
        record: bool = False,
        explain: bool = False,
        explain_at: int = 0,
        particles: list[Particles] | None = None,
        information: str = "private",
        tremble: float = 0.05,
        walk_away: float = 0.05,
        rng: int = 0,
    ):
        super().__init__(rng=rng)
        self.compiled = compiled
        self.params = params
        self.protocol = protocol
        self.record = record
        self.explain = explain
        self.explain_at = explain_at
        self.narrative: list[str] = []
        c = compiled
        R, A, K = params.n, c.n_actors, len(c.packages)
        for o in range(len(c.official_ids)):
            OfficialAgent(self, c, params, o)
        styles = [c.scenario.actors[a].behaviour.concession_exponent for a in c.actor_ids]
        betas = np.array([1.0 if b is None else b for b in styles])
        alpha = rules.concession_alpha(betas, c.n_rounds)  # (T, A): one power over every actor
        # An actor without a declared concession style asks for its value of continuing.
        alpha[:, [a for a, b in enumerate(styles) if b is None]] = 1.0
        self.alpha = alpha
        for a in range(A):
            ActorAgent(self, c, params, a, alpha=alpha[:, a], pull_limit=pull_limit)
        self.actors: mesa.agent.AgentSet = self.agents_by_type[ActorAgent]  # in file order
        self._by_index: list[ActorAgent] = list(self.actors)
        self._by_id = {actor.actor_id: actor for actor in self.actors}
        self.status = np.full((K, R), Status.OPEN, dtype=np.int8)
        self.end_round = np.full((K, R), -1, dtype=np.int64)
        self.combo = np.zeros((K, R), dtype=np.int64)
        for k, package in enumerate(c.packages):
            self.combo[k] = package.no_deal
        self.round_index = 0
        # The table's ratification: every body passes, and the chance that all of them do.
        self.ratify_all = params.ratifies.all(axis=1)  # (R,)
        self.ratify_probability = params.pass_probability.prod(axis=1)  # (R,)
        self._pending = self._pending_changes()
        self._due = rules.valuation_rounds(c)
        # Beliefs: groups 0..A-1 are the true types, group A + s is particle set s.
        self.sets = [] if particles is None or information == "complete" else list(particles)
        self.complete = not self.sets
        self.mind = minds(A, self.sets, self.complete)
        self.tremble, self.walk_away = tremble, walk_away
        self.weights: list[np.ndarray] = [np.ones((1, R)) for _ in range(A)] + [
            np.full((s.p, R), 1.0 / s.p) for s in self.sets
        ]
        self.groups: list[list[planning.Group]] = []  # per package, the valuation's groups
        self.group_floors: list[list[np.ndarray]] = []  # per package, per group (T', P, R)
        self.floor_start = 0
        self.had_zone = np.zeros((K, R), dtype=bool)  # a package all prefer existed while open
        # The current valuation's table-level part (the actors hold their own rows).
        self.option_u: list[np.ndarray] = []  # per issue, core.utility's (R, A, K)
        self.table: list[np.ndarray] = []  # per package, (J,) the combinations in play
        self.zone: list[np.ndarray] = []  # per package, (R,) some combination beats every fallback
        self.share: list[np.ndarray] = []  # per package, (A, R) clout shares
        self._cumulative_share: list[np.ndarray] = []
        T, n_issues = c.n_rounds, len(c.issue_ids)
        self.aspirations = np.full((T, K, A, R), np.nan) if record else None
        self.ideals = np.full((T, A, n_issues, R), np.nan) if record else None
        # What each holder believes each target's reservation value is (5 %, 50 %, 95 %).
        self.beliefs = np.full((T, K, A, A, 3, R), np.nan) if record else None
        self.running = c.n_rounds > 0

    # -- helpers -----------------------------------------------------------------------------

    def _pending_changes(self) -> np.ndarray:
        """``(T,)`` True where an event with effects is still due after that round."""
        c = self.compiled
        dates = [
            c.scenario.events[e].date
            for e in c.event_ids
            if c.scenario.events[e].effects
            or any(o.effects for o in c.scenario.events[e].outcomes.values())
        ]
        # An event fires at the first round dated on or after it: one dated after the last round
        # (even if before the deadline) can never fire, so it must not hold off a breakdown.
        last = c.round_dates[-1] if c.round_dates else c.scenario.calendar.start
        return np.array([any(day < d <= last for d in dates) for day in c.round_dates])

    def _salience(self) -> np.ndarray:
        """The actors' saliences stacked for :mod:`negosim.core.utility`: an ``(R, A, I)`` view."""
        return np.stack([actor.salience for actor in self.actors]).transpose(2, 0, 1)

    def _clout_share(
        self, package: int, capability: np.ndarray, salience: np.ndarray
    ) -> np.ndarray:
        """``(A, R)`` each actor's share of clout on a package: capability times its mean salience
        over the package's issues (Bueno de Mesquita's capability x salience), normalised.
        ``capability`` is ``(R, A)`` and ``salience`` ``(R, A, I)``, as the sums over actors
        and issues have always been taken."""
        A = self.compiled.n_actors
        issues = list(self.compiled.packages[package].issues)
        clout = capability * salience[:, :, issues].mean(axis=2)
        total = clout.sum(axis=1, keepdims=True)
        share = np.where(total > 0, clout / np.where(total > 0, total, 1.0), 1.0 / A)
        return np.ascontiguousarray(share.T)

    def _recognition(self, t0: int, package: int) -> np.ndarray:
        """``(T - t0, A, R)`` probability that each actor proposes on a package in each round.

        Under the capability protocol an actor's chance is its clout share on the package, as it
        stands when the package was last valued (events that change capability or salience
        trigger a new valuation).
        """
        c = self.compiled
        R, A, T = self.params.n, c.n_actors, c.n_rounds
        if self.protocol == "alternating":
            rec = np.zeros((T - t0, A, R))
            for t in range(t0, T):
                rec[t - t0, t % A, :] = 1.0
            return rec
        return np.broadcast_to(self.share[package], (T - t0, A, R))

    def _proposer(self, t: int, package: int) -> np.ndarray:
        """``(R,)`` index of the actor who proposes on a package in round ``t``."""
        R, A = self.params.n, self.compiled.n_actors
        if self.protocol == "alternating":
            return np.full(R, t % A, dtype=np.int64)
        cumulative = self._cumulative_share[package]
        draw = self.params.proposer_draw[:, t]
        return np.minimum((draw[None, :] >= cumulative).sum(axis=0), A - 1)

    # -- events and valuations ---------------------------------------------------------------

    def _fire_events(self, t: int) -> None:
        """Hand every effect due by round ``t`` to the actor it names (the rounds that re-value
        are the calendar's, :func:`~negosim.models.bargaining.rules.valuation_rounds`)."""
        c, p = self.compiled, self.params
        day = c.round_dates[t]
        before = c.round_dates[t - 1] if t > 0 else dt.date.min
        due = [e for e, k in enumerate(c.event_ids) if before < c.scenario.events[k].date <= day]
        for draw in p.effects:
            if draw.event not in due:
                continue
            mask = p.happens[:, draw.event]
            if draw.outcome >= 0:
                mask = mask & (p.outcome[:, draw.event] == draw.outcome)
            if mask.any():
                self._by_id[draw.effect.actor].apply_effect(draw.effect, draw.values, mask)
        if self.explain:
            self._narrate_events(due)

    def _evaluate(self, t: int) -> None:
        """Value every package from round ``t`` on and hand each actor its row.

        The shared utility kernels of :mod:`negosim.core.utility` take replicate-first
        ``(R, A, ...)`` arrays (the spatial models use them too): the actors' ``(I, R)`` and
        ``(R,)`` answers are stacked into such views here, and each actor gets back its own
        replicate-last row.
        """
        c = self.compiled
        day = c.round_dates[t]
        stances = self.actors.map("stance", day)
        ideal = np.stack([s[0] for s in stances])  # (A, I, R)
        choice = np.stack([s[1] for s in stances])
        salience = self._salience()  # (R, A, I) view
        capability = np.stack([actor.capability for actor in self.actors], axis=1)  # (R, A)
        risk = np.stack([actor.risk for actor in self.actors], axis=1)  # (R, A)
        patience = np.stack([actor.patience for actor in self.actors])  # (A, R)
        self.option_u = []
        for i, issue_id in enumerate(c.issue_ids):
            nominal = c.scenario.issues[issue_id].kind == "nominal"
            self.option_u.append(
                utility.option_utility(
                    c.option_values[i],
                    ideal[:, i].T,
                    choice[:, i].T if nominal else None,
                    self.params.explicit_utility[i],
                    risk,
                )
            )
        self.table, self.zone, self.share = [], [], []
        self.groups, self.group_floors = [], []
        for k, package in enumerate(c.packages):
            u = utility.package_utility(package, self.option_u, salience)  # (R, A, C)
            res = np.stack(
                [
                    actor.reservation_value(k, u[:, a, package.no_deal])
                    for a, actor in enumerate(self.actors)
                ],
                axis=1,
            )  # (R, A)
            u_eff = utility.effective_utility(
                package, u, res, self.ratify_probability, in_place=True
            )
            # Rounds and floors look only at the combinations that some replicate of the block
            # could still agree: inside every red line and, under complete information, at
            # least as good as every fallback; under private information, such that every
            # actor has some type (its own or one an observer considers) that values it at
            # least at that type's fallback.  Either reduction is exact replicate by
            # replicate: a combination some actor's every type rejects has no chance in any
            # observer's eyes, so it is never offered and never changes a plan, and so no
            # replicate's story depends on which others share its block.
            reservation = np.ascontiguousarray(res.T)  # (A, R)
            rows = np.take(u_eff, package.on_table, axis=2)  # (R, A, J of on_table)
            in_zone = rules.acceptable_to_all(rows.transpose(1, 2, 0), reservation)  # (J, R)
            if self.complete:
                keep = np.flatnonzero(in_zone.any(axis=1))
            else:
                keep = np.arange(in_zone.shape[0])  # narrowed below, once particles are valued
            table = package.on_table[keep]  # the combinations in play
            u_table = np.ascontiguousarray(rows[:, :, keep].transpose(1, 2, 0))  # (A, J, R)
            zone: np.ndarray = np.any(in_zone, axis=0)
            self.zone.append(zone)
            self.share.append(self._clout_share(k, capability, salience))
            best = np.ascontiguousarray(u_eff.max(axis=2).T)  # (A, R) one pass over the grid
            self.had_zone[k] |= zone & (self.status[k] == Status.OPEN)
            groups = [
                planning.Group(
                    owner=a,
                    u=u_table[a][None],
                    reservation=reservation[a][None],
                    patience=patience[a][None],
                    best=best[a][None],
                    known=True,
                )
                for a in range(c.n_actors)
            ]
            for particles in self.sets:
                j = particles.target
                groups.append(
                    particle_group(
                        c,
                        package,
                        particles,
                        ideal=ideal[j],
                        choice=choice[j],
                        pass_probability=self.params.pass_probability,
                        fallback_acts=self._by_index[j].fallback_acts[k],
                        table=table,
                    )
                )
            if not self.complete:
                keep = planning.some_type_accepts(groups, c.n_actors)
                table, u_table = table[keep], np.ascontiguousarray(u_table[:, keep])
                for group in groups:
                    group.u = np.ascontiguousarray(group.u[:, keep])
            self.table.append(table)
            recognition = self._recognition(t, k)
            floors = planning.plan(groups, self.weights, self.mind, recognition)
            self.groups.append(groups)
            self.group_floors.append(floors)
            for a, actor in enumerate(self.actors):
                actor.value_package(
                    k,
                    utility=u_eff[:, a, :].T,
                    table=table,
                    table_utility=u_table[a],
                    reservation=reservation[a],
                    best=best[a],
                    floors=floors[a][:, 0],
                    start=t,
                )
        self.floor_start = t
        self._cumulative_share = [np.cumsum(share, axis=0) for share in self.share]

    # -- one round ---------------------------------------------------------------------------

    def _levels(self, k: int, t: int, truth: list[np.ndarray]) -> list[np.ndarray]:
        """``(P, R)`` what every type of every group asks for in round ``t``: the true types'
        aspirations ``truth`` and each particle's, from its own best down to its own floor."""
        out = [level[None, :] for level in truth]
        for g in range(len(truth), len(self.groups[k])):
            group = self.groups[k][g]
            floor = self.group_floors[k][g][t - self.floor_start]
            out.append(rules.aspiration(group.best, floor, float(self.alpha[t, group.owner])))
        return out

    def _bargain(
        self,
        package: int,
        t: int,
        levels: list[np.ndarray],
        proposer: np.ndarray,
        open_: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The proposer of each replicate makes its screening offer (:func:`~negosim.models.
        bargaining.planning.offers`) and every other actor answers it at its aspiration
        ``levels[a]`` (``(R,)``); then observers learn from what they saw.

        Returns ``(agreed, offer, believed)``, each ``(R,)``: ``offer`` indexes the table (-1:
        the proposer saw no combination with a chance of acceptance), ``believed`` is the
        proposer's chance that every other actor accepts its offer.
        """
        R, A = self.params.n, self.compiled.n_actors
        offer = np.full(R, -1, dtype=np.int64)
        believed = np.zeros(R)
        if len(self.table[package]) == 0:
            return np.zeros(R, dtype=bool), offer, believed
        groups = self.groups[package]
        every = self._levels(package, t, levels)
        masks = [planning.acceptance(g, level) for g, level in zip(groups, every, strict=True)]
        chance = [
            planning.accept_chance(g, w, level, mask)
            for g, w, level, mask in zip(groups, self.weights, every, masks, strict=True)
        ]
        rows = np.arange(R)
        for i in range(A):
            mine = proposer == i
            if not mine.any():
                continue
            joint = planning.together(chance, self.mind[i], i)
            assert joint is not None
            floor = self._by_index[i].floors[package][t - self.floor_start][None, :]
            choice, feasible, _ = planning.offers(groups[i], joint, every[i], floor, masks[i])
            made = mine & feasible[0]
            offer = np.where(made, choice[0], offer)
            believed = np.where(made, joint[choice[0], rows], believed)
        x = np.maximum(offer, 0)
        agreed = offer >= 0
        answers = []
        for j, actor in enumerate(self.actors):
            yes = actor.answer(package, x, levels[j])
            answers.append(yes)
            agreed &= yes | (proposer == j)
        if not self.complete:
            self._learn(package, t, every, masks, chance, proposer, offer, answers, open_)
        return agreed, offer, believed

    def _learn(
        self,
        k: int,
        t: int,
        levels: list[np.ndarray],
        masks: list[np.ndarray],
        chance: list[np.ndarray],
        proposer: np.ndarray,
        offer: np.ndarray,
        answers: list[np.ndarray],
        open_: np.ndarray,
    ) -> None:
        """Bayes' rule on the strategies played: every particle set keeps the weight of the
        types that would have answered, or offered, as its actor did this round.

        A particle's offer is predicted with its actor's own beliefs (``mind[j]``): observers
        are taken to know what the others believe, misperceptions included (beliefs move only
        on public answers and offers, so under a common prior they are common knowledge)."""
        groups, A, R = self.groups[k], self.compiled.n_actors, self.params.n
        x = np.maximum(offer, 0)
        for g in range(A, len(groups)):
            group, weights = groups[g], self.weights[g]
            j = group.owner
            responded = open_ & (proposer != j) & (offer >= 0)
            if responded.any():
                would = masks[g][:, x, np.arange(R)]  # (P, R) each type's answer to the offer
                consistent = would == answers[j][None, :]
                weights = likelihood_update(weights, consistent, responded, self.tremble)
            proposed = open_ & (proposer == j)
            if proposed.any():
                joint = planning.together(chance, self.mind[j], j)
                assert joint is not None
                floor = self.group_floors[k][g][t - self.floor_start]
                choice, feasible, _ = planning.offers(group, joint, levels[g], floor, masks[g])
                predicted = np.where(feasible, choice, -1)
                weights = likelihood_update(
                    weights, predicted == offer[None, :], proposed, self.tremble
                )
            self.weights[g] = weights

    def _walks(self, k: int) -> np.ndarray:
        """``(R,)`` True where some actor walks away from package ``k``: under its beliefs the
        chance that some combination beats every fallback is below ``walk_away`` (under
        complete information: no combination does)."""
        R, A = self.params.n, self.compiled.n_actors
        if self.complete or len(self.table[k]) == 0:
            return ~self.zone[k]
        groups = self.groups[k]
        beats = [
            planning.accept_chance(g, w, g.reservation)
            for g, w in zip(groups, self.weights, strict=True)
        ]
        walk = np.zeros(R, dtype=bool)
        for j in range(A):
            others = [beats[self.mind[j][i]] for i in range(A) if i != j]
            walk |= believed_zone(beats[j] > 0, others) < self.walk_away
        return walk

    def _record_beliefs(self, t: int, k: int, open_: np.ndarray) -> None:
        """Keep what every holder believes every target's reservation value on ``k`` is."""
        assert self.beliefs is not None
        A = self.compiled.n_actors
        groups = self.groups[k]
        for a in range(A):
            for j in range(A):
                g = self.mind[a][j]
                if groups[g].size == 1:  # a known type (itself, or under complete information)
                    summary = np.repeat(groups[g].reservation, 3, axis=0)
                else:
                    summary = weighted_quantiles(
                        groups[g].reservation, self.weights[g], (0.05, 0.5, 0.95)
                    )
                self.beliefs[t, k, a, j] = np.where(open_[None, :], summary, np.nan)

    def step(self) -> None:
        """Play one dated round on every open package."""
        c = self.compiled
        t = self.round_index
        day = c.round_dates[t]
        if self.explain:
            self.narrative.append(f"round {t + 1}, {day}")
        self._fire_events(t)
        # The calendar decides (rules.valuation_rounds): every event and every change of head
        # falls in a due round, and no replicate's plan depends on what others in its block saw.
        if self._due[t]:
            self._evaluate(t)
        if self.explain:
            self._narrate_stances(t)
        talking = (self.status == Status.OPEN).any(axis=0)  # (R,) some package still open
        for k, package in enumerate(c.packages):
            open_ = self.status[k] == Status.OPEN
            if not open_.any():
                continue
            proposer = self._proposer(t, k)
            levels = self.actors.map("aspiration", k, t)
            if self.aspirations is not None:  # recorded while the package is open
                self.aspirations[t, k] = np.where(open_[None, :], np.stack(levels), np.nan)
            if self.explain and not self.complete:
                before = [w[:, self.explain_at].copy() for w in self.weights]
            agreed, offer_at, believed = self._bargain(k, t, levels, proposer, open_)
            table = self.table[k]
            offer = table[np.maximum(offer_at, 0)] if len(table) else np.zeros_like(offer_at)
            agreed &= open_
            failed = agreed & package.needs_ratification[offer] & ~self.ratify_all
            done = agreed & ~failed
            self.status[k] = np.where(
                done, Status.AGREED, np.where(failed, Status.RATIFICATION_FAILED, self.status[k])
            )
            self.combo[k] = np.where(done, offer, self.combo[k])
            self.end_round[k] = np.where(agreed, t, self.end_round[k])
            still = self.status[k] == Status.OPEN
            if not self._pending[t]:
                broke = still & self._walks(k)
                self.status[k] = np.where(broke, Status.BREAKDOWN, self.status[k])
                self.end_round[k] = np.where(broke, t, self.end_round[k])
            if self.explain:
                x = self.explain_at
                level = np.array([lv[x] for lv in levels])
                made = offer[x] if offer_at[x] >= 0 else -1
                self._narrate(k, proposer[x], made, level, open_[x], float(believed[x]))
                if not self.complete and open_[x]:
                    self._narrate_beliefs(k, before)
            if self.beliefs is not None:
                self._record_beliefs(t, k, open_)
        if self.ideals is not None:  # recorded while the run's talks go on
            ideal = np.stack([actor.ideal for actor in self.actors])  # (A, I, R)
            self.ideals[t] = np.where(talking[None, None, :], ideal, np.nan)
        self.round_index += 1
        if self.round_index >= c.n_rounds or not (self.status == Status.OPEN).any():
            self.finish()

    def settled_utility(self, k: int) -> np.ndarray:
        """``(A, R)`` each actor's utility of package ``k``'s final combination (its no-deal
        combination where nothing was settled), as last valued."""
        settled = utility.combination_utility(
            self.compiled.packages[k], self.option_u, self._salience(), self.combo[k]
        )
        return np.ascontiguousarray(settled.T)

    def release(self) -> None:
        """Let the finished model be freed (call after reading its outcomes).

        :func:`~negosim.models.bargaining.mesa_compat.forget_model` drops what Mesa itself keeps
        of the model.  The model and its agents refer to each other, so it is freed only when
        Python's cycle collector next runs, which large NumPy arrays do not hasten: the agents
        drop their valuation grids now, and so does the model, or a run of many models holds
        several of them at once (the outcome arrays stay).
        """
        forget_model(self)
        self.actors.do("forget_valuation")
        self.table, self.zone, self.share, self.option_u = [], [], [], []
        self._cumulative_share = []
        self.groups, self.group_floors, self.weights, self.sets = [], [], [], []

    def finish(self) -> None:
        """End the talks: packages still open hit the deadline (their last round played)."""
        last = max(0, self.round_index - 1)
        timed_out = self.status == Status.OPEN
        self.status[timed_out] = Status.DEADLINE
        self.end_round[timed_out] = last
        self.running = False
        if self.explain:
            self._narrate_end()
