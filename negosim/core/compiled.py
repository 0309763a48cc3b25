"""A scenario compiled to index arrays: what the engine needs and nothing that varies per run.

Issues become option grids (a continuous issue becomes a grid of values on 0-100), linked issues
become package spaces (every combination of their options), red lines become masks, and the
calendar becomes round dates up to the deadline.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

import negosim.limits as limits
from negosim.errors import UsageError
from negosim.scenario.schema import Issue, Scenario

__all__ = ["Compiled", "PackageSpace", "compile_scenario"]


@dataclass(frozen=True)
class PackageSpace:
    """Every proposal on one package: a combination of one option per linked issue."""

    package_id: str
    issues: tuple[int, ...]  # indices into Compiled.issue_ids
    combos: np.ndarray  # (n_combos, n_issues) option index per issue
    needs_ratification: np.ndarray  # (n_combos,) bool
    allowed: np.ndarray  # (n_actors, n_combos) bool: inside every red line of the actor
    no_deal: int  # index of the combination that holds without agreement

    @property
    def on_table(self) -> np.ndarray:
        """Indices of the combinations that could ever be agreed: inside every actor's red lines
        and not the no-deal combination.  Agreement and strategic floors look only at these."""
        ok: np.ndarray = np.asarray(self.allowed.all(axis=0), dtype=bool)
        ok[self.no_deal] = False
        return np.flatnonzero(ok)


@dataclass(frozen=True)
class Compiled:
    """Static, index-based view of a scenario for the engine."""

    scenario: Scenario
    actor_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    official_ids: tuple[str, ...]
    event_ids: tuple[str, ...]  # in date order
    option_ids: tuple[tuple[str, ...] | None, ...]  # None for continuous issues
    option_values: tuple[np.ndarray, ...]  # (n_options,) value on 0-100 per issue
    no_deal_option: tuple[int, ...]  # option index per issue without agreement
    packages: tuple[PackageSpace, ...]
    round_dates: tuple[dt.date, ...]  # rounds of the talks, up to the deadline
    deadline_id: str | None
    deadline_date: dt.date | None
    official_actor: np.ndarray  # (n_officials,) actor index

    @property
    def n_actors(self) -> int:
        return len(self.actor_ids)

    @property
    def n_rounds(self) -> int:
        return len(self.round_dates)

    def option_label(self, issue: int, option: int) -> str:
        """Label of an option (or the value of a continuous issue) for narratives and tables."""
        ids = self.option_ids[issue]
        if ids is None:
            return f"{self.option_values[issue][option]:g}"
        return self.scenario.issues[self.issue_ids[issue]].options[ids[option]].label

    def option_key(self, issue: int, option: int) -> str | None:
        """Option id, or None for a continuous issue."""
        ids = self.option_ids[issue]
        return None if ids is None else ids[option]


def _grid(issue: Issue, step: float) -> tuple[tuple[str, ...] | None, np.ndarray]:
    if issue.kind == "continuous":
        n = round(100 / step) + 1
        return None, np.linspace(0.0, 100.0, n)
    ids = tuple(issue.options)
    return ids, np.array([issue.option_value(k) for k in ids], dtype=float)


def option_index(issue: Issue, ids: tuple[str, ...] | None, values: np.ndarray, pos: Any) -> int:
    """Index of an option id, or of the grid point nearest a continuous value."""
    if ids is None:
        return int(np.argmin(np.abs(values - float(pos))))
    return ids.index(str(pos))


def _no_deal(s: Scenario, issue_id: str, issue: Issue) -> Any:
    """The status quo, unless an actor's fallback imposes an option (checks forbid conflicts)."""
    for actor in s.actors.values():
        if issue_id in actor.fallback.outcomes:
            return actor.fallback.outcomes[issue_id]
    return issue.status_quo


def _allowed(
    s: Scenario, issue_id: str, ids: tuple[str, ...] | None, values: np.ndarray
) -> np.ndarray:
    """(n_actors, n_options) mask of options inside each actor's red line on one issue."""
    mask = np.ones((len(s.actors), len(values)), dtype=bool)
    for a, actor in enumerate(s.actors.values()):
        stance = actor.stances.get(issue_id)
        red = None if stance is None else stance.red_line
        if red is None:
            continue
        if ids is None and red.range is not None:
            mask[a] = (values >= red.range[0]) & (values <= red.range[1])
        elif ids is not None and red.acceptable is not None:
            mask[a] = np.array([k in red.acceptable for k in ids])
    return mask


