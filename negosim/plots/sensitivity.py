"""Sensitivity: a tornado chart of which swept inputs move an outcome most."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from negosim.plots.labels import (
    base_value,
    factor_label,
    format_level,
    format_percent,
    outcome_label,
    wrap,
)
from negosim.plots.style import DARK, colour, footnote, house_style, new_axes
from negosim.plots.sweeps import require_factors, sweep_note
from negosim.scenario.schema import Scenario
from negosim.tables.response import tornado_table
from negosim.tables.results import Results

__all__ = ["plot_tornado"]

LOW, HIGH = colour(0), colour(1)


def plot_tornado(
    results: Results,
    *,
    outcome: str = "agreement",
    scenario: Scenario | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Tornado chart: the probability of ``outcome`` at each factor's lowest and highest level,
    the other factors held at their reference levels; largest swing on top.

    A factor's reference level is the design level nearest the scenario's own value (the centre
    of a declared range), else its median level (:func:`~negosim.tables.response.tornado_table`).
    Each factor has two bars from the reference probability (every factor at its reference
    level): to the probability at its lowest level (upper bar) and at its highest (lower bar),
    each with its 95% Wilson interval and the level written at its end.

    Parameters
    ----------
    results
        A sweep's results.
    outcome
        ``agreement``, ``breakdown``, ``ISSUE=OPTION`` or ``fallback:ACTOR``
        (:mod:`negosim.tables.outcomes`).
    scenario
        The scenario: its own values pick the reference levels; labels; sources.
    ax
        Axes to draw on; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on: two bars per factor (``gid`` ``"low"`` and ``"high"``).
    """
    factors = require_factors(results)
    base = {f: base_value(f, scenario) for f in factors}
    table = tornado_table(results.runs, factors, outcome=outcome, base=base)
    reference = float(table["reference"].iloc[0])
    reference_words = (
        f"All at reference: {format_percent(reference)}"
        if table["reference_held"].iloc[0] == "reference"
        else f"Whole sweep: {format_percent(reference)}"
    )
    ax = new_axes(ax, (7.5, 0.75 * len(table) + 1.8))
    with house_style():
        for i, row in enumerate(table.itertuples()):
            for offset, p, low, high, level, c, gid in (
                (-0.2, row.at_low, row.at_low_low, row.at_low_high, row.low_level, LOW, "low"),
                (0.2, row.at_high, row.at_high_low, row.at_high_high, row.high_level, HIGH, "high"),
            ):
                ax.barh(i + offset, p - reference, left=reference, height=0.38, color=c, gid=gid)
                # A dot at the end keeps a bar of zero length (no effect) visible.
                ax.plot(p, i + offset, "o", color=c, markeredgecolor="black", markersize=5)
                ax.errorbar(
                    p,
                    i + offset,
                    xerr=[[max(p - low, 0.0)], [max(high - p, 0.0)]],
                    fmt="none",
                    ecolor="black",
                    elinewidth=0.8,
                    capsize=2,
                )
                right = p >= reference
                ax.text(
                    (high + 0.02) if right else (low - 0.02),
                    i + offset,
                    format_level(level),
                    ha="left" if right else "right",
                    va="center",
                    fontsize=8,
                )
        ax.axvline(reference, color=DARK, linewidth=1, linestyle="--", gid="reference")
        ax.set_yticks(
            np.arange(len(table)), [wrap(factor_label(f, scenario), 30) for f in table["factor"]]
        )
        ax.invert_yaxis()
        ax.set_xlim(-0.1, 1.1)
        ax.set_xticks(np.linspace(0, 1, 6))
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        ax.spines["bottom"].set_bounds(0, 1)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel(f"{outcome_label(outcome, scenario)} (95% interval)")
        handles = [
            Patch(color=LOW, label="Factor at its lowest level"),
            Patch(color=HIGH, label="Factor at its highest level"),
            Line2D([], [], color=DARK, linewidth=1, linestyle="--", label=reference_words),
        ]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
        ax.set_title(wrap(f"What moves {outcome_label(outcome, scenario)} most", 70), loc="left")
        footnote(ax, scenario, None, _note(results, table, factors, scenario))
    return ax


def _note(
    results: Results,
    table: pd.DataFrame,
    factors: list[str],
    scenario: Scenario | None,
) -> str:
    """Runs per point, the reference levels, and which factors could only be read pooled."""
    pooled = list(table.loc[table["held"] == "pooled", "factor"])
    parts = [sweep_note(results, factors, scenario)]
    if len(pooled) < len(factors):
        ref = table.attrs["reference_levels"]
        held = ", ".join(f"{factor_label(f, scenario)} = {format_level(ref[f])}" for f in factors)
        parts.append(f"Reference levels (the others held there): {held}.")
    if pooled:
        names = "; ".join(factor_label(f, scenario) for f in pooled)
        parts.append(
            f"No design points hold the other factors fixed for {names}: its lowest and highest "
            "thirds are compared, pooled over the others."
        )
    return " ".join(p for p in parts if p)
