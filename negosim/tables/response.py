"""How an outcome responds to a sweep's factors: main effects, a two-factor grid, a tornado table.

Every function reads a sweep's runs table (``point`` and one column per factor, see
:mod:`negosim.tables.columns`) and counts the runs where an outcome of the grammar
(:mod:`negosim.tables.outcomes`) happens, with 95% Wilson intervals
(:func:`~negosim.tables.summary.wilson_interval`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from negosim.errors import UsageError
from negosim.tables.outcomes import OutcomeSpec, outcome_hits
from negosim.tables.summary import check_columns, proportions, wilson_interval

__all__ = [
    "binned",
    "point_levels",
    "reference_levels",
    "sweep_response",
    "tornado_table",
]


def binned(values: pd.Series, bins: int) -> pd.Series:
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
    check_columns(runs, ["point", *factors], "the sweep's runs table")
    levels = runs.drop_duplicates("point").set_index("point")[list(factors)].sort_index()
    for factor in factors:
        bins = max_levels if isinstance(max_levels, int) else max_levels.get(factor, 12)
        levels[factor] = binned(levels[factor], bins)
    return levels


def _counts(hits: pd.Series, levels: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    frame = hits.rename("hit").reset_index().join(levels[keys], on="point")
    table = frame.groupby(keys)["hit"].agg(["sum", "count"]).reset_index()
    table.columns = [*keys, "count", "runs"]
    table["count"] = table["count"].astype(int)
    proportions(table)
    table["probability"] = table["probability"].astype(float)
    return table


def sweep_response(
    runs: pd.DataFrame,
    factor: str,
    *,
    outcome: str | OutcomeSpec = "agreement",
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
        An event of the outcome grammar: ``agreement``, ``breakdown``, ``ISSUE=OPTION`` or
        ``fallback:ACTOR`` (:func:`~negosim.tables.outcomes.outcome_hits`).
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
    outcome: str | OutcomeSpec = "agreement",
    base: Mapping[str, float | None] | None = None,
) -> pd.DataFrame:
    """For each factor: the outcome's probability at its lowest and highest level, the other
    factors held at their reference levels (:func:`reference_levels`).

    Where the design has no such points (a Latin hypercube), the factor is read in three quantile
    bins and the lowest and highest are compared, pooled over the other factors (``held ==
    "pooled"``).

    Parameters
    ----------
    runs
        A sweep's runs table.
    factors
        The factors' paths (at least one).
    outcome
        An event of the outcome grammar, as in :func:`sweep_response`.
    base
        Each factor's own value in the scenario, which picks its reference level.

    Returns
    -------
    pandas.DataFrame
        One row per factor, largest ``swing`` (``|at_high - at_low|``) first: ``factor,
        low_level, high_level, at_low, at_low_low, at_low_high, at_high, at_high_low,
        at_high_high, runs_low, runs_high, swing, held, reference, reference_low,
        reference_high, reference_held`` (``reference``: the probability with every factor at
        its reference level, ``reference_held == "reference"``; or over the whole sweep when no
        point has them all, ``"pooled"``).  ``attrs["reference_levels"]`` holds the reference
        level of each factor.
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
            kind, subset = "pooled", levels.assign(**{factor: binned(column, 3)})
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
    out = out.sort_values("swing", ascending=False, kind="stable", ignore_index=True)
    out.attrs["reference_levels"] = ref
    return out
