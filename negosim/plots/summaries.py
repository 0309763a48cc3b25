"""Pure summaries behind the plots: each reads tidy tables and returns a DataFrame.

Kept apart from drawing so that they are tested numerically and reused by notebooks.  Every
probability comes with a 95% Wilson interval from :func:`negosim.tables.summary.wilson_interval`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from negosim.errors import UsageError
from negosim.tables.summary import Z95, run_level, wilson_interval

__all__ = [
    "NO_AGREEMENT",
    "agreement_curve",
    "fan_quantiles",
    "mean_outcome_values",
    "option_probabilities",
    "outcome_hits",
    "point_levels",
    "reference_levels",
    "sweep_response",
    "tornado_table",
]

NO_AGREEMENT = "no agreement"


def _check_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame]
    if missing:
        raise UsageError(f"{what} lacks column(s) {', '.join(map(repr, missing))}")


def option_probabilities(
    runs: pd.DataFrame,
    issue: str,
    *,
    options: Sequence[str] | None = None,
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """Probability of each option of ``issue``, and of no agreement, with zero counts kept.

    Parameters
    ----------
    runs
        A runs table (one row per run x issue).
    issue
        The issue id.
    options
        Option ids in the order to report them (e.g. the scenario's); by default the agreed
        outcomes seen, sorted.  Options never agreed get a count of 0 and the Wilson interval of
        0 successes (its upper bound is above 0).
    by
        Grouping columns (e.g. ``["model"]``).

    Returns
    -------
    pandas.DataFrame
        ``[*by, outcome, agreed, count, runs, probability, low, high]``: one row per group and
        option in ``options`` order, then one row ``outcome == "no agreement"``, ``agreed ==
        False`` per group.
    """
    by = list(by)
    _check_columns(runs, [*by, "issue", "outcome", "agreed"], "the runs table")
    rows = runs[runs["issue"] == issue]
    if rows.empty:
        raise UsageError(f"no issue {issue!r} in these results")
    if options is None:
        options = sorted(str(o) for o in rows.loc[rows["agreed"], "outcome"].dropna().unique())
    groups = rows.groupby(by, sort=False) if by else [((), rows)]
    records = []
    for key, group in groups:
        labels = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
        agreed = group.loc[group["agreed"], "outcome"].value_counts()
        for option in options:
            count = int(agreed.get(option, 0))
            records.append({**labels, "outcome": option, "agreed": True, "count": count})
        count = int((~group["agreed"]).sum())
        records.append({**labels, "outcome": NO_AGREEMENT, "agreed": False, "count": count})
        for record in records[-len(options) - 1 :]:
            record["runs"] = len(group)
    out = pd.DataFrame.from_records(records, columns=[*by, "outcome", "agreed", "count", "runs"])
    out["probability"] = out["count"] / out["runs"]
    out["low"], out["high"] = wilson_interval(out["count"].to_numpy(), out["runs"].to_numpy())
    return out


def mean_outcome_values(runs: pd.DataFrame, *, by: Sequence[str] = ()) -> pd.DataFrame:
    """Mean place (0-100) of the outcome that holds on each issue by the deadline, deal or not.

    The interval is the normal approximation ``mean +/- 1.96 sd / sqrt(n)`` (sample sd); with a
    single run, or runs that all agree, it has zero width.

    Returns
    -------
    pandas.DataFrame
        ``[*by, issue, runs, mean, sd, low, high, agreed]`` where ``agreed`` is the share of runs
        with an agreement on the issue.
    """
    by = list(by)
    _check_columns(runs, [*by, "issue", "value", "agreed"], "the runs table")
    keys = [*by, "issue"]
    grouped = runs.groupby(keys, sort=False)
    out = grouped["value"].agg(runs="count", mean="mean", sd="std").reset_index()
    out["sd"] = out["sd"].fillna(0.0)
    half = Z95 * out["sd"] / np.sqrt(out["runs"])
    out["low"], out["high"] = out["mean"] - half, out["mean"] + half
    out["agreed"] = grouped["agreed"].mean().to_numpy()
    return out


def outcome_hits(runs: pd.DataFrame, spec: str) -> pd.Series:
    """Per run (index ``run``, or ``(point, run)`` in a sweep): did the outcome ``spec`` happen?

    Parameters
    ----------
    runs
        A runs table.
    spec
        ``agreement`` (the run ended in full agreement), ``breakdown``, ``ISSUE=OPTION`` (that
        option agreed), or ``fallback:ACTOR`` (that actor's fallback played out).
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


def agreement_curve(runs: pd.DataFrame, dates: Sequence[Any] | None = None) -> pd.DataFrame:
    """Cumulative probability of full agreement by each date, with 95% Wilson intervals.

    Parameters
    ----------
    runs
        A runs table (one scenario, not a sweep).
    dates
        Dates to evaluate at (e.g. the round dates and the deadline); by default the end dates
        seen in ``runs``.

    Returns
    -------
    pandas.DataFrame
        ``[date, count, runs, probability, low, high]``: ``count`` runs had reached full
        agreement on or before ``date``.
    """
    per_run = run_level(runs)
    n = len(per_run)
    agreed = per_run["agreement_date"].dropna().sort_values()
    if dates is None:
        dates = sorted(pd.to_datetime(runs["end_date"].unique()))
    stamps = pd.to_datetime(pd.Series(sorted(set(pd.to_datetime(list(dates))))))
    counts = np.searchsorted(
        agreed.to_numpy(dtype="datetime64[ns]"),
        stamps.to_numpy(dtype="datetime64[ns]"),
        side="right",
    )
    low, high = wilson_interval(counts, np.full(len(counts), n))
    return pd.DataFrame(
        {
            "date": stamps,
            "count": counts,
            "runs": n,
            "probability": counts / n if n else np.nan,
            "low": low,
            "high": high,
        }
    )


def fan_quantiles(trajectories: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per actor and round: the median and the 50% and 90% bands of ``column`` across runs.

    Returns
    -------
    pandas.DataFrame
        ``[actor, round, date, q05, q25, median, q75, q95]``, actors in order of appearance.
    """
    if column not in trajectories:
        raise UsageError(f"no trajectory column {column!r}")
    grouped = trajectories.groupby(["actor", "round", "date"], sort=True)[column]
    quantiles = grouped.quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack()
    quantiles.columns = ["q05", "q25", "median", "q75", "q95"]
    out = quantiles.reset_index()
    order = {a: i for i, a in enumerate(dict.fromkeys(trajectories["actor"]))}
    return out.sort_values(
        ["actor", "round"],
        key=lambda s: s.map(order) if s.name == "actor" else s,
        ignore_index=True,
    )


def _binned(values: pd.Series, bins: int) -> pd.Series:
    """Numeric ``values`` with more than ``bins`` distinct levels, replaced by the median of
    their quantile bin (a sampled design read as a few levels); others unchanged."""
    if values.nunique() <= bins or not pd.api.types.is_numeric_dtype(values):
        return values
    groups = pd.qcut(values, q=bins, duplicates="drop")
    return values.groupby(groups, observed=True).transform("median")


def point_levels(
    runs: pd.DataFrame, factors: Sequence[str], *, max_levels: int | Mapping[str, int] = 12
) -> pd.DataFrame:
    """Each design point's level of each factor (index ``point``).

    A numeric factor with more than ``max_levels`` distinct values (a Latin hypercube) is read in
    ``max_levels`` quantile bins, each point getting the median of its bin.
    """
    _check_columns(runs, ["point", *factors], "the sweep's runs table")
    levels = runs.drop_duplicates("point").set_index("point")[list(factors)].sort_index()
    for factor in factors:
        bins = max_levels if isinstance(max_levels, int) else max_levels.get(factor, 12)
        levels[factor] = _binned(levels[factor], bins)
    return levels


def _counts(hits: pd.Series, levels: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    frame = hits.rename("hit").reset_index().join(levels[keys], on="point")
    table = frame.groupby(keys)["hit"].agg(["sum", "count"]).reset_index()
    table.columns = [*keys, "count", "runs"]
    table["count"] = table["count"].astype(int)
    table["probability"] = (table["count"] / table["runs"]).astype(float)
    table["low"], table["high"] = wilson_interval(
        table["count"].to_numpy(), table["runs"].to_numpy()
    )
    return table


def sweep_response(
    runs: pd.DataFrame,
    factor: str,
    *,
    outcome: str = "agreement",
    by: str | None = None,
    max_levels: int = 12,
    max_by_levels: int = 4,
) -> pd.DataFrame:
    """Probability of ``outcome`` at each level of ``factor`` (and of ``by``), with intervals.

    Runs at design points that differ only in the other factors are pooled (a main effect).

    Parameters
    ----------
    runs
        A sweep's runs table: ``point`` and one column per factor.
    factor, by
        Factor paths; ``by`` gives one row per combination of levels.
    outcome
        As in :func:`outcome_hits`.
    max_levels, max_by_levels
        A sampled factor with more distinct values is read in this many quantile bins
        (:func:`point_levels`).

    Returns
    -------
    pandas.DataFrame
        ``[factor, (by), count, runs, probability, low, high]``, sorted by the levels.
    """
    for name in (factor, by):
        if name is not None and name not in runs:
            raise UsageError(f"{name!r} is not a factor of this sweep")
    keys = [factor] + ([by] if by else [])
    bins = {factor: max_levels, **({by: max_by_levels} if by else {})}
    levels = point_levels(runs, keys, max_levels=bins)
    return _counts(outcome_hits(runs, outcome), levels, keys)


def reference_levels(
    levels: pd.DataFrame, base: Mapping[str, float | None] | None = None
) -> dict[str, Any]:
    """Each factor's reference level: the design level nearest its ``base`` value (e.g. the
    scenario's own), else the median level (the lower of the two middle ones)."""
    out: dict[str, Any] = {}
    for factor in levels.columns:
        values = sorted(levels[factor].unique())
        target = (base or {}).get(factor)
        if target is not None and pd.api.types.is_numeric_dtype(levels[factor]):
            out[factor] = min(values, key=lambda v: (abs(float(v) - target), v))
        else:
            out[factor] = values[(len(values) - 1) // 2]
    return out


def tornado_table(
    runs: pd.DataFrame,
    factors: Sequence[str],
    *,
    outcome: str = "agreement",
    base: Mapping[str, float | None] | None = None,
) -> pd.DataFrame:
    """For each factor: the outcome's probability at its lowest and highest level, the other
    factors held at their reference levels (:func:`reference_levels`).

    Where the design has no such points (a Latin hypercube), the factor is read in three quantile
    bins and the lowest and highest are compared, pooled over the other factors (``held ==
    "pooled"``).

    Returns
    -------
    pandas.DataFrame
        One row per factor, largest ``swing`` (``|at_high - at_low|``) first: ``factor,
        low_level, high_level, at_low, at_low_low, at_low_high, at_high, at_high_low,
        at_high_high, runs_low, runs_high, swing, held, reference, reference_low,
        reference_high, reference_held`` (``reference``: the probability with every factor at
        its reference level, ``reference_held == "reference"``; or over the whole sweep when no
        point has them all, ``"pooled"``).
    """
    factors = list(factors)
    if not factors:
        raise UsageError("a tornado chart needs at least one factor")
    hits = outcome_hits(runs, outcome).rename("hit").reset_index()
    levels = point_levels(runs, factors, max_levels=len(runs))
    ref = reference_levels(levels, base)
    at_ref = np.logical_and.reduce([levels[f] == ref[f] for f in factors])
    ref_points = levels.index[at_ref]

    def probability(points: pd.Index) -> tuple[float, float, float, int]:
        chosen = hits[hits["point"].isin(points)]["hit"]
        n, k = len(chosen), int(chosen.sum())
        if n == 0:
            return np.nan, np.nan, np.nan, 0
        low, high = wilson_interval(k, n)
        return k / n, float(low), float(high), n

    rows = []
    for factor in factors:
        others = [f for f in factors if f != factor]
        held = np.logical_and.reduce([levels[f] == ref[f] for f in others]) if others else None
        column = levels[factor]
        lo_level, hi_level = column.min(), column.max()
        subset = levels if held is None else levels[held]
        kind = "reference"
        if not ((subset[factor] == lo_level).any() and (subset[factor] == hi_level).any()):
            kind, subset = "pooled", levels.assign(**{factor: _binned(column, 3)})
            lo_level, hi_level = subset[factor].min(), subset[factor].max()
        at_low = probability(subset.index[subset[factor] == lo_level])
        at_high = probability(subset.index[subset[factor] == hi_level])
        rows.append(
            {
                "factor": factor,
                "low_level": lo_level,
                "high_level": hi_level,
                "at_low": at_low[0],
                "at_low_low": at_low[1],
                "at_low_high": at_low[2],
                "at_high": at_high[0],
                "at_high_low": at_high[1],
                "at_high_high": at_high[2],
                "runs_low": at_low[3],
                "runs_high": at_high[3],
                "swing": abs(at_high[0] - at_low[0]),
                "held": kind,
            }
        )
    out = pd.DataFrame(rows)
    # A sampled design may put one point at every reference level by chance: its few runs are no
    # reference, so the whole sweep is used unless some factor was read at reference.
    held = len(ref_points) > 0 and bool((out["held"] == "reference").any())
    reference = probability(ref_points if held else levels.index)
    out["reference"], out["reference_low"], out["reference_high"] = reference[:3]
    out["reference_held"] = "reference" if held else "pooled"
    return out.sort_values("swing", ascending=False, kind="stable", ignore_index=True)
