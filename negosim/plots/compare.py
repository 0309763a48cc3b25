"""Model comparison: the same scenario under several decision models, side by side."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from negosim.plots.style import GREY, colour, footnote, house_style, new_axes
from negosim.scenario.schema import Scenario
from negosim.tables.results import Results
from negosim.tables.summary import outcome_probabilities

__all__ = ["plot_model_comparison"]


def plot_model_comparison(
    results: Mapping[str, Results] | pd.DataFrame,
    issue: str,
    *,
    scenario: Scenario | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Grouped bars: each model's probability of each option on ``issue`` (and of no agreement).

    ``results`` maps model names to results, or is a runs table with a ``model`` column.
    """
    if isinstance(results, pd.DataFrame):
        runs = results
    else:
        runs = pd.concat(
            [r.runs.assign(model=name) for name, r in results.items()], ignore_index=True
        )
    table = outcome_probabilities(runs[runs["issue"] == issue], by=["model"])
    models = list(dict.fromkeys(runs["model"]))
    spec = scenario.issues.get(issue) if scenario is not None else None
    options = (
        list(spec.options)
        if spec is not None and spec.options
        else sorted(table.loc[table["agreed"], "outcome"].dropna().unique())
    )
    categories = [*options, "no agreement"]
    ax = new_axes(ax, (8.0, 4.0))
    width = 0.8 / max(1, len(categories))
    x = np.arange(len(models))
    with house_style():
        for k, category in enumerate(categories):
            agreed = category != "no agreement"
            rows = (
                table[(table["outcome"] == category) & table["agreed"]]
                if agreed
                else table[~table["agreed"]]
            )
            probs = [float(rows.loc[rows["model"] == m, "probability"].sum()) for m in models]
            lows = [
                float(rows.loc[rows["model"] == m, "low"].min()) if m in set(rows["model"]) else 0.0
                for m in models
            ]
            highs = [
                float(rows.loc[rows["model"] == m, "high"].max())
                if m in set(rows["model"])
                else 0.0
                for m in models
            ]
            label = spec.options[category].label if spec is not None and agreed else category
            p = np.array(probs)
            ax.bar(
                x + (k - (len(categories) - 1) / 2) * width,
                p,
                width * 0.95,
                color=colour(k) if agreed else GREY,
                label=label,
                # Clipped: at p = 0 or 1 rounding can put a Wilson bound a hair past p.
                yerr=np.clip(np.vstack([p - np.array(lows), np.array(highs) - p]), 0.0, None),
                capsize=2,
            )
        ax.set_xticks(x, models)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("Probability (95% interval)")
        ax.set_title(f"{spec.label if spec is not None else issue}: models compared", loc="left")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        footnote(ax, scenario, int(runs.groupby("model")["run"].nunique().min()))
    return ax
