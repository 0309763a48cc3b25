"""Write every figure that a set of results supports."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

from negosim.errors import UsageError
from negosim.io import write_with_atomic
from negosim.plots.outcomes import plot_outcome_distribution
from negosim.plots.sweeps import plot_sweep_heatmap, plot_sweep_response, plot_tornado
from negosim.plots.timeline import plot_time_to_agreement
from negosim.plots.trajectories import plot_trajectories
from negosim.scenario.schema import Scenario
from negosim.tables.results import Results

__all__ = ["plot_all", "save_figure"]

FORMATS = ("png", "svg", "pdf")


def plot_all(
    results: Results,
    scenario: Scenario | None,
    out_dir: str | os.PathLike[str],
    *,
    fmt: str = "png",
) -> list[Path]:
    """Write each supported figure to ``out_dir`` (atomically); return the paths written."""
    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)} (got {fmt!r})")
    folder = Path(out_dir)
    jobs: list[tuple[str, Callable[[], object]]] = []
    factors = results.manifest.get("factors") or []
    if factors:
        jobs.append(("sweep_response", lambda: plot_sweep_response(results, scenario=scenario)))
        if len(factors) >= 2:
            jobs.append(("sweep_heatmap", lambda: plot_sweep_heatmap(results, scenario=scenario)))
        jobs.append(("tornado", lambda: plot_tornado(results, scenario=scenario)))
    else:
        for issue in dict.fromkeys(results.runs["issue"]):
            jobs.append(
                (
                    f"outcome_{issue}",
                    lambda issue=issue: plot_outcome_distribution(
                        results, issue, scenario=scenario
                    ),
                )
            )
        jobs.append(
            ("time_to_agreement", lambda: plot_time_to_agreement(results, scenario=scenario))
        )
        if results.trajectories is not None:
            for column in results.trajectories.columns:
                if column.startswith(("aspiration_", "ideal_")):
                    jobs.append(
                        (
                            f"trajectory_{column}",
                            lambda column=column: plot_trajectories(
                                results, column, scenario=scenario
                            ),
                        )
                    )
    written = []
    with matplotlib.rc_context({"backend": "Agg"}):
        for name, draw in jobs:
            written.append(save_figure(draw(), folder / f"{name}.{fmt}"))
    return written


def save_figure(ax: Any, path: str | os.PathLike[str]) -> Path:
    """Save the figure holding ``ax`` to ``path`` (format from the suffix) atomically; close it."""
    import matplotlib.pyplot as plt

    figure = ax.figure
    fmt = Path(path).suffix.lstrip(".") or "png"
    target = write_with_atomic(
        path, lambda tmp: figure.savefig(tmp, format=fmt, bbox_inches="tight", dpi=150)
    )
    plt.close(figure)
    return target
