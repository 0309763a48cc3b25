"""The scenario as a plain ``f(seed=..., **overrides) -> dict`` for EMA Workbench or SALib."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from negosim.scenario.paths import apply_overrides
from negosim.scenario.schema import Scenario
from negosim.tables.outcomes import outcome_value, parse_outcome

__all__ = ["as_function", "outcome_value"]


def as_function(
    scenario: Scenario,
    outcomes: Sequence[str] = ("agreement",),
    *,
    runs: int | None = None,
    model: str | None = None,
) -> Callable[..., dict[str, float]]:
    """Wrap the scenario as ``f(seed=0, **overrides) -> {outcome: value}``.

    Parameters
    ----------
    scenario
        A loaded scenario.
    outcomes
        Outcome specs of the grammar in :mod:`negosim.tables.outcomes`: ``agreement``,
        ``breakdown``, ``ISSUE=OPTION``, ``fallback:ACTOR`` (each a probability) or
        ``ISSUE:value`` (a mean value, 0-100); see
        :func:`~negosim.tables.outcomes.outcome_value`.
    runs, model
        Runs per call (default: the scenario's) and the decision model (default: the
        scenario's).

    Returns
    -------
    callable
        ``f(seed=0, **overrides)``; overrides are dotted scenario paths, passed with
        ``**{"actors.russia.capability": 0.5}`` or with double underscores as keywords
        (``actors__russia__capability=0.5``).

    Raises
    ------
    UsageError
        For an outcome of no accepted form (before anything runs).
    """
    from negosim.simulation.simulate import simulate

    outcomes = list(outcomes)
    specs = [parse_outcome(spec) for spec in outcomes]

    def f(seed: int = 0, **overrides: Any) -> dict[str, float]:
        changed = apply_overrides(scenario, overrides) if overrides else scenario
        table = simulate(changed, runs, seed, model=model).runs
        return {spec.text: outcome_value(table, spec) for spec in specs}

    f.__doc__ = f"{scenario.metadata.title}: returns {', '.join(outcomes)}."
    return f
