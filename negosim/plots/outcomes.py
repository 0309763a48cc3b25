"""Outcome distribution per issue: probability of each option (and of no agreement)."""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.axes import Axes

from negosim.errors import UsageError
from negosim.plots.style import GREY, colour, footnote, house_style, new_axes
from negosim.scenario.schema import Scenario
from negosim.tables.results import Results
from negosim.tables.summary import outcome_probabilities

__all__ = ["plot_outcome_distribution"]


def plot_outcome_distribution(
    results: Results, issue: str, *, scenario: Scenario | None = None, ax: Axes | None = None
) -> Axes:
    """Bars of each option's probability by the deadline with 95% Wilson intervals, plus "no
    agreement"; for a continuous issue, a histogram of agreed values with the status quo and each
    actor's position marked."""
    runs = results.runs
    if issue not in set(runs["issue"]):
        raise UsageError(f"no issue {issue!r} in these results")
    ax = new_axes(ax)
    spec = scenario.issues.get(issue) if scenario is not None else None
    n = runs["run"].nunique()
    with house_style():
        if spec is not None and spec.kind == "continuous":
            _histogram(ax, results, issue, scenario)
        else:
            table = outcome_probabilities(runs[runs["issue"] == issue])
            order = list(spec.options) if spec is not None else sorted(table["outcome"].unique())
            labels, probs, lows, highs, colours = [], [], [], [], []
            for k, option in enumerate(order):
                row = table[(table["outcome"] == option) & table["agreed"]]
                p = float(row["probability"].iloc[0]) if len(row) else 0.0
                low = float(row["low"].iloc[0]) if len(row) else 0.0
                high = float(row["high"].iloc[0]) if len(row) else _upper_zero(n)
                label = spec.options[option].label if spec is not None else option
                labels.append(label)
                probs.append(p)
                lows.append(low)
                highs.append(high)
                colours.append(colour(k))
            none = table[~table["agreed"]]
            labels.append("No agreement")
            probs.append(float(none["probability"].sum()) if len(none) else 0.0)
            lows.append(float(none["low"].iloc[0]) if len(none) else 0.0)
            highs.append(float(none["high"].iloc[0]) if len(none) else _upper_zero(n))
            colours.append(GREY)
            y = np.arange(len(labels))
            p_arr = np.array(probs)
            err = np.vstack([p_arr - np.array(lows), np.array(highs) - p_arr])
            ax.barh(y, p_arr, color=colours, height=0.6)
            ax.errorbar(p_arr, y, xerr=err, fmt="none", ecolor="black", elinewidth=1, capsize=3)
            ax.set_yticks(y, ["\n".join(textwrap.wrap(lbl, 28)) for lbl in labels])
            ax.invert_yaxis()
            ax.set_xlim(0, 1)
            ax.set_xlabel("Probability by the deadline (95% interval)")
            for yi, p, high in zip(y, p_arr, highs, strict=True):
                ax.text(min(high + 0.015, 0.93), yi, f"{p:.0%}", va="center", fontsize=9)
        ax.set_title(spec.label if spec is not None else issue, loc="left")
        footnote(ax, scenario, n)
    return ax


def _upper_zero(n: int) -> float:
    from negosim.tables.summary import wilson_interval

    return float(wilson_interval(0, n)[1])


def _histogram(ax: Axes, results: Results, issue: str, scenario: Scenario | None) -> None:
    rows = results.runs[(results.runs["issue"] == issue) & results.runs["agreed"]]
    ax.hist(
        rows["value"],
        bins=np.linspace(0, 100, 51),
        color=colour(0),
        alpha=0.8,
        label=f"agreed value ({len(rows):,} runs)",
    )
    if scenario is not None:
        spec = scenario.issues[issue]
        if not isinstance(spec.status_quo, str):
            ax.axvline(spec.status_quo, color=GREY, linestyle="--", label="status quo")
        for k, actor in enumerate(scenario.actors.values()):
            stance = actor.stances.get(issue)
            if stance is not None and not isinstance(stance.position, str):
                ax.axvline(
                    stance.position,
                    color=colour(k + 1),
                    linewidth=2,
                    label=f"{actor.name}'s position",
                )
        if spec.low_label and spec.high_label:
            ax.set_xlabel(f"0 = {spec.low_label}  ...  100 = {spec.high_label}")
    ax.set_xlim(0, 100)
    ax.set_ylabel("Runs")
    ax.legend(loc="upper left", fontsize=8)
