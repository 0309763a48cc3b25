"""The DEU III backtest as figures: the held-out differences over the random splits
(:func:`plot_splits`, the headline) and the MAE per model and half (:func:`plot_backtest`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from negosim.plots.style import GREY, colour, house_style, new_axes, note_panel
from negosim.validation.splits import SplitResults

__all__ = ["plot_backtest", "plot_splits"]

_X_MAX = 12.0


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
        if models:
            ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_splits(results: SplitResults, *, ax: Axes | None = None) -> Axes:
    """Each model's held-out MAE difference from the compromise baseline over the random splits.

    One row per model (the baseline, at zero by definition, is left out): a dot per split, the
    5-95 % range of the splits as a thick bar with the median as a white dot, and below it the
    pooled difference with its 95 % paired bootstrap interval; the share of splits where the
    model beats the baseline and its minimum detectable difference are written at the right.
    """
    summary = results.summary[results.summary["model"] != "compromise"].reset_index(drop=True)
    models = list(summary["model"])
    ax = new_axes(ax, (8.5, 0.42 * len(models) + 1.8))
    y = np.arange(len(models))
    draws = results.by_split
    # A model far off the baseline (the status quo, +27) would squash the rows that matter, near
    # zero: the axis stops at _X_MAX and such a row says its figure at the edge instead.
    ends = summary[["diff_p05", "pooled_low", "diff_p95", "pooled_high"]].to_numpy().ravel()
    ends = ends[np.isfinite(ends)]
    left = float(min(ends.min(initial=0.0), 0.0))
    right = min(float(ends.max(initial=1.0)), _X_MAX) + 0.5
    with house_style():
        ax.axvline(0.0, color=GREY, linewidth=1, zorder=0)
        jitter = np.random.default_rng(0).uniform(-0.12, 0.12, results.n_splits)
        for k, row in enumerate(summary.to_dict(orient="records")):
            if row["diff_p05"] > right and row["pooled_low"] > right:
                ax.annotate(f"off scale: {row['diff_median']:+.1f} \u2192", (right, k),
                            ha="right", va="center", fontsize=8, color=colour(0))  # fmt: skip
            values = draws.loc[draws["model"] == row["model"], "diff"].to_numpy()
            ax.plot(values, k - 0.08 + jitter[: values.size], ".", color=colour(4), alpha=0.25,
                    markersize=3, label="one split" if k == 0 else None)  # fmt: skip
            ax.plot([row["diff_p05"], row["diff_p95"]], [k - 0.08] * 2, color=colour(0),
                    linewidth=3.5, solid_capstyle="butt",
                    label="splits: 5-95 %, median" if k == 0 else None)  # fmt: skip
            ax.plot(row["diff_median"], k - 0.08, "o", color="white", markeredgecolor=colour(0),
                    markersize=5)  # fmt: skip
            ax.errorbar(
                (row["pooled_low"] + row["pooled_high"]) / 2,
                k + 0.25,
                xerr=(row["pooled_high"] - row["pooled_low"]) / 2,
                fmt="none",
                ecolor=colour(1),
                capsize=2,
            )
            ax.plot(row["pooled_diff"], k + 0.25, "D", color=colour(1), markersize=3.5,
                    label="pooled, 95 % bootstrap" if k == 0 else None)  # fmt: skip
            ax.annotate(
                f"better in {row['share_better']:.0%}, MDD {row['mdd']:.1f}",
                (1.01, k),
                xycoords=("axes fraction", "data"),
                va="center",
                fontsize=8,
            )
        ax.set_xlim(left - 0.5, right)
        if not models:
            note_panel(ax, "Only the compromise baseline was scored: nothing to compare it with.")
        ax.set_yticks(y, models)
        ax.set_ylim(len(models) - 0.4, -0.6)
        ax.set_xlabel("Held-out MAE minus the compromise baseline's, 0-100 scale (left: better)")
        ax.set_title(
            f"DEU III backtest over {results.n_splits} random splits by proposal "
            "(Arregui & Perarnaud 2021)",
            loc="left",
        )
        if models:
            ax.legend(fontsize=8, loc="lower right")
    return ax
