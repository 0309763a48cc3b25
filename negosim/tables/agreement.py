"""P(full agreement): the share of runs in which every package was agreed, per run set or per
design point of a sweep.

A runs table has one row per run x issue, so the mean of its issue-level ``agreed`` column is the
share of *issues* agreed, weighted by how many issues each package holds — not the probability
that the talks end in agreement.  These helpers count runs, one per run (``(point, run)`` in a
sweep), with the event ``agreement`` of the outcome grammar (:mod:`negosim.tables.outcomes`):
every package of the run was agreed.
"""

from __future__ import annotations

import pandas as pd

from negosim.errors import UsageError
from negosim.tables.outcomes import outcome_hits
from negosim.tables.summary import check_columns, proportions

__all__ = ["agreement_by_point", "agreement_rate"]


def agreement_rate(runs: pd.DataFrame) -> float:
    """P(full agreement) of one set of runs: the share of runs in which every package agreed.

    Parameters
    ----------
    runs
        A runs table (one row per run x issue), e.g. ``negosim.simulate(...).runs``.  In a sweep's
        table the runs of every point are pooled; use :func:`agreement_by_point` to keep them
        apart.

    Returns
    -------
    float
        A number in [0, 1].

    Raises
    ------
    UsageError
        For a table without runs or without the ``run`` and ``run_end_reason`` columns.
    """
    check_columns(runs, ["run", "run_end_reason"], "the runs table")
    if runs.empty:
        raise UsageError("the runs table holds no runs")
    return float(outcome_hits(runs, "agreement").mean())


def agreement_by_point(runs: pd.DataFrame) -> pd.DataFrame:
    """P(full agreement) at each design point of a sweep, with its 95% Wilson interval.

    Parameters
    ----------
    runs
        A sweep's runs table (``sweep(...).runs`` or ``load_sweep(folder).runs``): a ``point``
        column and one column per swept factor.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``point`` (ascending): the factor columns (each point's values), then
        ``runs`` (runs at the point), ``count`` (runs in which every package agreed),
        ``probability`` (``count / runs``), ``low`` and ``high``.

    Raises
    ------
    UsageError
        For a table without a ``point`` column (not a sweep) or without runs.
    """
    check_columns(runs, ["point", "run", "run_end_reason"], "the sweep's runs table")
    if runs.empty:
        raise UsageError("the sweep's runs table holds no runs")
    hits = outcome_hits(runs, "agreement")
    counts = hits.groupby(level="point").agg(["size", "sum"])
    table = pd.DataFrame(
        {"runs": counts["size"].astype("int64"), "count": counts["sum"].astype("int64")},
        index=counts.index,
    )
    proportions(table)
    factors = _factor_columns(runs)
    if factors:
        levels = runs.drop_duplicates("point").set_index("point")[factors]
        table = levels.join(table, how="right")
    table.index.name = "point"
    return table.sort_index()


def _factor_columns(runs: pd.DataFrame) -> list[str]:
    """The swept factors' columns: those a sweep adds after ``point`` (dotted paths)."""
    return [str(c) for c in runs.columns if "." in str(c)]
