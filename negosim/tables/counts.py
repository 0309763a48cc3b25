"""The run summary folded part by part: counts that add up, so memory is flat in the number of runs.

``negosim run`` prints outcome probabilities, how the talks end, the median date of full
agreement, fallbacks and the spread of agreed continuous values.  Each is a function of counts
over runs: :func:`part_counts` takes them from one part of a runs table (whole runs only: a run's
rows are never split between parts), :func:`merge_counts` adds two, and the ``*_of`` functions
turn the summed counts into exactly the tables :mod:`negosim.tables.summary` computes from the
runs together (the same integers, so the same floats).  Dates of agreement and agreed values are
kept as histograms: both take few distinct values (round dates, option values).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from negosim.tables.outcomes import outcome_hits
from negosim.tables.summary import (
    agreement_table,
    fallback_table,
    outcome_counts,
    outcome_table,
    run_level,
)

__all__ = [
    "RunCounts",
    "agreement_of",
    "fallbacks_of",
    "fold_counts",
    "histogram_quantiles",
    "merge_counts",
    "outcomes_of",
    "part_counts",
    "read_run_counts",
    "run_parts",
]

PART_ROWS = 20_000
"""Rows of a runs table folded at a time by :func:`read_run_counts` (about 2 MB of the columns
read): enough that the per-part pandas overhead is small, few enough to keep memory flat."""


@dataclass
class RunCounts:
    """Counts over a set of whole runs of one scenario.

    Attributes
    ----------
    runs
        Number of runs.
    outcomes
        :func:`~negosim.tables.summary.outcome_counts` of the runs.
    full, breakdown, deadline
        Runs that ended in full agreement, in breakdown, at the deadline without agreement.
    agreement_dates
        Date of full agreement -> number of runs that reached it then.
    fallbacks
        Actor -> runs where the actor's fallback played out (in column order).
    agreed_values
        Issue -> (agreed value -> count), for the issues asked for.
    agreed_rows
        Issue -> rows agreed on it (missing values included).
    """

    runs: int = 0
    outcomes: pd.DataFrame | None = None
    full: int = 0
    breakdown: int = 0
    deadline: int = 0
    agreement_dates: Counter[Any] = field(default_factory=Counter)
    fallbacks: dict[str, int] = field(default_factory=dict)
    agreed_values: dict[str, Counter[float]] = field(default_factory=dict)
    agreed_rows: dict[str, int] = field(default_factory=dict)


def part_counts(runs: pd.DataFrame, value_issues: Sequence[str] = ()) -> RunCounts:
    """The counts of one part of a runs table (whole runs), histograms of agreed values kept for
    the issues ``value_issues``."""
    per_run = run_level(runs)
    reason = per_run["run_end_reason"]
    actors = [c.removeprefix("fallback_") for c in runs.columns if c.startswith("fallback_")]
    values: dict[str, Counter[float]] = {}
    rows: dict[str, int] = {}
    for issue in value_issues:
        agreed = runs.loc[(runs["issue"] == issue) & runs["agreed"], "value"]
        rows[issue] = len(agreed)
        tally = agreed.value_counts(sort=False)
        values[issue] = Counter(
            dict(zip(tally.index.astype(float).tolist(), tally.tolist(), strict=True))
        )
    return RunCounts(
        runs=len(per_run),
        outcomes=outcome_counts(runs),
        full=int(per_run["full_agreement"].sum()),
        breakdown=int(outcome_hits(runs, "breakdown").sum()),
        deadline=int((reason == "deadline").sum()),
        agreement_dates=Counter(per_run["agreement_date"].dropna().tolist()),
        fallbacks={a: int(outcome_hits(runs, f"fallback:{a}").sum()) for a in actors},
        agreed_values=values,
        agreed_rows=rows,
    )


def merge_counts(a: RunCounts, b: RunCounts) -> RunCounts:
    """The counts of two disjoint sets of runs together."""
    tables = [t for t in (a.outcomes, b.outcomes) if t is not None]
    outcomes = None
    if tables:
        both = pd.concat(tables, ignore_index=True)
        keys = [c for c in both.columns if c != "count"]
        outcomes = (
            both.groupby(keys, observed=True, dropna=False, sort=False)["count"].sum().reset_index()
        )
    issues = dict.fromkeys([*a.agreed_values, *b.agreed_values])
    return RunCounts(
        runs=a.runs + b.runs,
        outcomes=outcomes,
        full=a.full + b.full,
        breakdown=a.breakdown + b.breakdown,
        deadline=a.deadline + b.deadline,
        agreement_dates=a.agreement_dates + b.agreement_dates,
        fallbacks={
            k: a.fallbacks.get(k, 0) + b.fallbacks.get(k, 0)
            for k in dict.fromkeys([*a.fallbacks, *b.fallbacks])
        },
        agreed_values={
            k: a.agreed_values.get(k, Counter()) + b.agreed_values.get(k, Counter()) for k in issues
        },
        agreed_rows={k: a.agreed_rows.get(k, 0) + b.agreed_rows.get(k, 0) for k in issues},
    )


def fold_counts(parts: Iterable[pd.DataFrame], value_issues: Sequence[str] = ()) -> RunCounts:
    """The counts of every part, folded one part at a time."""
    total = RunCounts()
    for part in parts:
        total = merge_counts(total, part_counts(part, value_issues))
    return total


def outcomes_of(counts: RunCounts) -> pd.DataFrame:
    """:func:`~negosim.tables.summary.outcome_probabilities` of the runs counted."""
    if counts.outcomes is None:
        raise ValueError("no runs counted")
    return outcome_table(counts.outcomes)


def agreement_of(counts: RunCounts) -> pd.DataFrame:
    """:func:`~negosim.tables.summary.agreement_summary` of the runs counted (the lower median
    date of full agreement from the histogram of dates)."""
    median = None
    total = sum(counts.agreement_dates.values())
    if total:
        rank, seen = (total - 1) // 2, 0
        for date in sorted(counts.agreement_dates):
            seen += counts.agreement_dates[date]
            if seen > rank:
                median = date
                break
    return agreement_table(
        counts.runs,
        full=counts.full,
        breakdown=counts.breakdown,
        deadline=counts.deadline,
        median_date=median,
    )


def fallbacks_of(counts: RunCounts) -> pd.DataFrame:
    """:func:`~negosim.tables.summary.fallback_probabilities` of the runs counted."""
    return fallback_table(list(counts.fallbacks), list(counts.fallbacks.values()), counts.runs)


def histogram_quantiles(histogram: Counter[float], qs: Sequence[float]) -> list[float]:
    """Quantiles of the values a histogram counts (missing values skipped), equal to
    ``pandas.Series.quantile`` of the values themselves (linear interpolation between order
    statistics, computed as numpy does)."""
    items = sorted((v, c) for v, c in histogram.items() if c > 0 and not np.isnan(v))
    values = np.array([v for v, _ in items], dtype=float)
    ends = np.cumsum([c for _, c in items], dtype=np.int64)  # rank of each value's last copy + 1
    n = int(ends[-1]) if len(ends) else 0
    out = []
    for q in qs:
        if not n:
            out.append(float("nan"))
            continue
        virtual = np.float64(n - 1) * np.float64(q)
        below = np.floor(virtual)
        lo = int(below)
        hi = min(lo + 1, n - 1)
        a = values[np.searchsorted(ends, lo, side="right")]
        b = values[np.searchsorted(ends, hi, side="right")]
        gamma = virtual - below
        diff = b - a
        # numpy's _lerp: from the nearer end, so that the result stays within [a, b]
        out.append(float(b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma))
    return out


def run_parts(
    path: str | Path, columns: Sequence[str] | None = None, *, min_rows: int = PART_ROWS
) -> Iterator[pd.DataFrame]:
    """The runs table at ``path`` in parts of whole runs, row groups read one after another and
    joined until a part has ``min_rows`` rows (fewer pandas calls per run; memory stays bounded
    by ``min_rows`` plus a row group).  The rows of the last run of a part wait for the next, since
    a run's rows may straddle two row groups."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    carry: pd.DataFrame | None = None
    with pq.ParquetFile(path) as file:
        groups = file.num_row_groups
        index = 0
        while index < groups:
            tables: list[pa.Table] = []
            rows = 0
            while index < groups and (not tables or rows < min_rows):
                table = file.read_row_group(index, columns=list(columns) if columns else None)
                tables.append(table)
                rows += table.num_rows
                index += 1
            frame = pa.concat_tables(tables).to_pandas()
            del tables
            if carry is not None:
                frame = pd.concat([carry, frame], ignore_index=True)
            if frame.empty:
                continue
            last = frame["run"].iloc[-1]
            tail = frame["run"] == last
            carry, frame = frame[tail], frame[~tail]
            if not frame.empty:
                yield frame.reset_index(drop=True)
    if carry is not None and not carry.empty:
        yield carry.reset_index(drop=True)


def read_run_counts(path: str | Path, value_issues: Sequence[str] = ()) -> RunCounts:
    """:func:`fold_counts` of the runs table at ``path``, read one row group at a time and
    without the per-actor utility columns (which no count reads)."""
    import pyarrow.parquet as pq

    columns = [c for c in pq.read_schema(path).names if not c.startswith("utility_")]
    return fold_counts(run_parts(path, columns), value_issues)
