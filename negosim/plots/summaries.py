"""Pure summaries behind the plots: each reads tidy tables and returns a DataFrame.

Kept apart from drawing so that they are tested numerically and reused by notebooks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from negosim.errors import UsageError
from negosim.tables.summary import run_level, wilson_interval

__all__ = [
    "agreement_curve",
    "fan_quantiles",
    "outcome_hits",
    "sweep_response",
    "tornado_table",
]


def outcome_hits(runs: pd.DataFrame, spec: str) -> pd.Series:
    """Per run (index ``run``, or ``(point, run)`` in a sweep): did the outcome ``spec`` happen?

    ``agreement``, ``breakdown``, ``ISSUE=OPTION`` (the option agreed), ``fallback:ACTOR``.
    """
    keys = ["point", "run"] if "point" in runs else ["run"]
    if spec in ("agreement", "breakdown"):
        reason = runs.groupby(keys)["run_end_reason"].first()
        return reason == spec
    if spec.startswith("fallback:"):
        column = f"fallback_{spec.removeprefix('fallback:')}"
        if column not in runs:
            raise UsageError(f"unknown outcome {spec!r}: no such actor")
        return runs.groupby(keys)[column].first().astype(bool)
    issue, sep, option = spec.partition("=")
    if not sep:
        raise UsageError(
            f"unknown outcome {spec!r} (use agreement, breakdown, ISSUE=OPTION or fallback:ACTOR)"
        )
    rows = runs[runs["issue"] == issue]
    if rows.empty:
        raise UsageError(f"unknown outcome {spec!r}: no issue {issue!r}")
    hit = rows["agreed"] & (rows["outcome"] == option)
    return hit.groupby([rows[k] for k in keys]).first().astype(bool)


def agreement_curve(runs: pd.DataFrame, dates: list[pd.Timestamp] | None = None) -> pd.DataFrame:
    """Cumulative probability of full agreement by each date, with 95% Wilson intervals."""
    per_run = run_level(runs)
    n = len(per_run)
    agreed = per_run["agreement_date"].dropna().sort_values()
    if dates is None:
        dates = sorted(pd.to_datetime(runs["end_date"].unique()))
    stamps = pd.to_datetime(pd.Series(dates))
    counts = np.searchsorted(agreed.to_numpy(), stamps.to_numpy(), side="right")
    low, high = wilson_interval(counts, np.full(len(counts), n))
    return pd.DataFrame(
        {
            "date": stamps,
            "count": counts,
            "runs": n,
            "probability": counts / n,
            "low": low,
            "high": high,
        }
    )


def fan_quantiles(trajectories: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per actor and round: median and the 50% and 90% bands of ``column`` across runs."""
    if column not in trajectories:
        raise UsageError(f"no trajectory column {column!r}")
    grouped = trajectories.groupby(["actor", "round", "date"], sort=True)[column]
    quantiles = grouped.quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack()
    quantiles.columns = ["q05", "q25", "median", "q75", "q95"]
    return quantiles.reset_index()


def sweep_response(
    runs: pd.DataFrame, factor: str, *, outcome: str = "agreement", by: str | None = None
) -> pd.DataFrame:
    """Probability of ``outcome`` at each level of ``factor`` (and of ``by``), with intervals."""
    for name in (factor, by):
        if name is not None and name not in runs:
            raise UsageError(f"{name!r} is not a factor of this sweep")
    hits = outcome_hits(runs, outcome).rename("hit").reset_index()
    levels = runs.drop_duplicates("point").set_index("point")
    keys = [factor] + ([by] if by else [])
    hits = hits.join(levels[keys], on="point")
    table = hits.groupby(keys)["hit"].agg(["sum", "count"]).reset_index()
    table.columns = [*keys, "count", "runs"]
    table["count"] = table["count"].astype(int)
    table["probability"] = (table["count"] / table["runs"]).astype(float)
    table["low"], table["high"] = wilson_interval(
        table["count"].to_numpy(), table["runs"].to_numpy()
    )
    return table


def tornado_table(
    runs: pd.DataFrame, factors: list[str], *, outcome: str = "agreement"
) -> pd.DataFrame:
    """For each factor: the outcome's probability at its lowest and highest level, pooled over the
    other factors' levels; sorted by the swing, largest first."""
    rows = []
    for factor in factors:
        table = sweep_response(runs, factor, outcome=outcome)
        low_row, high_row = table.iloc[0], table.iloc[-1]
        rows.append(
            {
                "factor": factor,
                "low_level": low_row[factor],
                "high_level": high_row[factor],
                "at_low": low_row["probability"],
                "at_high": high_row["probability"],
                "swing": abs(high_row["probability"] - low_row["probability"]),
            }
        )
    return pd.DataFrame(rows).sort_values("swing", ascending=False, ignore_index=True)
