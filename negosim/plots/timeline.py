"""Time to agreement: the cumulative probability of full agreement over calendar dates."""

from __future__ import annotations

import textwrap

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes

from negosim.plots.style import GREY, colour, footnote, house_style, new_axes
from negosim.plots.summaries import agreement_curve
from negosim.scenario.schema import Scenario
from negosim.tables.results import Results

__all__ = ["plot_time_to_agreement", "timeline_markers"]


def timeline_markers(scenario: Scenario) -> list[tuple[pd.Timestamp, str]]:
    """Dated events and deadlines as ``(date, label)``, one label per date."""
    marks: dict[pd.Timestamp, list[str]] = {}
    for event in scenario.events.values():
        marks.setdefault(pd.Timestamp(event.date), []).append(event.label)
    for deadline in scenario.deadlines.values():
        marks.setdefault(pd.Timestamp(deadline.date), []).append(deadline.label)
    out = []
    for date, labels in sorted(marks.items()):
        # Conditional variants of an event ("Inauguration (Putin)", "... (another winner)")
        # share a date and a stem.
        stems = list(dict.fromkeys(label.split(" (")[0] for label in labels))
        out.append((date, " / ".join(stems)))
    return out


def plot_time_to_agreement(
    results: Results, *, scenario: Scenario | None = None, ax: Axes | None = None
) -> Axes:
    """Step curve of P(full agreement by date) with its 95% band; events and deadlines as
    labelled vertical lines."""
    ax = new_axes(ax)
    dates = None
    if scenario is not None:
        dates = [pd.Timestamp(d) for d in scenario.calendar.round_dates()]
    curve = agreement_curve(results.runs, dates)
    with house_style():
        ax.step(
            curve["date"],
            curve["probability"],
            where="post",
            color=colour(0),
            linewidth=2,
            label="P(full agreement by date)",
        )
        ax.fill_between(
            curve["date"],
            curve["low"],
            curve["high"],
            step="post",
            color=colour(0),
            alpha=0.2,
            label="95% interval",
        )
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("Cumulative probability")
        if scenario is not None:
            for k, (date, label) in enumerate(timeline_markers(scenario)):
                ax.axvline(date, color=GREY, linestyle=":", linewidth=1)
                ax.text(
                    date,
                    1.02 - 0.07 * (k % 3),
                    f" {label}",
                    rotation=0,
                    fontsize=7,
                    color="#333333",
                    va="top",
                    ha="left",
                )
            ax.set_title(
                "\n".join(textwrap.wrap(f"When agreement comes: {scenario.metadata.title}", 70)),
                loc="left",
            )
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%Y"))
        ax.legend(loc="center left", fontsize=8)
        footnote(ax, scenario, results.runs["run"].nunique())
    return ax
