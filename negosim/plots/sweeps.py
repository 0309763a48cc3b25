"""Sweep response: an outcome's probability against one swept factor, and over a grid of two."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from negosim.errors import UsageError
from negosim.plots.labels import factor_label, format_level, outcome_label, wrap
from negosim.plots.style import colour, footnote, house_style, linestyle, new_axes
from negosim.scenario.schema import Scenario
from negosim.tables.response import sweep_response
from negosim.tables.results import Results, sweep_factors

__all__ = [
    "BY_LINES",
    "cell_words",
    "plot_sweep_heatmap",
    "plot_sweep_response",
    "require_factors",
    "sweep_note",
]


def require_factors(results: Results, needed: int = 1) -> list[str]:
    """The swept factors of ``results`` (:func:`~negosim.tables.results.sweep_factors`); a
    :class:`~negosim.errors.UsageError` if there are fewer than ``needed``."""
    factors = sweep_factors(results)
    if len(factors) < needed:
        raise UsageError(
            "these results are not a sweep (no factors)"
            if not factors
            else f"this plot needs {needed} swept factors (the sweep has {len(factors)})"
        )
    return factors


def sweep_note(
    results: Results,
    shown: list[str],
    scenario: Scenario | None,
    bins: dict[str, int] | None = None,
) -> str:
    """Footnote words: runs per design point, factors read in bins, and the factors pooled.

    ``bins`` maps a shown factor to the most levels it is drawn with (see
    :func:`~negosim.tables.response.point_levels`); factors with more design values are named.
    """
    parts = []
    per_point = results.manifest.get("runs_per_point")
    if not isinstance(per_point, int):
        counts = results.runs.groupby("point")["run"].nunique()
        per_point = int(counts.min()) if len(counts) else None
    if per_point is not None:
        parts.append(f"{per_point:,} runs per design point, common random numbers.")
    binned = [
        f"{factor_label(f, scenario)} ({n} bins)"
        for f, n in (bins or {}).items()
        if results.runs.drop_duplicates("point")[f].nunique() > n
    ]
    if binned:
        parts.append(
            f"Sampled factors read in quantile bins, bin medians shown: {'; '.join(binned)}."
        )
    pooled = [f for f in sweep_factors(results) if f not in shown]
    if pooled:
        names = "; ".join(factor_label(f, scenario) for f in pooled)
        parts.append(f"Pooled over: {names}.")
    return " ".join(parts)


BY_LINES = 5
"""A ``by`` factor with at most this many levels gets a line per level; one with more (a sampled
design) is read in four quantile bins.  Binning a grid of five levels would draw lines at values
never run (0.3 and 0.4 merged into 0.35)."""


def _by_bins(results: Results, by: str) -> int:
    distinct = int(results.runs.drop_duplicates("point")[by].nunique())
    return distinct if distinct <= BY_LINES else 4


def _is_numeric(series: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(series)) and not pd.api.types.is_bool_dtype(series)


def plot_sweep_response(
    results: Results,
    factor: str | None = None,
    *,
    outcome: str = "agreement",
    by: str | None = None,
    scenario: Scenario | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Probability of ``outcome`` against a swept ``factor`` with 95% bands, one line per level
    of a second factor ``by``.

    Parameters
    ----------
    results
        A sweep's results: runs with ``point`` and one column per factor.
    factor
        The factor on the x-axis (default: the first swept factor).
    outcome
        ``agreement``, ``breakdown``, ``ISSUE=OPTION`` or ``fallback:ACTOR``
        (:mod:`negosim.tables.outcomes`).
    by
        One line per level of this factor (default: the next swept factor, if any).  Other
        factors are pooled; the footnote names them.
    scenario
        The scenario, for factor and outcome labels and the sources.
    ax
        Axes to draw on; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on: one line (and band) per level of ``by``.
    """
    factors = require_factors(results)
    factor = factor or factors[0]
    if by is None and len(factors) > 1:
        by = next(f for f in factors if f != factor)
    bins = {factor: 12, **({by: _by_bins(results, by)} if by else {})}
    table = sweep_response(
        results.runs,
        factor,
        outcome=outcome,
        by=by,
        max_levels=12,
        max_by_levels=bins.get(by, 4) if by else 4,
    )
    numeric = _is_numeric(table[factor])
    ax = new_axes(ax, (7.5, 4.2))
    with house_style():
        groups: list[tuple[Any, pd.DataFrame]] = (
            list(table.groupby(by, sort=True)) if by else [(None, table)]
        )
        # A factor of words or dates is spaced evenly, in sorted order.
        positions = {v: i for i, v in enumerate(sorted(table[factor].unique()))}
        for k, (level, rows) in enumerate(groups):
            c = colour(k)
            x = rows[factor] if numeric else rows[factor].map(positions)
            ax.fill_between(x, rows["low"], rows["high"], color=c, alpha=0.18, linewidth=0)
            ax.plot(
                x,
                rows["probability"],
                marker="o",
                markersize=4,
                color=c,
                linestyle=linestyle(k),
                label=format_level(level) if by else outcome_label(outcome, scenario),
            )
        if not numeric:
            ax.set_xticks(list(positions.values()), [format_level(v) for v in positions])
        ax.set_xlabel(wrap(factor_label(factor, scenario), 80))
        ax.set_ylabel(wrap(outcome_label(outcome, scenario), 40) + "\n(95% interval)")
        ax.set_ylim(-0.02, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        if by:
            ax.legend(
                loc="upper left",
                bbox_to_anchor=(1.01, 1.0),
                borderaxespad=0,
                title=wrap(factor_label(by, scenario), 24),
            )
        ax.set_title(wrap(f"{outcome_label(outcome, scenario)} across the sweep", 70), loc="left")
        note = sweep_note(results, [factor, *([by] if by else [])], scenario, bins)
        footnote(ax, scenario, None, note)
    return ax


def plot_sweep_heatmap(
    results: Results,
    x: str | None = None,
    y: str | None = None,
    *,
    outcome: str = "agreement",
    scenario: Scenario | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Probability of ``outcome`` over the grid of two swept factors, each cell labelled.

    Parameters
    ----------
    results
        A sweep's results with at least two factors.
    x, y
        The factors on the axes (default: the first two swept factors).  Others are pooled.
    outcome
        ``agreement``, ``breakdown``, ``ISSUE=OPTION`` or ``fallback:ACTOR``
        (:mod:`negosim.tables.outcomes`).
    scenario
        The scenario, for labels and sources.
    ax
        Axes to draw on; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on; the image has one row per level of ``y`` and one column per level
        of ``x`` (lowest at the lower left).
    """
    factors = require_factors(results, 1 if x and y else 2)
    x = x or factors[0]
    y = y or next(f for f in factors if f != x)
    # A sampled design (a distinct value at every point) is read on a coarse grid with about
    # three points per cell; a grid design keeps its levels.
    design = results.runs.drop_duplicates("point")
    points = len(design)
    side = int(min(12, max(2, round((points / 3) ** 0.5))))
    bins = {}
    for factor in (x, y):
        distinct = int(design[factor].nunique())
        bins[factor] = side if distinct == points and distinct > side else distinct
    table = sweep_response(
        results.runs, x, outcome=outcome, by=y, max_levels=bins[x], max_by_levels=bins[y]
    )
    grid = table.pivot(index=y, columns=x, values="probability").sort_index().astype(float)
    grid = grid.reindex(sorted(grid.columns), axis=1)
    ax = new_axes(ax, (7.0, 4.8))
    with house_style():
        image = ax.imshow(
            grid.to_numpy(), origin="lower", aspect="auto", cmap="cividis", vmin=0, vmax=1
        )
        ax.set_xticks(np.arange(grid.shape[1]), [format_level(v) for v in grid.columns])
        ax.set_yticks(np.arange(grid.shape[0]), [format_level(v) for v in grid.index])
        ax.tick_params(length=0)
        for spine in ("left", "bottom"):
            ax.spines[spine].set_visible(False)
        if grid.size <= 100:  # beyond that the numbers no longer fit their cells
            cell_words(ax, table, grid, x, y)
        ax.set_xlabel(wrap(factor_label(x, scenario), 80))
        ax.set_ylabel(wrap(factor_label(y, scenario), 40))
        bar = ax.figure.colorbar(image, ax=ax, label=wrap(outcome_label(outcome, scenario), 40))
        bar.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        ax.set_title(wrap(f"{outcome_label(outcome, scenario)} across the sweep", 70), loc="left")
        note = sweep_note(results, [x, y], scenario, bins)
        if grid.size <= 100:
            sizes = table["runs"].unique()
            each = f" of {int(sizes[0]):,} runs" if len(sizes) == 1 else " (n: the cell's runs)"
            note = f"Each cell: the probability and its 95% interval{each}. {note}"
        footnote(ax, scenario, None, note)
    return ax


def cell_words(ax: Axes, table: pd.DataFrame, grid: pd.DataFrame, x: str, y: str) -> None:
    """Write each heatmap cell's probability, its 95% interval below it and, when the cells
    hold different numbers of runs, its n (``gid`` ``"cell"``)."""
    cells = table.set_index([y, x])
    varied = table["runs"].nunique() > 1
    for i, level_y in enumerate(grid.index):
        for j, level_x in enumerate(grid.columns):
            if (level_y, level_x) not in cells.index:
                continue
            row = cells.loc[(level_y, level_x)]
            p = float(row["probability"])
            words = f"{100 * p:.0f}%\n{100 * float(row['low']):.0f}-{100 * float(row['high']):.0f}"
            if varied:
                words += f"\nn={int(row['runs']):,}"
            ax.text(
                j,
                i,
                words,
                ha="center",
                va="center",
                fontsize=8,
                linespacing=1.1,
                # cividis is dark below about 0.55 and light above.
                color="white" if p < 0.55 else "black",
                gid="cell",
            )
