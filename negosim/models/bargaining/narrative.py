"""The round-by-round story of one replicate (``negosim run --explain``).

:class:`Narrator` is a mixin of :class:`~negosim.models.bargaining.model.NegotiationModel`: it
reads the model's state (the compiled scenario, the actors' stances and valuations, the packages'
status, the beliefs) and appends lines to ``model.narrative``; it changes nothing else.

The story names things as a reader knows them: actors and officials by name, issues, options,
events and deadlines by label, and a package by its issue's label (one issue) or its id in words
(``missile_defence``: "Missile defence"), never an id beside a label.  It tells what each event
did, who decides for each actor and which officials pull its stance where, every offer and
answer, what the observers learnt, why a package broke down (who walked away, and the numbers
that made it), and that in the last round every actor asks only for its floor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

import negosim.models.bargaining.planning as planning
import negosim.models.bargaining.rules as rules
from negosim.core.fallbacks import fallback_plays
from negosim.core.status import END_REASONS, Status
from negosim.models.bargaining.beliefs import believed_zone, weighted_quantiles
from negosim.scenario.schema import (
    AuthorityEffect,
    CapabilityEffect,
    PositionEffect,
    SalienceEffect,
)

__all__ = ["Narrator", "draws_lines", "package_name"]


def draws_lines(run: int, row: Mapping[Any, Any]) -> list[str]:
    """The story's opening: run ``run``'s sampled inputs, ``row`` being its row of the draws
    table (:func:`negosim.tables.draws.block_draws`), one line per input by its dotted path, as
    ``--vary`` names it and as ``draws.parquet`` holds it."""
    lines = [f"run {run}'s draws (its row of draws.parquet, by dotted path):"]
    for path, value in row.items():
        if path in ("run", "point"):
            continue
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            shown = "none"
        elif isinstance(value, bool | np.bool_):
            shown = "yes" if value else "no"
        elif isinstance(value, float | np.floating):
            shown = f"{float(value):.4g}"
        else:
            shown = str(value)
        lines.append(f"  {path} = {shown}")
    if len(lines) == 1:
        lines.append("  (none: every input is the same in every run)")
    return lines


def package_name(compiled: Any, k: int) -> str:
    """How the story names package ``k``: its issue's label when it links one issue, else its id
    in words (``missile_defence`` -> ``Missile defence``): packages have no label of their own."""
    package = compiled.packages[k]
    if len(package.issues) == 1:
        label: str = compiled.scenario.issues[compiled.issue_ids[package.issues[0]]].label
        return label
    words = package.package_id.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


class Narrator:
    """Tells the story of replicate ``explain_at`` (see the module docstring)."""

    # Provided by the model.
    compiled: Any
    params: Any
    narrative: list[str]
    explain_at: int
    complete: bool
    status: np.ndarray
    end_round: np.ndarray
    combo: np.ndarray
    weights: list[np.ndarray]
    groups: list[Any]
    sets: list[Any]
    table: list[np.ndarray]
    mind: list[list[int]]
    walk_away: float
    actors: Any
    _by_index: list[Any]
    if TYPE_CHECKING:
        round_index: int

    # -- names -------------------------------------------------------------------------------

    def _names(self) -> list[str]:
        c = self.compiled
        return [c.scenario.actors[a].name for a in c.actor_ids]

    def _official_name(self, index: int) -> str:
        c = self.compiled
        name: str = c.scenario.officials[c.official_ids[index]].name
        return name

    def _issue_label(self, i: int) -> str:
        c = self.compiled
        return f"“{c.scenario.issues[c.issue_ids[i]].label}”"

    def _position(self, i: int, value: float, choice: int) -> str:
        """An ideal point in words: the option's label where it sits on one, else the number
        with the options either side."""
        c = self.compiled
        if choice >= 0 or c.option_ids[i] is None:
            return f"'{c.option_label(i, choice)}'" if choice >= 0 else f"{value:.0f}"
        values = c.option_values[i]
        exact = np.flatnonzero(np.abs(values - value) < 1e-6)
        if exact.size:
            return f"'{c.option_label(i, int(exact[0]))}'"
        below = [k for k in np.argsort(values) if values[k] < value]
        above = [k for k in np.argsort(values) if values[k] > value]
        sides = [f"'{c.option_label(i, int(k))}'" for k in (below[-1:] + above[:1])]
        return f"{value:.0f} (between {' and '.join(sides)})" if len(sides) == 2 else f"{value:.0f}"

    def _memory(self) -> dict[str, Any]:
        """What the story has told so far (stances, offers spelled out), kept on the model."""
        memory: dict[str, Any] | None = getattr(self, "_told", None)
        if memory is None:
            memory = {"stances": {}, "spelled": {}}
            self._told = memory
        return memory

    # -- events and stances ------------------------------------------------------------------

    def _narrate_events(self, due: list[int]) -> None:
        """The events due this round in replicate ``explain_at``: which happened (and how they
        turned out) and each effect that reached an actor, in words.  A change of head is told
        with the stances (:meth:`_narrate_stances`), whatever caused it."""
        c, p, x = self.compiled, self.params, self.explain_at
        names = dict(zip(c.actor_ids, self._names(), strict=True))
        for e in due:
            event = c.scenario.events[c.event_ids[e]]
            if not p.happens[x, e]:
                self.narrative.append(f"  event: {event.label} does not happen in this run")
                continue
            line = f"  event: {event.label}"
            if p.outcome[x, e] >= 0:
                line += f": {list(event.outcomes.values())[p.outcome[x, e]].label}"
            self.narrative.append(line)
            for draw in p.effects:
                if draw.event != e or (draw.outcome >= 0 and draw.outcome != p.outcome[x, e]):
                    continue
                said = self._effect_text(draw.effect, draw.values, names)
                if said:
                    self.narrative.append(f"    {said}")

    def _effect_text(self, effect: Any, values: np.ndarray | None, names: dict[str, str]) -> str:
        c, x = self.compiled, self.explain_at
        who = names[effect.actor]
        actor = self._by_index[c.actor_ids.index(effect.actor)]
        if isinstance(effect, SalienceEffect):
            assert values is not None
            i = c.issue_ids.index(effect.issue)
            now = float(actor.salience[i, x])
            how = f"set to {now:.2f}"
            if effect.add is not None:
                how = (
                    f"{'rises' if values[x] >= 0 else 'falls'} by {abs(values[x]):.2f} to {now:.2f}"
                )
            return f"{who}'s salience of {self._issue_label(i)} {how}"
        if isinstance(effect, CapabilityEffect):
            assert values is not None
            return (
                f"{who}'s capability is multiplied by {values[x]:.2f} "
                f"(now {actor.capability[x]:.2f})"
            )
        if isinstance(effect, PositionEffect):
            i = c.issue_ids.index(effect.issue)
            value = float(actor.override_value[i, x])
            return (
                f"{who}'s position on {self._issue_label(i)} is now "
                f"{self._position(i, value, int(actor.override_choice[i, x]))}"
            )
        assert isinstance(effect, AuthorityEffect)
        return ""

    def _stance_now(self, actor: Any, day: dt.date) -> tuple[int, np.ndarray, np.ndarray]:
        """``(head, ideal, choice)`` of one actor in replicate ``explain_at`` on ``day``, read
        through :meth:`ActorAgent.stance` without keeping what it stores."""
        x = self.explain_at
        kept = actor.ideal
        ideal, choice = actor.stance(day)
        actor.ideal = kept
        head = int(actor.current_head(day)[x]) if actor.spec.rule == "head_decides" else -1
        return head, ideal[:, x].copy(), choice[:, x].copy()

    def _narrate_stances(self, t: int) -> None:
        """Who decides for each actor and which officials pull its stance where (first round),
        then every change: a new head and each ideal point that moved."""
        c = self.compiled
        day = c.round_dates[t]
        told = self._memory()["stances"]
        for a, (actor, name) in enumerate(zip(self._by_index, self._names(), strict=True)):
            head, ideal, choice = self._stance_now(actor, day)
            if a not in told:
                self._first_stance(actor, name, head, ideal, choice)
            else:
                old_head, old_ideal, old_choice = told[a]
                said = []
                if head != old_head:
                    who = "no one" if head < 0 else self._official_name(head)
                    said.append(f"{who} now decides for {name}")
                moves = [
                    f"on {self._issue_label(i)} moves from "
                    f"{self._position(i, old_ideal[i], old_choice[i])} to "
                    f"{self._position(i, ideal[i], choice[i])}"
                    for i in range(len(c.issue_ids))
                    if not np.isnan(ideal[i])
                    and (abs(ideal[i] - old_ideal[i]) > 1e-9 or choice[i] != old_choice[i])
                ]
                if moves:
                    said.append(f"its ideal {'; '.join(moves)}")
                if said:
                    line = "; ".join(said)
                    if head == old_head:
                        line = f"{name}: {line}"
                    self.narrative.append(f"  {line}")
            told[a] = (head, ideal, choice)

    def _first_stance(
        self, actor: Any, name: str, head: int, ideal: np.ndarray, choice: np.ndarray
    ) -> None:
        x = self.explain_at
        if not actor.officials:
            return
        decides = f"{self._official_name(head)} decides"
        if head < 0:
            consensus = actor.spec.rule == "consensus"
            decides = (
                "decides by consensus (no official decides alone)"
                if consensus
                else ("no official decides (its own stated positions stand)")
            )
        self.narrative.append(f"  {name}: {decides}")
        head_value = next((o.value for o in actor.officials if o.index == head), None)
        for i in range(len(self.compiled.issue_ids)):
            base = actor.value[i]
            if head_value is not None and not np.isnan(head_value[i]):
                base = head_value[i]
            pulling = [
                f"{self._official_name(o.index)} (influence {o.influence[x]:.2f})"
                for o in actor.officials
                if not o.hypothetical
                and o.index != head
                and not np.isnan(o.value[i])
                and abs(o.value[i] - base) > 1e-9
                and o.influence[x] > 0
            ]
            if pulling and not np.isnan(ideal[i]):
                self.narrative.append(
                    f"    on {self._issue_label(i)} {', '.join(pulling)} "
                    f"{'pulls' if len(pulling) == 1 else 'pull'} its ideal to "
                    f"{self._position(i, ideal[i], choice[i])}"
                )

    # -- one round ---------------------------------------------------------------------------

    def _package_lines(self, k: int, combo: int, indent: str) -> list[str]:
        c = self.compiled
        package = c.packages[k]
        return [
            f"{indent}{self._issue_label(i)}: {c.option_label(i, int(package.combos[combo, j]))}"
            for j, i in enumerate(package.issues)
        ]

    def _narrate(
        self,
        k: int,
        proposer: int,
        offer: int,
        level: np.ndarray,
        was_open: bool,
        believed: float = 1.0,
    ) -> None:
        if not was_open:
            return
        c = self.compiled
        names = self._names()
        x = self.explain_at
        t = self.round_index
        title = package_name(c, k)
        if t == c.n_rounds - 1:
            self._narrate_floors(k, level, title)
        hope = ""
        if offer < 0:  # no combination has a chance: the proposer puts forward its favourite
            offer = self._by_index[proposer].favourite(k, x)
            hope = " (it expects no combination to be accepted)"
        elif not self.complete:
            hope = f" (it puts the chance that every other actor accepts at {believed:.2f})"
        u = [float(actor.utility[k][offer, x]) for actor in self.actors]
        spelled = self._memory()["spelled"]
        who = f"  {title}: {names[proposer]} proposes"
        if (k, offer) in spelled:
            self.narrative.append(f"{who}: the same as in round {spelled[(k, offer)] + 1}{hope}")
        elif len(c.packages[k].issues) == 1:
            spelled[(k, offer)] = t
            i = c.packages[k].issues[0]
            label = c.option_label(i, int(c.packages[k].combos[offer, 0]))
            self.narrative.append(f"{who}: '{label}'{hope}")
        else:
            spelled[(k, offer)] = t
            self.narrative.append(f"{who}{hope}:")
            self.narrative.extend(self._package_lines(k, offer, "      "))
        for a, name in enumerate(names):
            if a == proposer:
                continue
            verdict = "accepts" if u[a] >= level[a] - rules.TOLERANCE else "rejects"
            sign = ">=" if verdict == "accepts" else "<"
            shown = "red line crossed" if not np.isfinite(u[a]) else f"utility {u[a]:.2f}"
            self.narrative.append(f"    {name} {verdict}: {shown} {sign} aspiration {level[a]:.2f}")
        status = self.status[k, x]
        if status != Status.OPEN:
            self.narrative.append(f"    -> {END_REASONS[status]}")
        if status == Status.BREAKDOWN and self.end_round[k, x] == t:
            self.narrative.extend(f"    {line}" for line in self._breakdown_reasons(k))

    def _narrate_floors(self, k: int, level: np.ndarray, title: str) -> None:
        """The last round: nothing is left to wait for, so each actor's floor (its value of
        continuing) is what its fallback is worth to it, and it asks for that alone."""
        x = self.explain_at
        asks = []
        for a, (actor, name) in enumerate(zip(self._by_index, self._names(), strict=True)):
            worth = float(actor.reservation[k][x])
            asks.append(
                f"{name} {level[a]:.2f}"
                if abs(level[a] - worth) < 1e-9
                else f"{name} {level[a]:.2f} (its fallback: {worth:.2f})"
            )
        self.narrative.append(
            f"  {title}: last round, nothing left to wait for: each actor's floor is now what its "
            f"fallback is worth to it, and it asks for that alone: {', '.join(asks)}"
        )

    def _breakdown_reasons(self, k: int) -> list[str]:
        """Why package ``k`` broke down this round in replicate ``explain_at``: which actor
        walked away, and the numbers behind it (a breakdown is only called when no event that
        could change things is still due)."""
        x = self.explain_at
        later = "and no later event can change that"
        res = [float(actor.reservation[k][x]) for actor in self._by_index]
        if self.complete or len(self.table[k]) == 0:
            # Known types, or nothing any type could accept: the truth says it all.
            u = [actor.utility[k][:, x] for actor in self._by_index]  # (C,) every combination
            lines = self._known_reasons(k, u, res)
        else:
            lines = self._believed_reasons(k, res)
        return [f"{line}, {later}" for line in lines] or [
            f"no package is worth every actor's fallback, {later}"
        ]

    def _known_reasons(self, k: int, u: list[np.ndarray], res: list[float]) -> list[str]:
        """Walking away when every actor's type is known: an actor to whom no package inside
        every red line is worth its fallback, or one whose acceptable packages are each worth
        less than its fallback to another actor."""
        names, A = self._names(), self.compiled.n_actors
        in_play = self.compiled.packages[k].on_table
        lines = []
        for j in range(A):
            mine = np.zeros(u[j].shape[0], dtype=bool)
            mine[in_play] = u[j][in_play] >= res[j] - rules.TOLERANCE
            if not mine.any():
                best = f"{u[j][in_play].max():.2f}" if in_play.size else "nothing"
                lines.append(
                    f"{names[j]} walks away: no package is worth its fallback ({res[j]:.2f}) to "
                    f"it (the best it could be offered is worth {best})"
                )
                continue
            blockers = [
                (i, float(u[i][mine].max()))
                for i in range(A)
                if i != j and u[i][mine].max() < res[i] - rules.TOLERANCE
            ]
            if blockers:
                said = ", ".join(
                    f"{names[i]} (the best of them is worth "
                    f"{'less than nothing' if not np.isfinite(most) else f'{most:.2f}'} to it, "
                    f"its fallback {res[i]:.2f})"
                    for i, most in blockers
                )
                lines.append(
                    f"{names[j]} walks away: no package worth its fallback ({res[j]:.2f}) to it "
                    f"is worth theirs to {said}"
                )
        return lines

    def _believed_reasons(self, k: int, res: list[float]) -> list[str]:
        """Walking away under private information: an actor whose believed chance that some
        package worth its fallback to it is accepted by the others is below ``walk_away``."""
        x, names, A = self.explain_at, self._names(), self.compiled.n_actors
        groups = self.groups[k]
        # Each group's chance of accepting each combination at its own fallback (0/1 if known).
        beats = [
            planning.accept_chance(g, w, g.reservation)
            for g, w in zip(groups, self.weights, strict=True)
        ]
        lines = []
        for j in range(A):
            mine = beats[j][:, x] > 0
            if not mine.any():
                best = float(groups[j].u[0][:, x].max())
                lines.append(
                    f"{names[j]} walks away: no package on the table is worth its fallback "
                    f"({res[j]:.2f}) to it (the best it could be offered is worth {best:.2f})"
                )
                continue
            others = [i for i in range(A) if i != j]
            seen = {i: beats[self.mind[j][i]] for i in others}
            chance = float(believed_zone(mine[:, None], [seen[i][:, x : x + 1] for i in others])[0])
            if chance >= self.walk_away:
                continue
            doubts = [(i, float(seen[i][mine, x].max())) for i in others]
            doubts = [(i, most) for i, most in doubts if most < 0.995] or doubts
            who = " and ".join(names[i] for i, _ in doubts)
            alone = ""
            if len(doubts) > 1:
                alone = "; each alone at most " + ", ".join(
                    f"{names[i]} {most:.2f}" for i, most in doubts
                )
            lines.append(
                f"{names[j]} walks away: it believes no package worth its fallback "
                f"({res[j]:.2f}) to it is one {who} would accept (chance {chance:.2f} < "
                f"{self.walk_away:.2f}{alone})"
            )
        return lines

    def _narrate_beliefs(self, k: int, before: list[np.ndarray]) -> None:
        """One line per belief that this round's answers or offer moved, in replicate
        ``explain_at``: where the holder now puts the target's bottom line, with 90 %."""
        c = self.compiled
        x = self.explain_at
        names = self._names()
        for g in range(c.n_actors, len(self.groups[k])):
            weights = self.weights[g][:, x]
            if np.allclose(weights, before[g], rtol=0.0, atol=1e-12):
                continue
            particles = self.sets[g - c.n_actors]
            group = self.groups[k][g]
            low, high = weighted_quantiles(
                group.reservation[:, x : x + 1], weights[:, None], (0.05, 0.95)
            )[:, 0]
            holder = "the others" if particles.holder is None else names[particles.holder]
            verb = "believe" if particles.holder is None else "believes"
            self.narrative.append(
                f"    beliefs: {holder} now {verb} {names[particles.target]}'s bottom line on "
                f"{package_name(c, k)} lies in {low:.2f}-{high:.2f} (90 %)"
            )

    def _narrate_end(self) -> None:
        c = self.compiled
        x = self.explain_at
        self.narrative.append("end of talks")
        for k in range(len(c.packages)):
            reason = END_REASONS[self.status[k, x]]
            last = self.end_round[k, x]
            when = f"{reason} in round {last + 1}, {c.round_dates[last]}"
            lines = self._package_lines(k, int(self.combo[k, x]), "      ")
            if len(lines) == 1:
                i = c.packages[k].issues[0]
                option = c.option_label(i, int(c.packages[k].combos[int(self.combo[k, x]), 0]))
                self.narrative.append(f"  {package_name(c, k)}: {when}: '{option}'")
            else:
                self.narrative.append(f"  {package_name(c, k)}: {when}:")
                self.narrative.extend(lines)
        for a, actor_id in enumerate(c.actor_ids):
            spec = c.scenario.actors[actor_id]
            if fallback_plays(c, self.status, a)[x]:
                self.narrative.append(f"  fallback of {spec.name}: {spec.fallback.description}")
