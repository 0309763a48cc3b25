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

import negosim.models.bargaining.rules as rules
from negosim.core import utility
from negosim.core.compiled import Compiled
from negosim.core.fallbacks import fallback_plays
from negosim.core.sampling import BlockParams
from negosim.core.status import END_REASONS, Status
from negosim.models.bargaining.agents import ActorAgent, OfficialAgent
from negosim.models.bargaining.mesa_compat import forget_model

__all__ = ["NegotiationModel"]


class NegotiationModel(mesa.Model):
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
        betas = np.array([c.scenario.actors[a].behaviour.concession_exponent for a in c.actor_ids])
        alpha = rules.concession_alpha(betas, c.n_rounds)  # (T, A): one power over every actor
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
        # The current valuation's table-level part (the actors hold their own rows).
        self.option_u: list[np.ndarray] = []  # per issue, core.utility's (R, A, K)
        self.table: list[np.ndarray] = []  # per package, (J,) the combinations in play
        self.zone: list[np.ndarray] = []  # per package, (R,) some combination beats every fallback
        self.share: list[np.ndarray] = []  # per package, (A, R) clout shares
        self._cumulative_share: list[np.ndarray] = []
        T, n_issues = c.n_rounds, len(c.issue_ids)
        self.aspirations = np.full((T, K, A, R), np.nan) if record else None
        self.ideals = np.full((T, A, n_issues, R), np.nan) if record else None
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

    def _fire_events(self, t: int) -> bool:
        """Hand every effect due by round ``t`` to the actor it names; True if any applied."""
        c, p = self.compiled, self.params
        day = c.round_dates[t]
        before = c.round_dates[t - 1] if t > 0 else dt.date.min
        due = [e for e, k in enumerate(c.event_ids) if before < c.scenario.events[k].date <= day]
        changed = False
        for draw in p.effects:
            if draw.event not in due:
                continue
            mask = p.happens[:, draw.event]
            if draw.outcome >= 0:
                mask = mask & (p.outcome[:, draw.event] == draw.outcome)
            if mask.any():
                self._by_id[draw.effect.actor].apply_effect(draw.effect, draw.values, mask)
                changed = True
        if self.explain:
            for e in due:
                if not p.happens[self.explain_at, e]:
                    continue
                event = c.scenario.events[c.event_ids[e]]
                line = f"  event: {event.label}"
                if p.outcome[self.explain_at, e] >= 0:
                    line += (
                        f": {list(event.outcomes.values())[p.outcome[self.explain_at, e]].label}"
                    )
                self.narrative.append(line)
        return changed

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
            # could still agree: inside every red line and at least as good as every fallback.
            # The reduction is exact: floors and aspirations never fall below the fallback, so
            # a combination outside that zone can never be accepted until the next valuation.
            reservation = np.ascontiguousarray(res.T)  # (A, R)
            rows = np.take(u_eff, package.on_table, axis=2)  # (R, A, J of on_table)
            in_zone = rules.acceptable_to_all(rows.transpose(1, 2, 0), reservation)  # (J, R)
            keep = np.flatnonzero(in_zone.any(axis=1))
            table = package.on_table[keep]  # the combinations in play
            u_table = np.ascontiguousarray(rows[:, :, keep].transpose(1, 2, 0))  # (A, J, R)
            self.table.append(table)
            zone: np.ndarray = np.any(in_zone, axis=0)
            self.zone.append(zone)
            self.share.append(self._clout_share(k, capability, salience))
            best = np.ascontiguousarray(u_eff.max(axis=2).T)  # (A, R) one pass over the grid
            recognition = self._recognition(t, k)
            floors = rules.strategic_floors(u_table, reservation, patience, recognition)
            for a, actor in enumerate(self.actors):
                actor.value_package(
                    k,
                    utility=u_eff[:, a, :].T,
                    table=table,
                    table_utility=u_table[a],
                    reservation=reservation[a],
                    best=best[a],
                    floors=floors[:, a],
                    start=t,
                )
        self._cumulative_share = [np.cumsum(share, axis=0) for share in self.share]

    # -- one round ---------------------------------------------------------------------------

    def _bargain(
        self, package: int, levels: list[np.ndarray], proposer: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every actor answers the combinations on the table at its aspiration ``levels[a]``
        (``(R,)``); the proposer of each replicate offers its favourite among those everyone
        accepts.  Returns ``(agreed, offer)``, both ``(R,)``; ``offer`` is meaningful only
        where ``agreed``."""
        R = self.params.n
        if len(self.table[package]) == 0:
            return np.zeros(R, dtype=bool), np.zeros(R, dtype=np.int64)
        accepted: np.ndarray | None = None
        for actor, level in zip(self.actors, levels, strict=True):
            answer = actor.accepts(package, level)
            if accepted is None:
                accepted = answer
            else:
                accepted &= answer
        assert accepted is not None
        offer = np.zeros(R, dtype=np.int64)
        for a, actor in enumerate(self.actors):
            mine = np.flatnonzero(proposer == a)
            if len(mine) == R:  # one proposer everywhere (always so under alternating offers)
                offer = actor.propose(package, accepted)
                break
            if len(mine):
                offer[mine] = actor.propose(package, accepted, mine)
        agreed: np.ndarray = np.any(accepted, axis=0)
        return agreed, offer

    def step(self) -> None:
        """Play one dated round on every open package."""
        c = self.compiled
        t = self.round_index
        day = c.round_dates[t]
        if self.explain:
            self.narrative.append(f"round {t + 1}, {day}")
        fired = self._fire_events(t)
        heads_changed = any(self.actors.map("head_changed", day))
        if heads_changed or fired or t == 0:
            self._evaluate(t)
        talking = (self.status == Status.OPEN).any(axis=0)  # (R,) some package still open
        for k, package in enumerate(c.packages):
            open_ = self.status[k] == Status.OPEN
            if not open_.any():
                continue
            proposer = self._proposer(t, k)
            levels = self.actors.map("aspiration", k, t)
            if self.aspirations is not None:  # recorded while the package is open
                self.aspirations[t, k] = np.where(open_[None, :], np.stack(levels), np.nan)
            agreed, offer = self._bargain(k, levels, proposer)
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
                broke = still & ~self.zone[k]
                self.status[k] = np.where(broke, Status.BREAKDOWN, self.status[k])
                self.end_round[k] = np.where(broke, t, self.end_round[k])
            if self.explain:
                x = self.explain_at
                level = np.array([lv[x] for lv in levels])
                self._narrate(k, proposer[x], offer[x] if agreed[x] else -1, level, open_[x])
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

    def finish(self) -> None:
        """End the talks: packages still open hit the deadline (their last round played)."""
        last = max(0, self.round_index - 1)
        timed_out = self.status == Status.OPEN
        self.status[timed_out] = Status.DEADLINE
        self.end_round[timed_out] = last
        self.running = False
        if self.explain:
            self._narrate_end()

    # -- narrative ---------------------------------------------------------------------------

    def _package_text(self, k: int, combo: int) -> str:
        c = self.compiled
        package = c.packages[k]
        parts = [
            f"{c.issue_ids[i]}={c.option_label(i, int(package.combos[combo, j]))}"
            for j, i in enumerate(package.issues)
        ]
        return "; ".join(parts)

    def _narrate(
        self, k: int, proposer: int, offer: int, level: np.ndarray, was_open: bool
    ) -> None:
        if not was_open:
            return
        c = self.compiled
        names = [c.scenario.actors[a].name for a in c.actor_ids]
        x = self.explain_at
        if offer < 0:  # nothing everyone accepts: the proposer puts forward its own favourite
            offer = self._by_index[proposer].favourite(k, x)
        u = [float(actor.utility[k][offer, x]) for actor in self.actors]
        self.narrative.append(
            f"  [{c.packages[k].package_id}] {names[proposer]} proposes: "
            f"{self._package_text(k, offer)}"
        )
        for a, name in enumerate(names):
            if a == proposer:
                continue
            verdict = "accepts" if u[a] >= level[a] - rules.TOLERANCE else "rejects"
            sign = ">=" if verdict == "accepts" else "<"
            shown = "red line crossed" if not np.isfinite(u[a]) else f"utility {u[a]:.2f}"
            self.narrative.append(f"    {name} {verdict}: {shown} {sign} aspiration {level[a]:.2f}")
        status = END_REASONS[self.status[k, x]]
        if status != END_REASONS[Status.OPEN]:
            self.narrative.append(f"    -> {status}")

    def _narrate_end(self) -> None:
        c = self.compiled
        self.narrative.append("end of talks")
        for k, package in enumerate(c.packages):
            x = self.explain_at
            reason = END_REASONS[self.status[k, x]]
            self.narrative.append(
                f"  [{package.package_id}] {reason} in round {self.end_round[k, x] + 1}, "
                f"{c.round_dates[self.end_round[k, x]]}: "
                f"{self._package_text(k, int(self.combo[k, x]))}"
            )
        for a, actor_id in enumerate(c.actor_ids):
            spec = c.scenario.actors[actor_id]
            if fallback_plays(c, self.status, a)[self.explain_at]:
                self.narrative.append(f"  fallback of {spec.name}: {spec.fallback.description}")
