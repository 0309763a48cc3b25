"""The reference's agents: one Mesa agent per actor and per official, in one replicate, with
scalar Python attributes (the tutorial way).  The agents read their model's attributes
(``compiled``, ``inputs``, ``pull_limit``, ``day``, ``packages``, ``ratify_probability``,
``floors``, ``floor_start``, ``alpha``), which :class:`~negosim.models.bargaining.reference.model.
ReferenceNegotiation` sets before it creates them."""

from __future__ import annotations

import datetime as dt
import math

import mesa

from negosim.models.bargaining.reference.inputs import np_clip, np_max, np_maximum, position_of

__all__ = ["ReferenceActor", "ReferenceOfficial"]


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

    Each :meth:`step` re-forms the actor's stance from its officials and, when the stance or what
    it weighs changed, re-values every combination of every package.

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
            value = value + np_clip(pull / (1.0 + weight), -limit, limit)
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
                row.append(np_clip(u, 0.0, 1.0) ** exponent)
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
        best = np_max(self.u_eff[k])
        if not math.isfinite(best):
            best = floor
        alpha = model.alpha[t][self.index]
        return floor + (1.0 - alpha) * np_maximum(best - floor, 0.0)