def _round_dates(s: Scenario) -> tuple[tuple[dt.date, ...], str | None, dt.date | None]:
    ending = sorted(
        ((d.date, k) for k, d in s.deadlines.items() if d.ends_talks), key=lambda x: x[0]
    )
    dates = s.calendar.round_dates()
    if ending:
        deadline_date, deadline_id = ending[0]
        dates = tuple(d for d in dates if d <= deadline_date)
        return dates, deadline_id, deadline_date
    return dates, None, None


def _check_packages(s: Scenario, grid_step: float, model: str) -> None:
    """Refuse, before any grid is built, a package with more combinations than ``model``
    enumerates (counted exactly by :func:`negosim.limits.package_combinations`)."""
    limit = limits.combination_limit(model)
    for package_id in dict.fromkeys(issue.package for issue in s.issues.values()):
        if limits.package_combinations(s, package_id, grid_step) <= limit:
            continue
        members = {k: i for k, i in s.issues.items() if i.package == package_id}
        message = limits.package_message(
            package_id,
            limits.package_sizes(s, package_id, grid_step),
            members,
            model,
            any(i.kind == "continuous" for i in members.values()),
        )
        raise UsageError(f"{s.path}: {message}" if s.path else message)


def compile_scenario(
    s: Scenario, *, grid_step: float = 1.0, model: str = limits.ENGINE
) -> Compiled:
    """Compile a validated scenario.

    Parameters
    ----------
    s
        The scenario.
    grid_step
        The resolution of continuous issues on 0-100.
    model
        The model that will play it: its limit on a package's combinations
        (:func:`negosim.limits.combination_limit`) applies and its name is in the refusal.

    Raises
    ------
    UsageError
        On a grid step outside (0, 50], or a package with too many combinations.
    """
    if not 0 < grid_step <= 50:
        raise UsageError(f"grid_step must be in (0, 50] (got {grid_step})")
    _check_packages(s, grid_step, model)
    issue_ids = tuple(s.issues)
    option_ids, option_values, no_deal, allowed = [], [], [], []
    for issue_id in issue_ids:
        issue = s.issues[issue_id]
        ids, values = _grid(issue, grid_step)
        option_ids.append(ids)
        option_values.append(values)
        no_deal.append(option_index(issue, ids, values, _no_deal(s, issue_id, issue)))
        allowed.append(_allowed(s, issue_id, ids, values))
    packages = []
    for package_id in dict.fromkeys(issue.package for issue in s.issues.values()):
        members = tuple(i for i, k in enumerate(issue_ids) if s.issues[k].package == package_id)
        sizes = [len(option_values[i]) for i in members]
        total = math.prod(sizes)  # checked above, exactly
        combos = np.array(list(itertools.product(*[range(n) for n in sizes])), dtype=np.int64)
        combos = combos.reshape(total, len(members))
        needs = np.zeros(total, dtype=bool)
        ok = np.ones((len(s.actors), total), dtype=bool)
        for j, i in enumerate(members):
            ids = option_ids[i]
            if ids is not None:
                flags = np.array(
                    [s.issues[issue_ids[i]].options[k].requires_ratification for k in ids]
                )
                needs |= flags[combos[:, j]]
            ok &= allowed[i][:, combos[:, j]]
        nd = np.array([no_deal[i] for i in members])
        no_deal_index = int(np.flatnonzero((combos == nd).all(axis=1))[0])
        packages.append(PackageSpace(package_id, members, combos, needs, ok, no_deal_index))
    dates, deadline_id, deadline_date = _round_dates(s)
    events = sorted(s.events, key=lambda k: s.events[k].date)
    actor_ids = tuple(s.actors)
    return Compiled(
        scenario=s,
        actor_ids=actor_ids,
        issue_ids=issue_ids,
        official_ids=tuple(s.officials),
        event_ids=tuple(events),
        option_ids=tuple(option_ids),
        option_values=tuple(option_values),
        no_deal_option=tuple(no_deal),
        packages=tuple(packages),
        round_dates=dates,
        deadline_id=deadline_id,
        deadline_date=deadline_date,
        official_actor=np.array(
            [actor_ids.index(o.actor) for o in s.officials.values()], dtype=np.int64
        ),
    )
