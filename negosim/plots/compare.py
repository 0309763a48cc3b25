"""Model comparison: the same scenario under several decision models, side by side.

The tables drawn are computed in :mod:`negosim.tables`: the runs of every model in one table
(:func:`~negosim.tables.results.comparison_runs`), then the option probabilities
(:func:`~negosim.tables.summary.option_probabilities`) or the mean outcome values
(:func:`~negosim.tables.summary.mean_outcome_values`) per model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from negosim.errors import UsageError
from negosim.plots.labels import issue_label, model_label, wrap
from negosim.plots.style import DARK, GREY, colour, footnote, house_style, new_axes
from negosim.scenario.schema import Scenario
from negosim.tables.outcomes import ending_words
from negosim.tables.results import Comparable, comparison_runs
from negosim.tables.summary import ending, mean_outcome_values, option_probabilities

__all__ = ["plot_model_comparison"]


def plot_model_comparison(
    results: Comparable,
    issue: str | None = None,
    *,
    scenario: Scenario | None = None,
    ax: Axes | None = None,
) -> Axes:
    """The same scenario under several decision models, side by side.

    With an ``issue`` that has options: grouped bars, one group per model, of the probability of
    each outcome the issue ends with by the deadline, agreed or (hatched) without a deal, with
    95% Wilson intervals.  Without an
    ``issue`` (or for a continuous one): the mean place (0-100) of the outcome that holds on each
    issue by the deadline, deal or not, one marker per model with its 95% interval.

    Parameters
    ----------
    results
        A mapping model name -> :class:`~negosim.tables.results.Results`, or a runs table (or
        results) with a ``model`` column.
    issue
        The issue id, or ``None`` for every issue's mean outcome.
    scenario
        The scenario, for labels and the sources.
    ax
        Axes to draw on; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    runs = comparison_runs(results)
    models = list(dict.fromkeys(runs["model"]))
    spec = scenario.issues.get(issue) if scenario is not None and issue is not None else None
    if issue is not None and issue not in set(runs["issue"]):
        raise UsageError(f"no issue {issue!r} in these results")
    continuous = (spec is not None and spec.kind == "continuous") or (
        issue is not None
        and spec is None
        and bool(runs.loc[runs["issue"] == issue, "outcome"].isna().all())
    )
    n = int(runs.groupby("model")["run"].nunique().min())
    if issue is None or continuous:
        issues = [issue] if issue is not None else list(dict.fromkeys(runs["issue"]))
        ax = new_axes(ax, (8.0, (0.1 * max(1, len(models)) + 0.25) * len(issues) + 1.6))
        with house_style():
            _mean_values(ax, runs, models, issues, scenario)
            footnote(ax, scenario, n, "Runs per model; the same draws under every model.")
        return ax
    options = list(spec.options) if spec is not None and spec.options else None
    table = option_probabilities(runs, issue, options=options, by=["model"])
    categories = list(dict.fromkeys(zip(table["outcome"], table["agreed"], strict=True)))
    ax = new_axes(ax, (max(7.0, 1.3 * len(models) + 3.5), 4.2))
    width = 0.8 / max(1, len(categories))
    x = np.arange(len(models))
    with house_style():
        for k, (category, agreed) in enumerate(categories):
            mine = table[table["agreed"] == agreed]
            mine = mine[
                mine["outcome"].isna() if pd.isna(category) else mine["outcome"] == category
            ]
            rows = mine.set_index("model").loc[models]
            p = rows["probability"].to_numpy(dtype=float)
            low = rows["low"].to_numpy(dtype=float)
            high = rows["high"].to_numpy(dtype=float)
            if scenario is not None and issue in scenario.issues:
                words = ending_words(scenario, issue, category, bool(agreed))
            else:
                words = ending(bool(agreed)) + ("" if pd.isna(category) else f": {category}")
            ax.bar(
                x + (k - (len(categories) - 1) / 2) * width,
                p,
                width * 0.92,
                color=colour(k) if agreed else GREY,
                hatch=None if agreed else "///",
                edgecolor="white" if agreed else DARK,
                linewidth=0 if agreed else 0.5,
                label=wrap(words, 30),
                # Clipped: at p = 0 or 1 rounding can put a Wilson bound a hair past p.
                yerr=np.clip(np.vstack([p - low, high - p]), 0.0, None),
                capsize=2,
                error_kw={"elinewidth": 0.8},
                gid="agreed" if agreed else "no-deal",
            )
        ax.set_xticks(x, [wrap(model_label(m), 12) for m in models])
        ax.set_ylim(0, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        ax.set_ylabel("Probability the issue ends so\nby the deadline (95% interval)")
        ax.set_title(wrap(f"{issue_label(issue, scenario)}: models compared", 70), loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
        note = "Runs per model; the same draws under every model."
        footnote(ax, scenario, n, f"{note} {_red_lines(issue, scenario)}".strip())
    return ax


def _red_lines(issue: str, scenario: Scenario | None) -> str:
    """``Red lines: NATO never agrees to Legally binding guarantee.``: what the forecasting
    models, which know no red lines, may still forecast on the issue."""
    if scenario is None or issue not in scenario.issues:
        return ""
    options = scenario.issues[issue].options or {}
    parts = []
    for actor in scenario.actors.values():
        stance = actor.stances.get(issue)
        line = stance.red_line if stance is not None else None
        if line is None or line.acceptable is None:
            continue
        excluded = [o.label for k, o in options.items() if k not in line.acceptable]
        if excluded:
            parts.append(f"{actor.name} never agrees to {' or '.join(excluded)}")
    return f"Red lines: {'; '.join(parts)}." if parts else ""


def _mean_values(
    ax: Axes,
    runs: pd.DataFrame,
    models: list[str],
    issues: list[str],
    scenario: Scenario | None,
) -> None:
    table = mean_outcome_values(runs[runs["issue"].isin(issues)], by=["model"])
    y = np.arange(len(issues))
    step = 0.7 / max(1, len(models))
    markers = "osD^vP*X"
    for k, model in enumerate(models):
        rows = table[table["model"] == model].set_index("issue").reindex(issues)
        mean = rows["mean"].to_numpy(dtype=float)
        err = np.clip(
            np.vstack([mean - rows["low"].to_numpy(float), rows["high"].to_numpy(float) - mean]),
            0.0,
            None,
        )
        ax.errorbar(
            mean,
            y + (k - (len(models) - 1) / 2) * step,
            xerr=np.nan_to_num(err),
            fmt=markers[k % len(markers)],
            color=colour(k),
            markersize=6,
            capsize=2,
            elinewidth=0.8,
            label=model_label(model),
        )
    ax.set_yticks(y, [wrap(issue_label(i, scenario), 30) for i in issues])
    ax.set_ylim(len(issues) - 0.5, -0.5)  # first issue on top; each row keeps its markers
    ax.set_xlim(-2, 102)
    ax.set_xlabel("Mean place of the outcome by the deadline, deal or not (0-100; 95% interval)")
    for boundary in y[:-1] + 0.5:
        ax.axhline(boundary, color="#DDDDDD", linewidth=0.8, zorder=0)
    title = "Mean outcome per issue: models compared"
    if len(issues) == 1:
        title = f"{issue_label(issues[0], scenario)}: models compared"
        ax.set_yticks([])  # the title names the issue
        ax.spines["left"].set_visible(False)
        spec = scenario.issues.get(issues[0]) if scenario is not None else None
        if spec is not None and spec.low_label and spec.high_label:
            ax.set_xlabel(
                f"Mean outcome by the deadline, deal or not (95% interval)\n"
                f"0 = {spec.low_label}  ...  100 = {spec.high_label}"
            )
    ax.set_title(wrap(title, 70), loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, title="Model")
