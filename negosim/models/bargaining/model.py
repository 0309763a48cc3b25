"""The negotiation as a Mesa model carrying a block of replicates as arrays.

Each :meth:`NegotiationModel.step` is one dated round: events due by the round's date fire, actors
re-form their stances from their officials, and on every open package a proposer offers the
package it likes best among those every actor's aspiration accepts.  Packages end in agreement,
breakdown (no package is at least as good as every fallback and no event that can still fire
could change that), a failed ratification, or the deadline.  The rules are documented in
:mod:`negosim.models.bargaining.rules` and ``docs/engine.md``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import mesa
import numpy as np

from negosim.core import utility
from negosim.core.compiled import Compiled, option_index
from negosim.core.fallbacks import fallback_plays, package_in_fallback
from negosim.core.sampling import BlockParams
from negosim.core.status import END_REASONS, Status
from negosim.models.bargaining import rules
from negosim.models.bargaining.agents import ActorAgent, OfficialAgent
from negosim.scenario.schema import (
    AuthorityEffect,
    CapabilityEffect,
    PositionEffect,
    SalienceEffect,
)

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
    seed
        Seed of Mesa's own generator; the rules draw nothing from it.
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
        seed: int = 0,
    ):
        super().__init__(rng=seed)
        self.compiled = compiled
        self.params = params
        self.protocol = protocol
        self.pull_limit = pull_limit
        self.record = record
        self.explain = explain
        self.narrative: list[str] = []
        self.explain_at = 0  # the replicate whose round-by-round story is told
        c = compiled
        R, A = params.n, c.n_actors
        self.salience = params.salience.copy()
        self.capability = params.capability.copy()
        self.officials = [OfficialAgent(self, o) for o in range(len(c.official_ids))]
        self.actors = [ActorAgent(self, a) for a in range(A)]
        for official in self.officials:
            self.actors[official.actor_index].officials.append(official)
        self.beta = np.array([actor.beta for actor in self.actors])
        self.alpha = rules.concession_alpha(self.beta, c.n_rounds)
        self.patience = np.ascontiguousarray(params.patience.T)  # (A, R), as the floors read it
        K = len(c.packages)
        self.status = np.zeros((K, R), dtype=np.int8)
        self.end_round = np.full((K, R), -1, dtype=np.int64)
        self.combo = np.zeros((K, R), dtype=np.int64)
        for k, package in enumerate(c.packages):
            self.combo[k] = package.no_deal
        self.round_index = 0
        self.ratify_all = params.ratifies.all(axis=1)
        self.ratify_probability = params.pass_probability.prod(axis=1)
        self._pending = self._pending_changes()
        self._fallback_acts = [
            np.array([package_in_fallback(c, k, a) for a in range(A)]) for k in range(K)
        ]
        self._head_seen: list[np.ndarray] = []
        self.aspirations = np.full((c.n_rounds, K, R, A), np.nan) if record else None
        self.ideals = np.full((c.n_rounds, R, A, len(c.issue_ids)), np.nan) if record else None
        self.running = c.n_rounds > 0

    # -- helpers -----------------------------------------------------------------------------

    def position_of(self, issue: int, position: Any) -> tuple[float, int]:
        """``(value, choice)`` of a stated position: choice is -1 except on unordered issues."""
        c = self.compiled
        spec = c.scenario.issues[c.issue_ids[issue]]
        k = option_index(spec, c.option_ids[issue], c.option_values[issue], position)
        value = float(c.option_values[issue][k])
        return value, (k if spec.kind == "nominal" else -1)

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

    def _clout_share(self, package: int) -> np.ndarray:
        """``(A, R)`` each actor's share of clout on a package: capability times its mean salience
        over the package's issues (Bueno de Mesquita's capability x salience), normalised."""
        c = self.compiled
        A = c.n_actors
        issues = list(c.packages[package].issues)
        clout = self.capability * self.salience[:, :, issues].mean(axis=2)
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
        R, A = self.params.n, self.compiled.n_actors
        if self.protocol == "alternating":
            return np.full(R, t % A, dtype=np.int64)
        cumulative = self._cumulative_share[package]
        draw = self.params.proposer_draw[:, t]
        return np.minimum((draw[None, :] >= cumulative).sum(axis=0), A - 1)

    # -- events and stances ------------------------------------------------------------------

    def _fire_events(self, t: int) -> bool:
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
                self._apply(draw.effect, draw.values, mask)
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

    def _apply(self, effect: Any, values: np.ndarray | None, mask: np.ndarray) -> None:
        c = self.compiled
        a = c.actor_ids.index(effect.actor)
        if isinstance(effect, AuthorityEffect):
            self.actors[a].head[mask] = c.official_ids.index(effect.official)
        elif isinstance(effect, SalienceEffect):
            i = c.issue_ids.index(effect.issue)
            assert values is not None
            current = self.salience[:, a, i]
            new = values if effect.set is not None else current + values
            self.salience[:, a, i] = np.where(mask, np.clip(new, 0.0, 1.0), current)
        elif isinstance(effect, CapabilityEffect):
            assert values is not None
            self.capability[:, a] = np.where(
                mask, self.capability[:, a] * values, self.capability[:, a]
            )
        elif isinstance(effect, PositionEffect):
            i = c.issue_ids.index(effect.issue)
            value, choice = self.position_of(i, effect.to)
            self.actors[a].override_value[i, mask] = value
            self.actors[a].override_choice[i, mask] = choice

    def _evaluate(self, t: int) -> None:
        """Recompute utilities, reservations and strategic floors from round ``t`` on."""
        c, p = self.compiled, self.params
        day = c.round_dates[t]
        stances = [actor.stance(day, self.pull_limit) for actor in self.actors]
        ideal = np.stack([s[0] for s in stances], axis=1)  # (R, A, I)
        choice = np.stack([s[1] for s in stances], axis=1)
        self.ideal = ideal
        self.option_u = []
        for i, issue_id in enumerate(c.issue_ids):
            nominal = c.scenario.issues[issue_id].kind == "nominal"
            self.option_u.append(
                utility.option_utility(
                    c.option_values[i],
                    ideal[:, :, i],
                    choice[:, :, i] if nominal else None,
                    p.explicit_utility[i],
                    p.risk,
                )
            )
        self.u_eff, self.floors = [], []
        self.table, self.u_table, self.best, self.zone, self.share = [], [], [], [], []
        for k, package in enumerate(c.packages):
            u = utility.package_utility(package, self.option_u, self.salience)
            # A stated fallback value replaces the computed one on the packages it acts on.
            value = np.where(self._fallback_acts[k][None, :], p.fallback_value, np.nan)
            res = np.where(np.isnan(value), u[:, :, package.no_deal], value)
            u_eff = utility.effective_utility(
                package, u, res, self.ratify_probability, in_place=True
            )
            # Rounds and floors look only at the combinations that some replicate of the block
            # could still agree: inside every red line and at least as good as every fallback.
            # The reduction is exact: floors and aspirations never fall below the fallback, so
            # a combination outside that zone can never be accepted until the next valuation.
            res = np.ascontiguousarray(res.T)  # actor-major (A, R) from here on
            on_table = package.on_table
            rows = np.take(u_eff, on_table, axis=2).transpose(2, 0, 1)  # (J, R, A)
            in_zone = rules.acceptable_to_all(rows.transpose(2, 0, 1), res)  # (J, R)
            keep = np.flatnonzero(in_zone.any(axis=1))
            self.table.append(on_table[keep])  # the combinations in play
            u_table = np.ascontiguousarray(rows[keep].transpose(2, 0, 1))  # (A, J, R)
            self.u_eff.append(u_eff)
            self.u_table.append(u_table)
            self.best.append(np.ascontiguousarray(u_eff.max(axis=2).T))  # (A, R)
            self.zone.append(in_zone.any(axis=0))
            self.share.append(self._clout_share(k))
            recognition = self._recognition(t, k)
            self.floors.append(rules.strategic_floors(u_table, res, self.patience, recognition))
        self._cumulative_share = [np.cumsum(share, axis=0) for share in self.share]
        self.floor_start = t

    def _heads_changed(self, t: int) -> bool:
        day = self.compiled.round_dates[t]
        heads = [actor.current_head(day) for actor in self.actors]
        changed = not self._head_seen or any(
            not np.array_equal(a, b) for a, b in zip(heads, self._head_seen, strict=True)
        )
        self._head_seen = heads
        return changed

    # -- one round ---------------------------------------------------------------------------

    def step(self) -> None:
        """Play one dated round on every open package."""
        c = self.compiled
        t = self.round_index
        if self.explain:
            self.narrative.append(f"round {t + 1}, {c.round_dates[t]}")
        fired = self._fire_events(t)
        if self._heads_changed(t) or fired or t == 0:
            self._evaluate(t)
        talking = (self.status == Status.OPEN).any(axis=0)  # (R,) some package still open
        for k, package in enumerate(c.packages):
            open_ = self.status[k] == Status.OPEN
            if not open_.any():
                continue
            proposer = self._proposer(t, k)
            floor = self.floors[k][t - self.floor_start]
            level = rules.aspiration(self.best[k], floor, self.alpha[t])
            if self.aspirations is not None:  # recorded while the package is open
                self.aspirations[t, k] = np.where(open_[:, None], level.T, np.nan)
            agreed, offer = rules.play_round(self.u_table[k], self.table[k], level, proposer)
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
                self._narrate(k, proposer[x], offer[x] if agreed[x] else -1, level[:, x], open_[x])
        if self.ideals is not None:  # recorded while the run's talks go on
            self.ideals[t] = np.where(talking[:, None, None], self.ideal, np.nan)
        self.round_index += 1
        if self.round_index >= c.n_rounds or not (self.status == Status.OPEN).any():
            self._finish()

    def settled_utility(self, k: int) -> np.ndarray:
        """``(R, A)`` each actor's utility of package ``k``'s final combination (its no-deal
        combination where nothing was settled), as last valued."""
        return utility.combination_utility(
            self.compiled.packages[k], self.option_u, self.salience, self.combo[k]
        )

    def release(self) -> None:
        """Let the finished model be freed (call after reading its outcomes).

        Mesa 3.3's ``Agent._ids`` is a class-level defaultdict keyed by model, so every model that
        ever created an agent stays alive (with its arrays) for the life of the process; a sweep of
        a million runs would keep a thousand blocks in memory.  Dropping our key ends that; newer
        Mesa versions without the registry are unaffected.
        """
        registry = getattr(mesa.Agent, "_ids", None)
        if isinstance(registry, dict):
            registry.pop(self, None)
        # The model and its agents refer to each other, so it is freed only when Python's cycle
        # collector next runs, which large NumPy arrays do not hasten: drop the valuation grids
        # now, or a run of many models holds several of them at once (the outcome arrays stay).
        self.u_eff, self.u_table, self.best, self.zone = [], [], [], []
        self.table, self.floors, self.share, self.option_u = [], [], [], []

    def _finish(self) -> None:
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
            offer = int(self.u_eff[k][x, proposer, :].argmax())
        u = self.u_eff[k][x, :, offer]
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
        status = END_REASONS[self.status[k, self.explain_at]]
        if status != "open":
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
