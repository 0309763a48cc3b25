"""The reference's agents: one Mesa agent per actor and per official, in one replicate, with
scalar Python attributes (the tutorial way).  The agents read their model's attributes
(``compiled``, ``inputs``, ``pull_limit``, ``day``, ``packages``, ``ratify_probability``,
``floors``, ``floor_start``, ``alpha``), which :class:`~negosim.models.bargaining.reference.model.
ReferenceNegotiation` sets before it creates them."""

from __future__ import annotations

import datetime as dt
import math

import mesa

from negosim.models.bargaining.reference.inputs import np_clip, np_maximum, position_of
from negosim.models.bargaining.reference.valuation import (
    Valuation,
    option_utilities,
    value_package,
)

__all__ = ["ReferenceActor", "ReferenceOfficial", "concede"]


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

    def __init__(self, model: mesa.Model, index: int):
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
                self.value[i], self.choice[i] = position_of(c, i, stance.position)

    def step(self) -> None:
        """Officials do not act alone: their actor weighs them when it re-forms its stance."""

    def has_authority(self, day: dt.date) -> bool:
        """True when one of the official's authority periods contains ``day``."""
        return any(period.contains(day) for period in self.authority)


class ReferenceActor(mesa.Agent):
    """A state or organisation at the table, in one replicate.

    Each :meth:`step` re-forms the actor's stance from its officials; :meth:`value_packages`
    values every combination of every package with its true type when the model re-plans.

    Parameters
    ----------
    model
        The replicate's model.
    index
        Index of the actor in the scenario's ``actors``.
    """

    def __init__(self, model: mesa.Model, index: int):
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
                self.base_value[i], self.base_choice[i] = position_of(c, i, stance.position)
        self.officials: list[ReferenceOfficial] = []
        self.head = -1  # official made head by an authority effect
        self.override_value = [math.nan] * n_issues
        self.override_choice = [-1] * n_issues
        # Public: capability; private (its type): the rest, read from the inputs when valuing.
        self.capability = x.capability[index]
        self.salience = list(x.salience[index])  # events may change it
        self.patience = x.patience[index]
        self.beta = self.spec.behaviour.concession_exponent  # None: no declared style
        outcomes = self.spec.fallback.outcomes
        self.fallback_acts = [
            not outcomes or any(c.issue_ids[i] in outcomes for i in package.issues)
            for package in c.packages
        ]
        self.ideal: list[float] = []
        self.choice: list[int] = []
        self.valuations: list[Valuation] = []  # per package, by its true type

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
            value = value + np_clip(pull / (1.0 + weight), -limit, limit)
            if self.override_value[i] == self.override_value[i]:
                value = self.override_value[i]
            if self.override_choice[i] >= 0:
                chosen = self.override_choice[i]
            ideal.append(value)
            choice.append(chosen)
        return ideal, choice

    def step(self) -> None:
        """Re-form the stance from the officials (events may have changed who decides)."""
        self.ideal, self.choice = self.form_stance(self.model.day)

    def value_packages(self) -> None:
        """Value every package with the actor's own (true) type and current stance."""
        model = self.model
        c = model.compiled
        kind = model.inputs.true_type(self.index, list(self.salience))
        options = option_utilities(c, self.ideal, self.choice, kind)
        self.valuations = [
            value_package(
                package,
                self.index,
                options,
                kind,
                fallback_acts=self.fallback_acts[k],
                ratify=model.ratify_probability,
            )
            for k, package in enumerate(model.packages)
        ]

    def aspiration(self, k: int, t: int) -> float:
        """What the actor asks for on package ``k`` in round ``t``: its value of continuing, or
        with a declared concession style, from its best attainable package down to that value
        (:func:`concede`)."""
        floor = self.model.floors[k][self.index][t - self.model.floor_start][0]
        return concede(self.valuations[k].best, floor, self.model.alpha[t][self.index])


def concede(best: float, floor: float, alpha: float) -> float:
    """Faratin et al.'s concession: ``floor + (1 - alpha) * (best - floor)`` (``alpha`` is 1
    for an actor without a declared style: it asks for its value of continuing)."""
    if not math.isfinite(best):
        best = floor
    return floor + (1.0 - alpha) * np_maximum(best - floor, 0.0)
