"""The scenario as a plain ``f(seed=..., **overrides) -> dict`` for EMA Workbench or SALib."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from negosim.errors import UsageError
from negosim.scenario.schema import Scenario
from negosim.tables.summary import run_level

__all__ = ["as_function", "outcome_value"]


def outcome_value(runs: pd.DataFrame, spec: str) -> float:
    """One number from a runs table.

    ``agreement`` / ``breakdown``: probability of full agreement / of breakdown;
    ``ISSUE=OPTION``: probability that the option is agreed on the issue;
    ``ISSUE:value``: mean outcome value (0-100) on the issue; ``fallback:ACTOR``: probability that
    the actor's fallback plays out.
    """
    per_run = run_level(runs)
    if spec == "agreement":
        return float(per_run["full_agreement"].mean())
    if spec == "breakdown":
        return float((per_run["run_end_reason"] == "breakdown").mean())
    if spec.startswith("fallback:"):
        column = f"fallback_{spec.removeprefix('fallback:')}"
        if column not in runs:
            raise UsageError(
                f"unknown outcome {spec!r}: no actor {spec.removeprefix('fallback:')!r}"
            )
        return float(runs.groupby("run")[column].first().mean())
    issue, sep, option = spec.partition("=")
    if sep:
        rows = runs[runs["issue"] == issue]
        if rows.empty:
            raise UsageError(f"unknown outcome {spec!r}: no issue {issue!r}")
        return float((rows["agreed"] & (rows["outcome"] == option)).mean())
    issue, sep, what = spec.partition(":")
    if sep and what == "value":
        rows = runs[runs["issue"] == issue]
        if rows.empty:
            raise UsageError(f"unknown outcome {spec!r}: no issue {issue!r}")
        return float(rows["value"].mean())
    raise UsageError(
        f"unknown outcome {spec!r} (use agreement, breakdown, ISSUE=OPTION, ISSUE:value or "
        "fallback:ACTOR)"
    )


def as_function(
    scenario: Scenario,
    outcomes: Sequence[str] = ("agreement",),
    *,
    runs: int | None = None,
    model: str | None = None,
) -> Callable[..., dict[str, float]]:
    """Wrap the scenario as ``f(seed=0, **overrides) -> {outcome: value}``.

    Overrides are dotted scenario paths; pass them with ``**{"actors.russia.capability": 0.5}`` or
    with double underscores as keywords (``actors__russia__capability=0.5``).
    """
    from negosim.simulation.simulate import simulate

    outcomes = list(outcomes)

    def f(seed: int = 0, **overrides: Any) -> dict[str, float]:
        changed = scenario.with_overrides(overrides) if overrides else scenario
        table = simulate(changed, runs, seed, model=model).runs
        return {spec: outcome_value(table, spec) for spec in outcomes}

    f.__doc__ = f"{scenario.metadata.title}: returns {', '.join(outcomes)}."
    return f
