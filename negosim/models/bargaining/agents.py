"""Mesa agents: the actors at the table and the officials who speak for them.

One agent stands for one actor (or official) across a whole block of replicates, so Mesa's cost
is paid once per round, not once per replicate.  Each agent owns its state, every array with the
replicates on the last axis (the table of axes in ``docs/engine.md``), and its behaviour:

- :meth:`ActorAgent.apply_effect` updates the actor when an event's effect reaches it;
- :meth:`ActorAgent.stance` re-forms its ideal points from its officials;
- :meth:`ActorAgent.value_package` takes in its row of a valuation (its utilities of every
  combination, of those on the table, its reservation value and its strategic floors);
- :meth:`ActorAgent.aspiration` is its concession, :meth:`ActorAgent.answer` its answer to an
  offer.  Its screening offer and the particles' answers are computed by the model over groups of
  types (:mod:`negosim.models.bargaining.planning`), since an offer weighs every other actor's
  types at once.

The model (:mod:`negosim.models.bargaining.model`) orchestrates and runs the vectorised kernels
over the agents' stacked answers; it never writes an agent's arrays.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import mesa
import numpy as np

import negosim.models.bargaining.rules as rules
from negosim.core.compiled import Compiled, option_index
from negosim.core.fallbacks import package_in_fallback, reservation
from negosim.core.sampling import BlockParams
from negosim.scenario.schema import (
    AuthorityEffect,
    CapabilityEffect,
    PositionEffect,
    SalienceEffect,
)

__all__ = ["ActorAgent", "OfficialAgent", "position_of"]


def position_of(compiled: Compiled, issue: int, position: Any) -> tuple[float, int]:
    """``(value, choice)`` of a stated position: choice is -1 except on unordered issues."""
    spec = compiled.scenario.issues[compiled.issue_ids[issue]]
    k = option_index(spec, compiled.option_ids[issue], compiled.option_values[issue], position)
    value = float(compiled.option_values[issue][k])
    return value, (k if spec.kind == "nominal" else -1)


class OfficialAgent(mesa.Agent):
    """A person who speaks or decides for an actor: positions per issue and an influence weight.

    Parameters
    ----------
    model
        The Mesa model the agent belongs to.
    compiled
        The compiled scenario.
    params
        The block's sampled inputs; the agent keeps its own column of them.
    index
        Index of the official in the scenario's ``officials``.
    """

    def __init__(self, model: mesa.Model, compiled: Compiled, params: BlockParams, index: int):
        super().__init__(model)
        c = compiled
        self.index = index
        self.official_id = c.official_ids[index]
        spec = c.scenario.officials[self.official_id]
        self.actor_index = int(c.official_actor[index])
        self.influence = params.influence[:, index].copy()  # (R,)
        n_issues = len(c.issue_ids)
        # Ideal value on 0-100 (NaN: no stated position) and option index for unordered issues.
        self.value = np.full(n_issues, np.nan)  # (I,)
        self.choice = np.full(n_issues, -1, dtype=np.int64)  # (I,)
        for i, issue_id in enumerate(c.issue_ids):
            stance = spec.stances.get(issue_id)
            if stance is not None:
                self.value[i], self.choice[i] = position_of(c, i, stance.position)
        self.authority = spec.authority
        # A hypothetical official (an unnamed election winner) has no say until in office.
        self.hypothetical = spec.hypothetical

    def has_authority(self, day: dt.date) -> bool:
        """True when one of the official's authority periods contains ``day``."""
        return any(period.contains(day) for period in self.authority)


