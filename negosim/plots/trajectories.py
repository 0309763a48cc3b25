"""Trajectories: each actor's aspiration or ideal point over rounds as a fan chart."""

from __future__ import annotations

import matplotlib.dates as mdates
from matplotlib.axes import Axes

from negosim.errors import UsageError
from negosim.plots.style import colour, footnote, house_style, new_axes
from negosim.plots.summaries import fan_quantiles
from negosim.scenario.schema import Scenario
from negosim.tables.results import Results

__all__ = ["plot_trajectories"]


def plot_trajectories(
    results: Results,
    variable: str,
    *,
    scenario: Scenario | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Median and 50%/90% bands across runs of ``variable`` per actor over rounds.

    ``variable`` is a trajectories column: ``aspiration_<package>`` or ``ideal_<issue>``.
    """
    if results.trajectories is None:
        raise UsageError("these results have no trajectories (run with trajectories=True)")
    fan = fan_quantiles(results.trajectories, variable)
    ax = new_axes(ax)
    with house_style():
        for k, (actor, rows) in enumerate(fan.groupby("actor", sort=False)):
            name = scenario.actors[str(actor)].name if scenario is not None else str(actor)
            c = colour(k)
            ax.fill_between(rows["date"], rows["q05"], rows["q95"], color=c, alpha=0.12)
            ax.fill_between(rows["date"], rows["q25"], rows["q75"], color=c, alpha=0.25)
            ax.plot(rows["date"], rows["median"], color=c, linewidth=2, label=name)
        kind, _, key = variable.partition("_")
        if kind == "ideal":
            label = scenario.issues[key].label if scenario is not None else key
            ax.set_ylabel("Ideal point (0-100)")
            ax.set_title(f"Stances on: {label}", loc="left")
        else:
            ax.set_ylabel("Aspiration (utility)")
            ax.set_title(f"Aspirations on the {key.replace('_', ' ')} package", loc="left")
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
        ax.legend(fontsize=8, title="median, 50% and 90% bands", title_fontsize=8)
        footnote(ax, scenario, results.trajectories["run"].nunique())
    return ax
