"""Mesa agents: actors at the table and the officials who speak for them.

One agent stands for one actor (or official) across a whole block of replicates: its state is
arrays with the replicate axis first, so Mesa's per-step cost is paid once per round, not once per
replicate.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from negosim.models.bargaining.model import NegotiationModel

__all__ = ["ActorAgent", "OfficialAgent"]


class OfficialAgent(mesa.Agent):
    """A person who speaks or decides for an actor: positions per issue and an influence weight."""

    def __init__(self, model: NegotiationModel, index: int):
        super().__init__(model)
        c = model.compiled
        self.index = index
        self.official_id = c.official_ids[index]
        spec = c.scenario.officials[self.official_id]
        self.actor_index = int(c.official_actor[index])
        self.influence = model.params.influence[:, index]  # (R,)
        n_issues = len(c.issue_ids)
        # Ideal value on 0-100 (NaN: no stated position) and option index for unordered issues.
        self.value = np.full(n_issues, np.nan)
        self.choice = np.full(n_issues, -1, dtype=np.int64)
        for i, issue_id in enumerate(c.issue_ids):
            stance = spec.stances.get(issue_id)
            if stance is not None:
                self.value[i], self.choice[i] = model.position_of(i, stance.position)
        self.authority = spec.authority
        # A hypothetical official (an unnamed election winner) has no say until in office.
        self.hypothetical = spec.hypothetical

    def has_authority(self, day: dt.date) -> bool:
        """True when one of the official's authority periods contains ``day``."""
        return any(period.contains(day) for period in self.authority)


class ActorAgent(mesa.Agent):
    """A state or organisation: its stance comes from its officials under its internal rule."""

    def __init__(self, model: NegotiationModel, index: int):
        super().__init__(model)
        c = model.compiled
        self.index = index
        self.actor_id = c.actor_ids[index]
        self.spec = c.scenario.actors[self.actor_id]
        n_issues = len(c.issue_ids)
        self.value = np.full(n_issues, np.nan)
        self.choice = np.full(n_issues, -1, dtype=np.int64)
        for i, issue_id in enumerate(c.issue_ids):
            stance = self.spec.stances.get(issue_id)
            if stance is not None:
                self.value[i], self.choice[i] = model.position_of(i, stance.position)
        self.officials: list[OfficialAgent] = []
        R = model.params.n
        # Replicate-level state changed by events.
        self.head = np.full(R, -1, dtype=np.int64)  # official index set by an authority effect
        # Issue-major, (I, R), as :meth:`stance` works (long inner loops over replicates).
        self.override_value = np.full((n_issues, R), np.nan)
        self.override_choice = np.full((n_issues, R), -1, dtype=np.int64)
        self.beta = self.spec.behaviour.concession_exponent

    def current_head(self, day: dt.date) -> np.ndarray:
        """``(R,)`` index of the official with authority on ``day`` (-1: none)."""
        static = -1
        for official in self.officials:
            if official.has_authority(day):
                static = official.index
        return np.where(self.head >= 0, self.head, static)

    def stance(self, day: dt.date, pull_limit: float) -> tuple[np.ndarray, np.ndarray]:
        """``(ideal, choice)`` of shape ``(R, I)`` on ``day``.

        Under ``head_decides`` the head's stated position replaces the actor's own; under
        ``consensus`` no single official decides.  Every other (non-hypothetical) official with a
        stated position pulls the ideal point toward theirs,
        ``sum(w * (v - base)) / (1 + sum(w))``, at most
        ``pull_limit`` points; a position effect overrides everything.
        """
        # Worked issue-major, (I, R), so that NumPy loops over replicates, not over a handful
        # of issues; returned as (R, I) views.
        R = self.model.params.n
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
        ideal = ideal + np.clip(pull / (1.0 + weight), -pull_limit, pull_limit)
        ideal = np.where(np.isnan(self.override_value), ideal, self.override_value)
        choice = np.where(self.override_choice >= 0, self.override_choice, choice)
        return ideal.T, choice.T