class ActorAgent(mesa.Agent):
    """A state or organisation at the table, across a block of ``R`` replicates.

    Its stance comes from its officials under its internal rule; its valuation of each package
    comes from the model's shared utility kernels (:meth:`value_package`); in each round it
    concedes, answers and proposes on its own arrays.

    Parameters
    ----------
    model
        The Mesa model the agent belongs to (its officials must already be in it).
    compiled
        The compiled scenario.
    params
        The block's sampled inputs; the agent keeps its own column of them.
    index
        Index of the actor in the scenario's ``actors``.
    alpha
        ``(T,)`` the actor's concession schedule, its column of
        :func:`~negosim.models.bargaining.rules.concession_alpha` over every actor (one
        vectorised power, so that every actor's schedule is computed alike).
    pull_limit
        How far (points on 0-100) officials other than the head can pull the ideal point.
    """

    def __init__(
        self,
        model: mesa.Model,
        compiled: Compiled,
        params: BlockParams,
        index: int,
        *,
        alpha: np.ndarray,
        pull_limit: float,
    ):
        super().__init__(model)
        c = compiled
        self.compiled = compiled
        self.index = index
        self.actor_id = c.actor_ids[index]
        self.spec = c.scenario.actors[self.actor_id]
        self.pull_limit = pull_limit
        n_issues = len(c.issue_ids)
        R = params.n
        self.value = np.full(n_issues, np.nan)  # (I,) stated ideal points
        self.choice = np.full(n_issues, -1, dtype=np.int64)  # (I,) stated options (unordered)
        for i, issue_id in enumerate(c.issue_ids):
            stance = self.spec.stances.get(issue_id)
            if stance is not None:
                self.value[i], self.choice[i] = position_of(c, i, stance.position)
        self.officials: list[OfficialAgent] = [
            official
            for official in model.agents_by_type.get(OfficialAgent, ())
            if official.actor_index == index
        ]
        # Sampled inputs, the actor's own column of the block's draws.
        self.capability = params.capability[:, index].copy()  # (R,)
        self.salience = np.ascontiguousarray(params.salience[:, index, :].T)  # (I, R)
        self.patience = params.patience[:, index].copy()  # (R,)
        self.risk = params.risk[:, index].copy()  # (R,)
        self.fallback_value = params.fallback_value[:, index].copy()  # (R,) NaN: computed
        self.beta = self.spec.behaviour.concession_exponent
        self.alpha = alpha  # (T,)
        # Which packages the actor's fallback acts on (its stated value replaces the no-deal one).
        self.fallback_acts = [package_in_fallback(c, k, index) for k in range(len(c.packages))]
        # State changed by events.
        self.head = np.full(R, -1, dtype=np.int64)  # (R,) official installed by an authority effect
        self.override_value = np.full((n_issues, R), np.nan)  # (I, R) position effects
        self.override_choice = np.full((n_issues, R), -1, dtype=np.int64)  # (I, R)
        self.ideal = np.full((n_issues, R), np.nan)  # (I, R) as last formed by stance()
        # The actor's row of the current valuation, per package (see value_package).
        self.utility: list[np.ndarray] = []  # (C, R) effective utility of every combination
        self.table: list[np.ndarray] = []  # (J,) the combinations in play
        self.table_utility: list[np.ndarray] = []  # (J, R) its utility of them
        self.reservation: list[np.ndarray] = []  # (R,)
        self.best: list[np.ndarray] = []  # (R,) its best attainable utility
        self.floors: list[np.ndarray] = []  # (T - t0, R) strategic floors from round t0
        self.floor_start = 0

    # -- update ------------------------------------------------------------------------------

    def apply_effect(self, effect: Any, values: np.ndarray | None, mask: np.ndarray) -> None:
        """Apply one event effect aimed at this actor, in the replicates where ``mask`` holds.

        ``values`` is the effect's ``(R,)`` sampled number (a salience set or added, a
        capability factor), None for authority and position effects.
        """
        c = self.compiled
        if isinstance(effect, AuthorityEffect):
            self.head[mask] = c.official_ids.index(effect.official)
        elif isinstance(effect, SalienceEffect):
            assert values is not None
            i = c.issue_ids.index(effect.issue)
            current = self.salience[i]
            new = values if effect.set is not None else current + values
            self.salience[i] = np.where(mask, np.clip(new, 0.0, 1.0), current)
        elif isinstance(effect, CapabilityEffect):
            assert values is not None
            self.capability = np.where(mask, self.capability * values, self.capability)
        elif isinstance(effect, PositionEffect):
            i = c.issue_ids.index(effect.issue)
            value, choice = position_of(c, i, effect.to)
            self.override_value[i, mask] = value
            self.override_choice[i, mask] = choice

    def current_head(self, day: dt.date) -> np.ndarray:
        """``(R,)`` index of the official with authority on ``day`` (-1: none)."""
        static = -1
        for official in self.officials:
            if official.has_authority(day):
                static = official.index
        return np.where(self.head >= 0, self.head, static)

    def stance(self, day: dt.date) -> tuple[np.ndarray, np.ndarray]:
        """``(ideal, choice)``, both ``(I, R)``, on ``day``; the ideal is kept as :attr:`ideal`.

        Under ``head_decides`` the head's stated position replaces the actor's own; under
        ``consensus`` no single official decides.  Every other (non-hypothetical) official with a
        stated position pulls the ideal point toward theirs,
        ``sum(w * (v - base)) / (1 + sum(w))``, at most
        ``pull_limit`` points; a position effect overrides everything.
        """
        R = self.head.shape[0]
        ideal = np.repeat(self.value[:, None], R, axis=1)
        choice = np.repeat(self.choice[:, None], R, axis=1)
        head = self.current_head(day) if self.spec.rule == "head_decides" else np.full(R, -1)
        for official in self.officials:
            is_head = (head == official.index)[None, :]
            stated = ~np.isnan(official.value)
            ideal = np.where(stated[:, None] & is_head, official.value[:, None], ideal)
            choice = np.where(
                (official.choice[:, None] >= 0) & is_head, official.choice[:, None], choice
            )
        pull = np.zeros_like(ideal)
        weight = np.zeros_like(ideal)
        for official in self.officials:
            if official.hypothetical:
                continue
            stated = ~np.isnan(official.value)
            w = np.where(
                stated[:, None] & (head != official.index)[None, :],
                official.influence[None, :],
                0.0,
            )
            pull += w * np.where(stated[:, None], official.value[:, None] - ideal, 0.0)
            weight += w
        ideal = ideal + np.clip(pull / (1.0 + weight), -self.pull_limit, self.pull_limit)
        ideal = np.where(np.isnan(self.override_value), ideal, self.override_value)
        choice = np.where(self.override_choice >= 0, self.override_choice, choice)
        self.ideal = ideal
        return ideal, choice

    # -- valuation ---------------------------------------------------------------------------

    def reservation_value(self, package: int, no_deal: np.ndarray) -> np.ndarray:
        """``(R,)`` what the actor keeps without a deal on a package: its stated fallback value
        where the fallback acts on the package, else ``no_deal``, its utility of the package's
        no-deal combination."""
        return reservation(self.fallback_value, no_deal, self.fallback_acts[package])

    def value_package(
        self,
        package: int,
        *,
        utility: np.ndarray,
        table: np.ndarray,
        table_utility: np.ndarray,
        reservation: np.ndarray,
        best: np.ndarray,
        floors: np.ndarray,
        start: int,
    ) -> None:
        """Take in the actor's row of a valuation of package ``package``, made in round ``start``.

        Parameters
        ----------
        package
            Index of the package (packages are valued in order, from 0, at every valuation).
        utility
            ``(C, R)`` effective utility of every combination (``-inf`` outside its red lines
            and for the no-deal combination).
        table
            ``(J,)`` the combinations in play (see "The table" in
            :mod:`negosim.models.bargaining.rules`).
        table_utility
            ``(J, R)`` its effective utility of them.
        reservation
            ``(R,)`` its reservation value (see :meth:`reservation_value`).
        best
            ``(R,)`` its best attainable utility, the maximum of ``utility`` over combinations
            (``-inf`` where every combination crosses its red lines).
        floors
            ``(T - start, R)`` its strategic floors from round ``start`` on.
        start
            The round of the valuation.
        """
        if package == 0:
            self.utility, self.table, self.table_utility = [], [], []
            self.reservation, self.best, self.floors = [], [], []
        self.utility.append(utility)
        self.table.append(table)
        self.table_utility.append(table_utility)
        self.reservation.append(reservation)
        self.best.append(best)
        self.floors.append(floors)
        self.floor_start = start

    def forget_valuation(self) -> None:
        """Drop the valuation grids (a finished model keeps only its outcomes)."""
        self.utility, self.table, self.table_utility = [], [], []
        self.reservation, self.best, self.floors = [], [], []

    # -- one round ---------------------------------------------------------------------------

    def aspiration(self, package: int, t: int) -> np.ndarray:
        """``(R,)`` the utility the actor asks for on a package in round ``t``: from its best
        attainable package down to its strategic floor, at the pace of its concession schedule
        (:func:`~negosim.models.bargaining.rules.aspiration`)."""
        floor = self.floors[package][t - self.floor_start]
        return rules.aspiration(self.best[package], floor, self.alpha[t])

    def answer(self, package: int, offer: np.ndarray, level: np.ndarray) -> np.ndarray:
        """``(R,)`` True where the actor accepts the offered combination (``offer``, ``(R,)``
        indices into the table) at ``level`` (its aspiration, ``(R,)``), within
        :data:`~negosim.models.bargaining.rules.TOLERANCE`."""
        utility = self.table_utility[package][offer, np.arange(len(offer))]
        accepted: np.ndarray = utility >= level - rules.TOLERANCE
        return accepted

    def favourite(self, package: int, replicate: int) -> int:
        """The combination the actor likes best in one replicate (what it puts forward when
        nothing is accepted by everyone)."""
        return int(self.utility[package][:, replicate].argmax())
