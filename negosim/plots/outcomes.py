"""Outcome distribution per issue: the probability of each option, and of no agreement."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from negosim.errors import UsageError
from negosim.plots.labels import actor_name, format_percent, issue_label, option_label, wrap
from negosim.plots.style import GREY, colour, footnote, house_style, linestyle, new_axes
from negosim.scenario.schema import Issue, Scenario
from negosim.tables.results import Results
from negosim.tables.summary import NO_AGREEMENT, option_probabilities

__all__ = ["plot_outcome_distribution"]


def plot_outcome_distribution(
    results: Results, issue: str, *, scenario: Scenario | None = None, ax: Axes | None = None
) -> Axes:
    """Probability of each outcome of ``issue`` by the deadline.

    For an issue with options: one horizontal bar per option (in the scenario's order) and one for
    no agreement, each with its 95% Wilson interval as an error bar and its percentage.  For a
    continuous issue: a histogram of the agreed values, with the status quo and each actor's
    position as vertical lines and the probability of no agreement in the legend.

    Parameters
    ----------
    results
        Results of one scenario (``results.runs``).
    issue
        The issue id.
    scenario
        The scenario, for labels, the status quo, positions and the sources footnote.
    ax
        Axes to draw on; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    runs = results.runs
    if issue not in set(runs["issue"]):
        raise UsageError(f"no issue {issue!r} in these results")
    spec = scenario.issues.get(issue) if scenario is not None else None
    rows = runs[runs["issue"] == issue]
    continuous = (
        spec.kind == "continuous"
        if spec is not None
        else bool(rows["outcome"].isna().all() and rows["agreed"].any())
    )
    ax = new_axes(ax, (7.5, 4.0) if continuous else (7.0, 0.55 * _bars(rows, spec) + 1.8))
    n = int(rows["run"].nunique())
    with house_style():
        if continuous:
            _histogram(ax, results, issue, scenario)
        else:
            _bars_chart(ax, results, issue, scenario)
        ax.set_title(wrap(issue_label(issue, scenario), 70), loc="left")
        footnote(ax, scenario, n)
    return ax


def _bars(rows: pd.DataFrame, spec: Issue | None) -> int:
    if spec is not None and spec.options:
        return len(spec.options) + 1
    return int(rows.loc[rows["agreed"], "outcome"].nunique()) + 1


def _bars_chart(ax: Axes, results: Results, issue: str, scenario: Scenario | None) -> None:
    spec = scenario.issues.get(issue) if scenario is not None else None
    options = list(spec.options) if spec is not None and spec.options else None
    table = option_probabilities(results.runs, issue, options=options)
    labels = [
        "No agreement" if o == NO_AGREEMENT else option_label(issue, o, scenario)
        for o in table["outcome"]
    ]
    colours = [colour(k) if a else GREY for k, a in enumerate(table["agreed"])]
    p = table["probability"].to_numpy(dtype=float)
    low = table["low"].to_numpy(dtype=float)
    high = table["high"].to_numpy(dtype=float)
    y = np.arange(len(table))
    ax.barh(y, p, color=colours, height=0.6)
    # Clipped at 0: at p = 0 or 1 rounding can put a Wilson bound a hair past p.
    err = np.clip(np.vstack([p - low, high - p]), 0.0, None)
    ax.errorbar(p, y, xerr=err, fmt="none", ecolor="black", elinewidth=1, capsize=3)
    ax.set_yticks(y, [wrap(label, 28) for label in labels])
    ax.invert_yaxis()
    # Room right of 1 for the percentages; the axis itself stops at 1.
    ax.set_xlim(0, 1.12)
    ax.set_xticks(np.linspace(0, 1, 6))
    ax.spines["bottom"].set_bounds(0, 1)
    ax.set_xlabel("Probability by the deadline (95% interval)")
    for yi, pi, hi in zip(y, p, high, strict=True):
        ax.text(hi + 0.015, yi, format_percent(pi), va="center", fontsize=9, gid="percentage")


def _histogram(ax: Axes, results: Results, issue: str, scenario: Scenario | None) -> None:
    rows = results.runs[results.runs["issue"] == issue]
    agreed = rows[rows["agreed"]]
    table = option_probabilities(results.runs, issue, options=[])
    none = table.iloc[-1]
    ax.hist(
        agreed["value"],
        bins=np.linspace(0, 100, 51),
        color=colour(0),
        alpha=0.85,
        label=f"Agreed value ({len(agreed):,} runs)",
    )
    # An invisible handle carries P(no agreement) into the legend.
    ax.plot(
        [],
        [],
        linestyle="none",
        label=(
            f"No agreement: {format_percent(none['probability'])} "
            f"(95%: {format_percent(none['low'])}-{format_percent(none['high'])})"
        ),
    )
    if scenario is not None:
        spec = scenario.issues[issue]
        if not isinstance(spec.status_quo, str):
            ax.axvline(
                float(spec.status_quo), color=GREY, linestyle="--", label="Status quo", gid="sq"
            )
        for k, (actor_id, actor) in enumerate(scenario.actors.items()):
            stance = actor.stances.get(issue)
            if stance is not None and not isinstance(stance.position, str):
                ax.axvline(
                    float(stance.position),
                    color=colour(k + 1),
                    linestyle=linestyle(k),
                    linewidth=2,
                    label=f"{actor_name(actor_id, scenario)}'s position",
                    gid=f"position:{actor_id}",
                )
        if spec.low_label and spec.high_label:
            ax.set_xlabel(wrap(f"0 = {spec.low_label}  ...  100 = {spec.high_label}", 90))
    if not ax.get_xlabel():
        ax.set_xlabel("Agreed value (0-100)")
    ax.set_xlim(0, 100)
    ax.set_ylabel("Runs")
    # Outside the axes: the legend never covers a bar or a position.
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
