"""Time to agreement: the cumulative probability of full agreement over calendar dates."""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from negosim.plots.labels import format_percent, timeline_markers, wrap
from negosim.plots.style import (
    DARK,
    GREY,
    colour,
    footnote,
    house_style,
    new_axes,
    note_panel,
    root_figure,
)
from negosim.scenario.schema import Scenario
from negosim.tables.results import Results
from negosim.tables.summary import agreement_curve, agreement_summary

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
    planned = []
    for date, label, kind in markers:
        x = (mdates.date2num(date) - low) / (high - low) * width
        extent = LABEL_SIZE * CHAR_WIDTH * len(label) + 4
        # Right of the line, unless that would run far past the plot: then left of it.
        ha = "right" if x + extent > width + 36 else "left"
        start, end = (x - extent, x) if ha == "right" else (x, x + extent)
        planned.append((date, label, kind, ha, x, start, end))
    # A label's leader rises from its line through the rows below it, so a label must not sit
    # across another's leader.  Labels hung right of their line are placed latest first (an
    # earlier one then stacks above, its leader left of the later text), those hung left of it
    # earliest first.
    order = sorted(
        range(len(planned)),
        key=lambda i: (
            planned[i][3] == "right",
            -planned[i][4] if planned[i][3] == "left" else planned[i][4],
        ),
    )
    texts: list[list[tuple[float, float]]] = []  # occupied [start, end] per row
    leaders: list[list[float]] = []  # x of the leaders crossing each row
    row_of: dict[int, int] = {}
    for i in order:
        _, _, _, _, x, start, end = planned[i]
        span = (start - 3, end + 3)

        free = [r for r in range(len(texts) + 1) if _fits(r, span, x, texts, leaders)]
        # When no row keeps every leader clear, at least keep the texts apart.
        row = free[0] if free else _first_free(span, texts, leaders)
        while len(texts) <= row:
            texts.append([])
            leaders.append([])
        texts[row].append(span)
        for below in leaders[:row]:
            below.append(x)
        row_of[i] = row
    placed = [(*planned[i][:4], row_of[i]) for i in range(len(planned))]
    rows = texts
    line_height = LABEL_SIZE * 1.35
    for date, label, kind, ha, row in placed:
        # The label starts (or ends) exactly above its line, and a leader in the line's colour
        # and style joins the two however high its row is stacked.
        deadline = kind == "deadline"
        ax.annotate(
            label,
            xy=(mdates.date2num(date), 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 3 + row * line_height),
            textcoords="offset points",
            ha=ha,
            va="bottom",
            fontsize=LABEL_SIZE,
            color=DEADLINE if deadline else DARK,
            annotation_clip=False,
            gid=f"{kind}-label",
            arrowprops={
                "arrowstyle": "-",
                "color": DEADLINE if deadline else GREY,
                "linestyle": "--" if deadline else ":",
                "linewidth": 1.0,
                "shrinkA": 0,
                "shrinkB": 0,
                "relpos": (0.0 if ha == "left" else 1.0, 0.0),
            },
        )
    return 3 + len(rows) * line_height


def _fits(
    row: int,
    span: tuple[float, float],
    x: float,
    texts: list[list[tuple[float, float]]],
    leaders: list[list[float]],
) -> bool:
    """Whether a label's text ``span`` fits in ``row`` and its leader at ``x`` crosses no text
    of the rows below."""
    if row < len(texts):
        if any(not (span[1] < a or span[0] > b) for a, b in texts[row]):
            return False
        if any(span[0] <= lx <= span[1] for lx in leaders[row]):
            return False
    return all(not (a <= x <= b) for below in texts[:row] for a, b in below)


def _first_free(
    span: tuple[float, float], texts: list[list[tuple[float, float]]], leaders: list[list[float]]
) -> int:
    """The lowest row whose texts and leaders leave ``span`` free."""
    for row in range(len(texts)):
        if not any(not (span[1] < a or span[0] > b) for a, b in texts[row]) and not any(
            span[0] <= lx <= span[1] for lx in leaders[row]
        ):
            return row
    return len(texts)


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
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
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
        if not (curve["count"] > 0).any():
            note_panel(ax, _no_agreement_note(runs, scenario))
        footnote(ax, scenario, int(runs["run"].nunique()))
    return ax


def _no_agreement_note(runs: pd.DataFrame, scenario: Scenario | None) -> str:
    """Why the curve stays at zero: how the runs ended, and in which round if all in one."""
    ends = agreement_summary(runs).set_index("what")["probability"]
    parts = [
        f"{format_percent(float(ends[what]))} {words}"
        for what, words in (
            ("breakdown", "broke down"),
            ("deadline without agreement", "reached the deadline without a deal"),
        )
        if float(ends[what]) > 0
    ]
    text = "No run reached full agreement" + (f": {' and '.join(parts)}" if parts else "")
    rounds = runs["end_round"].unique()
    if len(rounds) == 1:
        when = f"round {int(rounds[0])}"
        dates = runs["end_date"].unique()
        if len(dates) == 1 and not pd.isna(dates[0]):
            when += f", {pd.Timestamp(dates[0]):%Y-%m-%d}"
        text += f", every run in {when}"
    return text + "."
