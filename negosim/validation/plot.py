"""The DEU III backtest as a figure: MAE per model and half, with bootstrap intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from negosim.plots.style import GREY, colour, house_style, new_axes

__all__ = ["plot_backtest"]


def plot_backtest(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Dots with 95% intervals: each model's MAE on the odd (tuning) and even (held-out) halves,
    with the compromise baseline's held-out MAE as a reference line."""
    halves = [("odd", "odd (tuning)"), ("even", "even (held out)")]
    models = list(dict.fromkeys(table["model"]))
    ax = new_axes(ax, (7.5, 0.35 * len(models) + 1.5))
    y = np.arange(len(models))
    with house_style():
        for k, (half, label) in enumerate(halves):
            rows = table[table["half"] == half].set_index("model").reindex(models)
            offset = (k - 0.5) * 0.3
            # The interval is drawn from its own ends: with few bootstrap replicates it need not
            # hold the point estimate, which errorbar's offsets from the dot cannot show.
            ax.errorbar(
                (rows["mae_low"] + rows["mae_high"]) / 2,
                y + offset,
                xerr=(rows["mae_high"] - rows["mae_low"]) / 2,
                fmt="none",
                ecolor=colour(k),
                capsize=2,
            )
            ax.plot(rows["mae"], y + offset, "o", color=colour(k), label=label, markersize=4)
        base = table[(table["model"] == "compromise") & (table["half"] == "even")]["mae"]
        if len(base):
            ax.axvline(float(base.iloc[0]), color=GREY, linestyle=":", label="compromise, held out")
        ax.set_yticks(y, models)
        ax.invert_yaxis()
        ax.set_xlabel("Mean absolute error on the 0-100 scale (lower is better)")
        ax.set_title("DEU III backtest: 353 EU decisions (Arregui & Perarnaud 2021)", loc="left")
        ax.legend(fontsize=8, loc="lower right")
    return ax
