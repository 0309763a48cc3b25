"""Trajectories: each actor's aspiration or ideal point over the rounds, as a fan chart."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from negosim.errors import UsageError
from negosim.plots.labels import actor_name, issue_label, wrap
from negosim.plots.style import colour, footnote, house_style, linestyle, new_axes, note_panel
from negosim.plots.timeline import date_axis, mark_calendar
from negosim.scenario.schema import Scenario
from negosim.tables.results import Results
from negosim.tables.summary import fan_quantiles

__all__ = ["plot_trajectories"]


def plot_trajectories(
    results: Results,
    variable: str,
    *,
    scenario: Scenario | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Fan chart of ``variable`` per actor over the rounds: median line, 50% and 90% bands,
    drawn as steps (a round's value holds until the next round; a note when nothing was
    recorded).

    Parameters
    ----------
    results
        Results simulated with ``trajectories=True``.
    variable
        A trajectories column (:func:`negosim.tables.columns.trajectory_variables`):
        ``aspiration_<package>`` (the utility an actor holds out for on a
        package, 0-1) or ``ideal_<issue>`` (its ideal point on the issue's 0-100 scale; the
        options are marked on the axis).
    scenario
        The scenario, for actor names, option labels, events, deadlines and sources.
    ax
        Axes to draw on; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on; one median line per actor, labelled with its name.
    """
    if results.trajectories is None:
        raise UsageError("these results have no trajectories (simulate with trajectories=True)")
    fan = fan_quantiles(results.trajectories, variable)
    kind, _, key = variable.partition("_")
    ax = new_axes(ax, (7.5, 4.2))
    with house_style():
        recorded = fan.dropna(subset=["median"])
        for k, (actor, rows) in enumerate(fan.groupby("actor", sort=False)):
            c = colour(k)
            # Steps: a value holds from its round's date to the next round's, so a change shows
            # on the round it happens (an inauguration's), not as a slope from the week before.
            rows = _held_to_next_round(rows, scenario)
            bands = {"step": "post", "color": c, "lw": 0}
            ax.fill_between(rows["date"], rows["q05"], rows["q95"], alpha=0.12, **bands)
            ax.fill_between(rows["date"], rows["q25"], rows["q75"], alpha=0.25, **bands)
            ax.plot(
                rows["date"],
                rows["median"],
                drawstyle="steps-post",
                color=c,
                linestyle=linestyle(k),
                linewidth=2,
                label=actor_name(str(actor), scenario),
            )
        if recorded.empty:
            note_panel(ax, _empty_note(variable, kind, key, scenario))
        height = mark_calendar(ax, scenario) if scenario is not None else 0.0
        date_axis(ax, fan["date"])
        if kind == "ideal":
            _option_axis(ax, key, scenario)
            title = f"Ideal points: {issue_label(key, scenario)}"
        else:
            ax.set_ylabel("Aspiration (utility of the package, 0-1)")
            title = f"Aspirations: {_package_words(key, scenario)}"
        ax.set_title(wrap(title, 70), loc="left", pad=6 + height)
        ax.legend(
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            borderaxespad=0,
            title="Median,\n50% and 90% bands",
        )
        footnote(ax, scenario, int(results.trajectories["run"].nunique()))
    return ax


def _held_to_next_round(rows: pd.DataFrame, scenario: Scenario | None) -> pd.DataFrame:
    """``rows`` (one per round) with the last round's values repeated one round later, so that
    the last step has its width (a round of the scenario's length, else the rounds' spacing)."""
    if rows.empty:
        return rows
    dates = pd.to_datetime(rows["date"])
    if scenario is not None:
        step = pd.Timedelta(days=scenario.calendar.round_days)
    elif len(dates) > 1:
        step = dates.diff().dropna().median()
    else:
        step = pd.Timedelta(days=7)
    last = rows.iloc[[-1]].assign(date=dates.iloc[-1] + step)
    return pd.concat([rows, last], ignore_index=True)


def _empty_note(variable: str, kind: str, key: str, scenario: Scenario | None) -> str:
    what = (
        f"ideal point on {issue_label(key, scenario)}"
        if kind == "ideal"
        else f"aspiration on {_package_words(key, scenario)}"
    )
    return (
        f"No {what} recorded ({variable}): the talks had ended before the first round was "
        "recorded in every run."
    )


def _package_words(package: str, scenario: Scenario | None) -> str:
    """``the missile defence package`` (and, with a scenario, the issues it links)."""
    words = f"the {package.replace('_', ' ')} package"
    if scenario is None:
        return words
    issues = [i.label for i in scenario.issues.values() if i.package == package]
    if len(issues) == 1:
        return issues[0]
    return f"{words} ({len(issues)} linked issues)" if issues else words


def _option_axis(ax: Axes, issue: str, scenario: Scenario | None) -> None:
    """A 0-100 axis; with a scenario, ticks at the options' places, named by their labels."""
    ax.set_ylim(-5, 105)
    spec = scenario.issues.get(issue) if scenario is not None else None
    if spec is None or not spec.options:
        ax.set_ylabel("Ideal point (0-100)")
        if spec is not None and spec.low_label and spec.high_label:
            ax.set_ylabel(f"Ideal point\n0 = {spec.low_label}\n100 = {spec.high_label}")
        return
    places = {option_id: spec.option_value(option_id) for option_id in spec.options}
    ax.set_yticks(
        list(places.values()),
        [wrap(spec.options[o].label, 24) for o in places],
    )
    ax.set_ylabel("Ideal point (option scale 0-100)")
