"""Time to agreement: the cumulative probability of full agreement over calendar dates."""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes

from negosim.plots.labels import timeline_markers, wrap
from negosim.plots.style import DARK, GREY, colour, footnote, house_style, new_axes, root_figure
from negosim.scenario.schema import Scenario
from negosim.tables.results import Results
from negosim.tables.summary import agreement_curve

__all__ = ["date_axis", "mark_calendar", "plot_time_to_agreement"]

DEADLINE = "#D55E00"  # Okabe-Ito vermillion: the deadline stands out from the grey events
LABEL_SIZE = 8.0
CHAR_WIDTH = 0.6  # average width of a character, in ems (DejaVu Sans is about 0.55-0.6)


def date_axis(ax: Axes, dates: pd.Series | list[pd.Timestamp]) -> None:
    """Day and month ticks (``04 Mar``) on the x-axis, and the year(s) of ``dates`` as its
    label (the dates drawn, not the axis limits, which margins can push into another year)."""
    locator = mdates.AutoDateLocator(minticks=4, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    stamps = pd.to_datetime(pd.Series(list(dates)))
    low, high = stamps.min(), stamps.max()
    ax.set_xlabel(f"{low:%Y}" if low.year == high.year else f"{low:%Y}-{high:%Y}")


def mark_calendar(ax: Axes, scenario: Scenario, *, labels: bool = True) -> float:
    """Events (grey, dotted) and deadlines (vermillion, dashed) as vertical lines on a date axis.

    With ``labels``, each line is named in horizontal text just above the plot, stacked in as
    many rows as close dates need, so labels neither overlap each other nor cover the data.  The
    lines carry ``gid`` ``"event"`` or ``"deadline"``, the labels ``"event-label"`` or
    ``"deadline-label"``.  Call it once the x-limits are set.

    Returns
    -------
    float
        The height the labels take above the axes, in points: pass ``pad=6 + height`` to
        ``ax.set_title`` so that the title clears them.
    """
    markers = timeline_markers(scenario)
    for date, _, kind in markers:
        deadline = kind == "deadline"
        ax.axvline(
            date,
            color=DEADLINE if deadline else GREY,
            linestyle="--" if deadline else ":",
            linewidth=1.2 if deadline else 1.0,
            zorder=1,
            gid=kind,
        )
    if not labels or not markers:
        return 0.0
    low, high = ax.get_xlim()
    # The axes' width in points, before layout; a legend or long tick labels placed by the layout
    # can take a fifth of it, so plan with four fifths.
    width = 0.8 * root_figure(ax).get_figwidth() * ax.get_position().width * 72
    rows: list[list[tuple[float, float]]] = []  # occupied [start, end] intervals per row
    placed = []
    for date, label, kind in markers:
        x = (mdates.date2num(date) - low) / (high - low) * width
        extent = LABEL_SIZE * CHAR_WIDTH * len(label) + 4
        # Right of the line, unless that would run far past the plot: then left of it.
        start, end, ha = (x, x + extent, "left")
        if end > width + 36:
            start, end, ha = (x - extent, x, "right")
        row = next(
            (i for i, taken in enumerate(rows) if all(end < a or start > b for a, b in taken)),
            len(rows),
        )
        if row == len(rows):
            rows.append([])
        rows[row].append((start - 3, end + 3))
        placed.append((date, label, kind, ha, row))
    line_height = LABEL_SIZE * 1.35
    for date, label, kind, ha, row in placed:
        ax.annotate(
            label,
            xy=(mdates.date2num(date), 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(2 if ha == "left" else -2, 3 + row * line_height),
            textcoords="offset points",
            ha=ha,
            va="bottom",
            fontsize=LABEL_SIZE,
            color=DEADLINE if kind == "deadline" else DARK,
            annotation_clip=False,
            gid=f"{kind}-label",
        )
    return 3 + len(rows) * line_height


def plot_time_to_agreement(
    results: Results, *, scenario: Scenario | None = None, ax: Axes | None = None
) -> Axes:
    """Step curve of the probability of full agreement by each date, with its 95% band.

    Events (e.g. the Russian presidential election, the inauguration) and deadlines (the Chicago
    summit) are drawn as labelled vertical lines.  The curve runs from the first round to the last
    deadline or the end of the calendar, whichever is later.

    Parameters
    ----------
    results
        Results of one scenario (``results.runs``).
    scenario
        The scenario, for the round dates, events, deadlines, title and sources.
    ax
        Axes to draw on; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    runs = results.runs
    dates: list[pd.Timestamp] | None = None
    if scenario is not None:
        dates = [pd.Timestamp(d) for d in scenario.calendar.round_dates()]
        dates += [pd.Timestamp(scenario.calendar.end)]
        dates += [pd.Timestamp(d.date) for d in scenario.deadlines.values()]
        dates += [pd.Timestamp(d) for d in pd.to_datetime(runs["end_date"].unique())]
    curve = agreement_curve(runs, dates)
    ax = new_axes(ax, (7.5, 4.2))
    with house_style():
        ax.fill_between(
            curve["date"],
            curve["low"],
            curve["high"],
            step="post",
            color=colour(0),
            alpha=0.25,
            linewidth=0,
            label="95% interval",
        )
        ax.step(
            curve["date"],
            curve["probability"],
            where="post",
            color=colour(0),
            linewidth=2,
            label="P(full agreement by date)",
            gid="curve",
        )
        ax.set_ylim(0, 1.02)
        first, last = curve["date"].iloc[0], curve["date"].iloc[-1]
        # A little room either side: an event on the first day must not hide in the y-axis.
        pad = max(pd.Timedelta(days=1), (last - first) * 0.02)
        ax.set_xlim(first - pad, last + pad)
        ax.set_ylabel("Cumulative probability")
        date_axis(ax, curve["date"])
        if scenario is not None:
            height = mark_calendar(ax, scenario)
            title = wrap(f"When agreement comes: {scenario.metadata.title}", 70)
            ax.set_title(title, loc="left", pad=6 + height)
        else:
            ax.set_title("When agreement comes", loc="left")
        # Outside the axes: the legend never covers the curve or an event line.
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(
            handles[::-1],
            labels[::-1],
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            borderaxespad=0,
        )
        footnote(ax, scenario, int(runs["run"].nunique()))
    return ax
