"""Outcome distribution per issue: the probability of each outcome it ends with, agreed or
without a deal."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from negosim.errors import UsageError
from negosim.plots.labels import actor_name, format_percent, issue_label, wrap
from negosim.plots.style import (
    DARK,
    GREY,
    colour,
    footnote,
    house_style,
    linestyle,
    new_axes,
    note_panel,
)
from negosim.scenario.schema import Issue, Scenario
from negosim.tables.outcomes import ending_words
from negosim.tables.results import Results
from negosim.tables.summary import ending, option_probabilities

__all__ = ["plot_outcome_distribution"]


def plot_outcome_distribution(
    results: Results, issue: str, *, scenario: Scenario | None = None, ax: Axes | None = None
) -> Axes:
    """Probability of each outcome ``issue`` ends with by the deadline, agreed or without a deal.

    For an issue with options: one horizontal bar per option agreed (in the scenario's order),
    then, hatched, one per outcome that holds without a deal (what a fallback imposes, or the
    status quo), each with its 95% Wilson interval and its percentage; the bars sum to 100%.
    For a continuous issue: a histogram of the agreed values, with the status quo and each
    actor's position as vertical lines and the probability of ending without a deal in the
    legend (a note instead of the histogram when no run agreed).

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
    agreed = len(spec.options) if spec is not None and spec.options else None
    if agreed is None:
        agreed = int(rows.loc[rows["agreed"], "outcome"].nunique())
    return agreed + max(1, int(rows.loc[~rows["agreed"], "outcome"].nunique()))


def _words(issue: str, outcome: object, agreed: bool, scenario: Scenario | None) -> str:
    if scenario is not None and issue in scenario.issues:
        return ending_words(scenario, issue, outcome, agreed)
    what = "" if not isinstance(outcome, str) else f": {outcome}"
    return f"{ending(agreed)}{what}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _bars_chart(ax: Axes, results: Results, issue: str, scenario: Scenario | None) -> None:
    spec = scenario.issues.get(issue) if scenario is not None else None
    options = list(spec.options) if spec is not None and spec.options else None
    table = option_probabilities(results.runs, issue, options=options)
    labels = [
        _words(issue, o, bool(a), scenario)
        for o, a in zip(table["outcome"], table["agreed"], strict=True)
    ]
    agreed = table["agreed"].to_numpy(dtype=bool)
    colours = [colour(k) if a else GREY for k, a in enumerate(agreed)]
    p = table["probability"].to_numpy(dtype=float)
    low = table["low"].to_numpy(dtype=float)
    high = table["high"].to_numpy(dtype=float)
    # A half-bar gap between the agreed outcomes and those without a deal.
    y = np.arange(len(table)) + np.where(agreed, 0.0, 0.5)
    for yi, pi, c, a in zip(y, p, colours, agreed, strict=True):
        ax.barh(
            yi,
            pi,
            color=c,
            height=0.6,
            hatch=None if a else "///",
            edgecolor="white" if a else DARK,
            linewidth=0 if a else 0.5,
            gid="agreed" if a else "no-deal",
        )
    # Clipped at 0: at p = 0 or 1 rounding can put a Wilson bound a hair past p.
    err = np.clip(np.vstack([p - low, high - p]), 0.0, None)
    ax.errorbar(p, y, xerr=err, fmt="none", ecolor="black", elinewidth=1, capsize=3)
    ax.set_yticks(y, [wrap(label, 34) for label in labels])
    ax.invert_yaxis()
    # Room right of 100% for the percentages; the axis itself stops at 100%, in the labels' unit.
    ax.set_xlim(0, 1.12)
    ax.set_xticks(np.linspace(0, 1, 6))
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    ax.spines["bottom"].set_bounds(0, 1)
    ax.set_xlabel("Probability the issue ends so by the deadline (95% interval)")
    for yi, pi, hi in zip(y, p, high, strict=True):
        ax.text(hi + 0.015, yi, format_percent(pi), va="center", fontsize=9, gid="percentage")
    handles = [
        Patch(facecolor=colour(0), label="Agreed"),
        Patch(facecolor=GREY, hatch="///", edgecolor=DARK, linewidth=0.5, label="Without a deal"),
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)


def _histogram(ax: Axes, results: Results, issue: str, scenario: Scenario | None) -> None:
    rows = results.runs[results.runs["issue"] == issue]
    agreed = rows[rows["agreed"]]
    table = option_probabilities(results.runs, issue, options=[], no_deal=[])
    none = table.iloc[-1]
    if agreed.empty:
        note_panel(ax, "No run agreed a value: every run ended without a deal.")
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
            f"{_capital(_words(issue, None, False, scenario))}: "
            f"{format_percent(none['probability'])} "
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
