"""Pure summaries of one scenario's results: outcome probabilities with 95% intervals, agreement
timing, mean outcome values, fallbacks and trajectory fans.

Every function reads only tidy tables (a runs table, one row per run x issue, or a trajectories
table) and returns a DataFrame.  Every probability is a share of runs with its Wilson score
interval (Wilson 1927), which stays inside [0, 1] and behaves at 0 and n; the events themselves
(full agreement, breakdown, an option agreed, a fallback) are those of the outcome grammar,
:mod:`negosim.tables.outcomes`.  The summaries of a sweep are in :mod:`negosim.tables.response`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from negosim.errors import UsageError
from negosim.tables.outcomes import outcome_hits, run_keys

__all__ = [
    "AGREED",
    "NO_DEAL",
    "Z95",
    "agreement_curve",
    "agreement_summary",
    "agreement_table",
    "check_columns",
    "ending",
    "fallback_probabilities",
    "fallback_table",
    "fan_quantiles",
    "mean_outcome_values",
    "option_probabilities",
    "outcome_counts",
    "outcome_probabilities",
    "outcome_table",
    "proportions",
    "run_level",
    "wilson_interval",
]

Z95 = 1.959963984540054
AGREED = "agreed"
NO_DEAL = "without a deal"


def ending(agreed: bool) -> str:
    """How an issue ends, in words: ``"agreed"`` or ``"without a deal"`` (the outcome that then
    holds is the one an actor's fallback imposes, or the status quo)."""
    return AGREED if agreed else NO_DEAL


def wilson_interval(
    successes: np.ndarray | int, trials: np.ndarray | int, z: float = Z95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion; returns ``(low, high)``."""
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    safe = np.where(n > 0, n, 1.0)
    p = k / safe
    denom = 1.0 + z**2 / safe
    centre = (p + z**2 / (2 * safe)) / denom
    half = z * np.sqrt(p * (1 - p) / safe + z**2 / (4 * safe**2)) / denom
    low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high


def proportions(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (with integer ``count`` and ``runs`` columns) with ``probability = count / runs``
    and its 95% Wilson interval ``low``, ``high`` added (in place, and returned)."""
    table["probability"] = table["count"] / table["runs"]
    table["low"], table["high"] = wilson_interval(
        table["count"].to_numpy(), table["runs"].to_numpy()
    )
    return table


def check_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Raise :class:`~negosim.errors.UsageError` naming the ``columns`` that ``frame`` lacks."""
    missing = [c for c in columns if c not in frame]
    if missing:
        raise UsageError(f"{what} lacks column(s) {', '.join(map(repr, missing))}")


def outcome_probabilities(runs: pd.DataFrame, *, by: list[str] | None = None) -> pd.DataFrame:
    """Probability of each outcome each issue ends with, agreed or without a deal, with 95%
    intervals.

    Columns: ``[*by, issue, outcome, agreed, runs, count, probability, low, high]``.  ``outcome``
    is the option id that holds at the end (``<NA>`` for a continuous issue's values, pooled):
    agreed (``agreed == True``), or without a deal (``agreed == False``: the option an actor's
    fallback imposes, or the status quo), as the runs table's ``outcome`` column has it.  An
    issue's probabilities sum to one.  Issues in the order they first appear (file order for a
    runs table); per issue agreed outcomes first, each part most likely first.  Only outcomes seen
    are listed (:func:`option_probabilities` lists every option of one issue).
    """
    return outcome_table(outcome_counts(runs, by=by), by=by)


def outcome_counts(runs: pd.DataFrame, *, by: list[str] | None = None) -> pd.DataFrame:
    """The counts behind :func:`outcome_probabilities`: ``[*by, issue, outcome, agreed, count]``,
    one row per outcome seen, agreed or not, in the order first seen.

    Counts of disjoint sets of runs add up: :func:`outcome_table` of the summed counts equals
    :func:`outcome_probabilities` of the runs together.
    """
    keys = [*(by or []), "issue"]
    counts = runs.groupby(
        [*keys, "outcome", "agreed"], observed=True, dropna=False, sort=False
    ).size()
    return counts.rename("count").reset_index()


def outcome_table(counts: pd.DataFrame, *, by: list[str] | None = None) -> pd.DataFrame:
    """:func:`outcome_probabilities` from its counts (:func:`outcome_counts`); the runs per
    issue are the counts' sum over its outcomes."""
    keys = [*(by or []), "issue"]
    totals = counts.groupby(keys, observed=True, sort=False)["count"].sum().rename("runs")
    out = proportions(counts.merge(totals.reset_index(), on=keys))
    first_seen = {issue: n for n, issue in enumerate(dict.fromkeys(counts["issue"]))}
    return out.sort_values(
        [*keys, "agreed", "probability", "outcome"],
        ascending=[True] * len(keys) + [False, False, True],
        key=lambda s: s.map(first_seen) if s.name == "issue" else s,
        kind="stable",
        ignore_index=True,
    )


def option_probabilities(
    runs: pd.DataFrame,
    issue: str,
    *,
    options: Sequence[str] | None = None,
    no_deal: Sequence[str] | None = None,
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """Probability of each option ``issue`` ends with, agreed and without a deal, zero counts
    kept.

    The counts are those of :func:`outcome_probabilities`, laid out for one issue: per group, the
    rows sum to one when ``options`` and ``no_deal`` cover the outcomes seen.

    Parameters
    ----------
    runs
        A runs table (one row per run x issue).
    issue
        The issue id.
    options
        Option ids agreed, in the order to report them (e.g. the scenario's); by default the
        agreed outcomes seen, sorted.  Options never agreed get a count of 0 and the Wilson
        interval of 0 successes (its upper bound is above 0).
    no_deal
        Option ids that hold without a deal, in order (e.g. the one the scenario imposes); by
        default those seen, in ``options`` order.  When there are none (a continuous issue, or
        no run without a deal), one row with a missing ``outcome`` counts every run without a
        deal.
    by
        Grouping columns (e.g. ``["model"]``).

    Returns
    -------
    pandas.DataFrame
        ``[*by, outcome, agreed, count, runs, probability, low, high]``: per group (in order of
        appearance) one row per option in ``options`` (``agreed == True``), then one per option
        in ``no_deal`` (``agreed == False``).
    """
    by = list(by)
    check_columns(runs, [*by, "issue", "outcome", "agreed"], "the runs table")
    rows = runs[runs["issue"] == issue]
    if rows.empty:
        raise UsageError(f"no issue {issue!r} in these results")
    if options is None:
        options = sorted(str(o) for o in rows.loc[rows["agreed"], "outcome"].dropna().unique())
    if no_deal is None:
        seen = {str(o) for o in rows.loc[~rows["agreed"], "outcome"].dropna().unique()}
        no_deal = [o for o in options if o in seen] + sorted(seen - set(options))
    listed: list[tuple[Any, bool]] = [(o, True) for o in options]
    listed += [(o, False) for o in no_deal] if no_deal else [(pd.NA, False)]
    counts: dict[tuple[Any, ...], int] = {}
    for _, row in outcome_counts(rows, by=by).iterrows():
        agreed = bool(row["agreed"])
        outcome = row["outcome"] if no_deal or agreed else pd.NA
        seen_key = (*(row[k] for k in by), None if pd.isna(outcome) else outcome, agreed)
        counts[seen_key] = counts.get(seen_key, 0) + int(row["count"])
    sizes = rows.groupby(by, sort=False).size() if by else None
    groups = list(sizes.items()) if sizes is not None else [((), len(rows))]
    records = []
    for key, size in groups:
        labels = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
        group = tuple(labels.values())
        for outcome, agreed in listed:
            count = counts.get((*group, None if pd.isna(outcome) else outcome, agreed), 0)
            records.append(
                {**labels, "outcome": outcome, "agreed": agreed, "count": count, "runs": size}
            )
    columns = [*by, "outcome", "agreed", "count", "runs"]
    return proportions(pd.DataFrame.from_records(records, columns=columns))


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
    check_columns(runs, [*by, "issue", "value", "agreed"], "the runs table")
    keys = [*by, "issue"]
    grouped = runs.groupby(keys, sort=False)
    out = grouped["value"].agg(runs="count", mean="mean", sd="std").reset_index()
    out["sd"] = out["sd"].fillna(0.0)
    half = Z95 * out["sd"] / np.sqrt(out["runs"])
    out["low"], out["high"] = out["mean"] - half, out["mean"] + half
    out["agreed"] = grouped["agreed"].mean().to_numpy()
    return out


def run_level(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per run (index as :func:`~negosim.tables.outcomes.run_keys`): its end reason,
    whether it ended in full agreement (the outcome ``agreement`` of
    :func:`~negosim.tables.outcomes.outcome_hits`) and the date its last package agreed (``NaT``
    without full agreement)."""
    grouped = runs.groupby(run_keys(runs), sort=True)
    out = pd.DataFrame(
        {
            "run_end_reason": grouped["run_end_reason"].first(),
            "full_agreement": outcome_hits(runs, "agreement"),
            "agreement_date": grouped["end_date"].max(),
        }
    )
    out.loc[~out["full_agreement"], "agreement_date"] = pd.NaT
    return out


def agreement_summary(runs: pd.DataFrame) -> pd.DataFrame:
    """Probability (with interval) of full agreement, of breakdown and of the deadline without
    agreement, and the median date of full agreement among the runs that reach it.

    Returns
    -------
    pandas.DataFrame
        ``[what, count, runs, probability, low, high]``, one row each for ``full agreement``,
        ``breakdown`` and ``deadline without agreement``; ``attrs["median_agreement_date"]`` is
        the lower median date of full agreement (``None`` if no run reaches it).  The full
        agreement row is the last point of :func:`agreement_curve`.
    """
    per_run = run_level(runs)
    reason = per_run["run_end_reason"]
    dates = per_run["agreement_date"].dropna()
    return agreement_table(
        len(per_run),
        full=int(per_run["full_agreement"].sum()),
        breakdown=int(outcome_hits(runs, "breakdown").sum()),
        deadline=int((reason == "deadline").sum()),
        median_date=dates.sort_values().iloc[(len(dates) - 1) // 2] if len(dates) else None,
    )


def agreement_table(
    n: int, *, full: int, breakdown: int, deadline: int, median_date: Any = None
) -> pd.DataFrame:
    """:func:`agreement_summary` from its counts: ``n`` runs, of which ``full`` ended in full
    agreement, ``breakdown`` in breakdown and ``deadline`` at the deadline without agreement;
    ``median_date`` goes to ``attrs["median_agreement_date"]``."""
    hits = [
        ("full agreement", full),
        ("breakdown", breakdown),
        ("deadline without agreement", deadline),
    ]
    out = pd.DataFrame(
        [{"what": label, "count": count, "runs": n} for label, count in hits],
        columns=["what", "count", "runs"],
    )
    out = proportions(out.astype({"count": "int64", "runs": "int64"}))
    if not n:
        out["probability"] = np.nan
    out.attrs["median_agreement_date"] = median_date
    return out


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
    out = pd.DataFrame({"date": stamps, "count": counts, "runs": n})
    return proportions(out) if n else out.assign(probability=np.nan, low=np.nan, high=np.nan)


def fallback_probabilities(runs: pd.DataFrame) -> pd.DataFrame:
    """Probability that each actor's fallback plays out (the outcome ``fallback:ACTOR`` of
    :func:`~negosim.tables.outcomes.outcome_hits`), from the ``fallback_<actor>`` columns.

    Returns
    -------
    pandas.DataFrame
        ``[actor, count, runs, probability, low, high]``, actors in column order.
    """
    actors = [c.removeprefix("fallback_") for c in runs.columns if c.startswith("fallback_")]
    counts = [int(outcome_hits(runs, f"fallback:{actor}").sum()) for actor in actors]
    return fallback_table(actors, counts, len(runs.drop_duplicates(run_keys(runs))))


def fallback_table(actors: Sequence[str], counts: Sequence[int], n: int) -> pd.DataFrame:
    """:func:`fallback_probabilities` from its counts: ``counts[i]`` of ``n`` runs saw the
    fallback of ``actors[i]`` play out."""
    out = pd.DataFrame({"actor": list(actors), "count": np.array(counts, dtype=int), "runs": n})
    return proportions(out) if n else out.assign(probability=np.nan, low=np.nan, high=np.nan)


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
    quantiles = grouped.quantile(np.array([0.05, 0.25, 0.5, 0.75, 0.95])).unstack()
    quantiles.columns = ["q05", "q25", "median", "q75", "q95"]
    out = quantiles.reset_index()
    order = {a: i for i, a in enumerate(dict.fromkeys(trajectories["actor"]))}
    return out.sort_values(
        ["actor", "round"],
        key=lambda s: s.map(order) if s.name == "actor" else s,
        ignore_index=True,
    )
