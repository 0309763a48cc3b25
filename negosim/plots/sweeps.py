"""Sweep plots: response curves, heatmaps, and a tornado chart of what moves an outcome."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from negosim.errors import UsageError
from negosim.plots.style import colour, footnote, house_style, new_axes
from negosim.plots.summaries import sweep_response, tornado_table
from negosim.scenario.schema import Scenario
from negosim.tables.results import Results

__all__ = ["plot_sweep_heatmap", "plot_sweep_response", "plot_tornado"]


def _factors(results: Results) -> list[str]:
    factors = list(results.manifest.get("factors", []))
    if not factors:
        raise UsageError("these results are not a sweep (no factors)")
    return factors


def _short(path: str) -> str:
    parts = path.split(".")
    if parts[:1] == ["actors"]:
        parts = [p for i, p in enumerate(parts[1:]) if not (i == 1 and p == "stances")]
    return ".".join(parts)


def _outcome_label(outcome: str, scenario: Scenario | None) -> str:
    issue, sep, option = outcome.partition("=")
    if sep and scenario is not None and issue in scenario.issues:
        spec = scenario.issues[issue]
        return (
            f"P({spec.label}: {spec.options[option].label})" if option in spec.options else outcome
        )
    if outcome.startswith("fallback:") and scenario is not None:
        actor = scenario.actors.get(outcome.removeprefix("fallback:"))
        return f"P({actor.name}'s fallback plays out)" if actor else outcome
    return {"agreement": "P(full agreement)", "breakdown": "P(breakdown)"}.get(outcome, outcome)


def plot_sweep_response(
    results: Results,
    factor: str | None = None,
    *,
    outcome: str = "agreement",
    by: str | None = None,
    scenario: Scenario | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Probability of ``outcome`` against ``factor`` with 95% bands; a line per level of ``by``."""
    factors = _factors(results)
    factor = factor or factors[0]
    if by is None and len(factors) > 1:
        by = next(f for f in factors if f != factor)
    table = sweep_response(results.runs, factor, outcome=outcome, by=by)
    ax = new_axes(ax)
    with house_style():
        groups = table.groupby(by, sort=True) if by else [(None, table)]
        for k, (level, rows) in enumerate(groups):
            c = colour(k)
            label = (
                f"{_short(by)} = {level:g}"
                if by and isinstance(level, float)
                else (f"{_short(by)} = {level}" if by else None)
            )
            ax.plot(rows[factor], rows["probability"], marker="o", color=c, label=label)
            ax.fill_between(rows[factor], rows["low"], rows["high"], color=c, alpha=0.2)
        ax.set_xlabel(_short(factor))
        ax.set_ylabel(_outcome_label(outcome, scenario))
        ax.set_ylim(-0.02, 1.02)
        if by:
            ax.legend(fontsize=8)
        ax.set_title(f"Response of {_outcome_label(outcome, scenario)}", loc="left")
        footnote(
            ax,
            scenario,
            None,
            f"{results.manifest.get('runs_per_point', '?'):,} runs per "
            "design point, common random numbers."
            if isinstance(results.manifest.get("runs_per_point"), int)
            else "",
        )
    return ax


def plot_sweep_heatmap(
    results: Results,
    x: str | None = None,
    y: str | None = None,
    *,
    outcome: str = "agreement",
    scenario: Scenario | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Probability of ``outcome`` over a grid of two factors."""
    factors = _factors(results)
    if len(factors) < 2 and (x is None or y is None):
        raise UsageError("a heatmap needs two factors")
    x = x or factors[0]
    y = y or next(f for f in factors if f != x)
    table = sweep_response(results.runs, x, outcome=outcome, by=y)
    grid = table.pivot(index=y, columns=x, values="probability").sort_index().astype(float)
    ax = new_axes(ax, (6.5, 4.5))
    with house_style():
        image = ax.imshow(
            grid.to_numpy(), origin="lower", aspect="auto", cmap="cividis", vmin=0, vmax=1
        )
        ax.set_xticks(np.arange(grid.shape[1]), [f"{v:g}" for v in grid.columns])
        ax.set_yticks(np.arange(grid.shape[0]), [f"{v:g}" for v in grid.index])
        for (i, j), value in np.ndenumerate(grid.to_numpy()):
            ax.text(
                j,
                i,
                f"{value:.0%}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if value < 0.6 else "black",
            )
        ax.set_xlabel(_short(x))
        ax.set_ylabel(_short(y))
        ax.figure.colorbar(image, ax=ax, label=_outcome_label(outcome, scenario))
        ax.set_title(_outcome_label(outcome, scenario), loc="left")
        footnote(ax, scenario, None)
    return ax


def plot_tornado(
    results: Results,
    *,
    outcome: str = "agreement",
    scenario: Scenario | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Which swept inputs move ``outcome`` most: its probability at each factor's lowest and
    highest level, largest swing on top."""
    table = tornado_table(results.runs, _factors(results), outcome=outcome)
    ax = new_axes(ax, (7.0, 0.6 * len(table) + 1.5))
    with house_style():
        base = (
            float(
                results.runs.groupby(["point", "run"])["run_end_reason"]
                .first()
                .eq("agreement")
                .mean()
            )
            if outcome == "agreement"
            else None
        )
        for i, row in enumerate(table.itertuples()):
            lo, hi = sorted((row.at_low, row.at_high))
            ax.barh(i, hi - lo, left=lo, color=colour(0), height=0.5)
            ax.text(
                row.at_low,
                i,
                f"{row.low_level:g} ",
                ha="right" if row.at_low <= row.at_high else "left",
                va="center",
                fontsize=8,
            )
            ax.text(
                row.at_high,
                i,
                f" {row.high_level:g}",
                ha="left" if row.at_high >= row.at_low else "right",
                va="center",
                fontsize=8,
            )
        if base is not None:
            ax.axvline(base, color="#333333", linestyle=":", linewidth=1, label="sweep average")
            ax.legend(fontsize=8, loc="lower right")
        ax.set_yticks(np.arange(len(table)), [_short(f) for f in table["factor"]])
        ax.invert_yaxis()
        ax.set_xlim(-0.05, 1.05)
        ax.set_xlabel(f"{_outcome_label(outcome, scenario)} at the factor's lowest / highest level")
        ax.set_title("What moves the outcome most", loc="left")
        footnote(ax, scenario, None)
    return ax
