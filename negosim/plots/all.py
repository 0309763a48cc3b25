"""Write every figure that a set of results supports, atomically."""

from __future__ import annotations

import glob
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from matplotlib.axes import Axes

from negosim.errors import UsageError
from negosim.io import OutputError, ensure_folder, make_staging_folder, write_with_atomic
from negosim.plots.compare import plot_model_comparison
from negosim.plots.outcomes import plot_outcome_distribution
from negosim.plots.sensitivity import plot_tornado
from negosim.plots.style import root_figure
from negosim.plots.sweeps import plot_sweep_heatmap, plot_sweep_response
from negosim.plots.timeline import plot_time_to_agreement
from negosim.plots.trajectories import plot_trajectories
from negosim.scenario.schema import Scenario
from negosim.tables.columns import trajectory_variables
from negosim.tables.results import FIGURE_SUFFIXES, Results, replace_folder, sweep_factors

__all__ = ["FORMATS", "figure_jobs", "plot_all", "save_figure", "write_figures"]

FORMATS = ("png", "svg", "pdf")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_")


def figure_jobs(
    results: Results, scenario: Scenario | None
) -> list[tuple[str, Callable[[], Axes]]]:
    """The figures ``results`` support, as ``(file stem, draw)`` pairs; nothing is drawn yet.

    A sweep (results with factors) gets a response curve per factor, a heatmap of the first two
    factors and a tornado chart (two factors or more).  Results of one scenario get an outcome
    distribution per issue (packages together, issues in file order), the time to agreement and
    a fan chart per trajectory column (if trajectories were kept); runs of several models (a
    ``model`` column, as ``negosim compare --out`` writes) get the model comparisons instead.
    """
    if results.runs.empty:
        raise UsageError("these results hold no runs to plot")
    jobs: list[tuple[str, Callable[[], Axes]]] = []
    factors = sweep_factors(results)
    if factors:
        for factor in factors:
            jobs.append(
                (
                    f"sweep_response_{_slug(factor)}",
                    lambda factor=factor: plot_sweep_response(results, factor, scenario=scenario),
                )
            )
        if len(factors) >= 2:
            jobs.append(("sweep_heatmap", lambda: plot_sweep_heatmap(results, scenario=scenario)))
            jobs.append(("tornado", lambda: plot_tornado(results, scenario=scenario)))
        return jobs
    issues = list(dict.fromkeys(results.runs["issue"]))
    if scenario is not None:
        # Packages together, issues in file order (as the run summary lists them).
        packages = dict.fromkeys(i.package for i in scenario.issues.values())
        order = [i for p in packages for i, v in scenario.issues.items() if v.package == p]
        issues = [i for i in order if i in issues] + [i for i in issues if i not in order]
    if "model" in results.runs and results.runs["model"].nunique() > 1:
        # Runs of several models (negosim compare --out): pooled figures would mix the models.
        runs = results.runs
        jobs.append(("compare_means", lambda: plot_model_comparison(runs, scenario=scenario)))
        for issue in issues:
            jobs.append(
                (
                    f"compare_{_slug(issue)}",
                    lambda issue=issue: plot_model_comparison(runs, issue, scenario=scenario),
                )
            )
        return jobs
    for issue in issues:
        jobs.append(
            (
                f"outcome_{_slug(issue)}",
                lambda issue=issue: plot_outcome_distribution(results, issue, scenario=scenario),
            )
        )
    jobs.append(("time_to_agreement", lambda: plot_time_to_agreement(results, scenario=scenario)))
    for variable in trajectory_variables(results.trajectories):
        jobs.append(
            (
                f"trajectory_{_slug(variable)}",
                lambda variable=variable: plot_trajectories(results, variable, scenario=scenario),
            )
        )
    return jobs


def plot_all(
    results: Results,
    scenario: Scenario | None,
    out_dir: str | os.PathLike[str],
    *,
    fmt: str = "png",
) -> list[Path]:
    """Write every figure that ``results`` support into ``out_dir``; return the paths written.

    Parameters
    ----------
    results
        Results of one scenario (from :func:`negosim.simulate` or a results folder) or of a sweep
        (with factors): see :func:`figure_jobs` for which figures each gets.
    scenario
        The scenario, for labels, dates and sources (``None``: ids are shown instead).
    out_dir
        Folder of the figures (created if missing; it may hold only figures).  They are drawn
        into a fresh folder beside it that then replaces it as a whole, so a reader (or a
        killed plot) sees the old set or the new set, never a mix.
    fmt
        ``png``, ``svg`` or ``pdf``.

    Returns
    -------
    list of pathlib.Path
        The files written, in drawing order.

    Raises
    ------
    UsageError
        For an unknown format, results without runs, or a folder holding other files.
    """
    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)} (got {fmt!r})")
    folder = Path(out_dir)
    jobs = figure_jobs(results, scenario)
    _check_figure_folder(folder)
    for stale in folder.parent.glob(f".{glob.escape(folder.name)}.negosim-figures-*"):
        shutil.rmtree(stale, ignore_errors=True)  # left by a killed plot
    try:
        staged = make_staging_folder(folder.parent, f".{folder.name}.negosim-figures-")
    except OSError as exc:
        raise OutputError(folder, exc.strerror or str(exc), exc.errno, what="figures") from None
    try:
        written = write_figures(jobs, staged, fmt)
        replace_folder(staged, folder)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return [folder / path.name for path in written]


def write_figures(
    jobs: list[tuple[str, Callable[[], Axes]]], folder: Path, fmt: str = "png"
) -> list[Path]:
    """Draw ``jobs`` (from :func:`figure_jobs`) into the existing ``folder``, one file each."""
    return [save_figure(draw(), folder / f"{name}.{fmt}") for name, draw in jobs]


def _check_figure_folder(folder: Path) -> None:
    """Refuse a figures folder that holds anything but figures: it is replaced as a whole."""
    try:
        ensure_folder(folder.parent)
    except OutputError as exc:
        raise OutputError(folder, exc.why, exc.errno, what="figures") from None
    if not os.path.lexists(folder):
        return
    if os.path.islink(folder) or not folder.is_dir():
        why = "it is a symbolic link" if os.path.islink(folder) else "it is not a folder"
        raise OutputError(folder, why, what="figures")
    others = sorted(
        p.name
        for p in folder.iterdir()
        if p.suffix not in FIGURE_SUFFIXES and not p.name.startswith(".")
    )
    if others:
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        raise UsageError(
            f"{folder}: holds files other than figures ({shown}); figures are written as a set "
            "that replaces their folder: give a folder of their own"
        )


def save_figure(ax: Axes, path: str | os.PathLike[str]) -> Path:
    """Save the figure holding ``ax`` to ``path`` atomically (format from the suffix); close it.

    Parameters
    ----------
    ax
        Any axes of the figure to save.
    path
        Target file; its suffix (``.png``, ``.svg``, ``.pdf``) sets the format.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    import matplotlib.pyplot as plt

    figure = root_figure(ax)
    fmt = Path(path).suffix.lstrip(".") or "png"
    try:
        return write_with_atomic(
            path,
            lambda tmp: figure.savefig(tmp, format=fmt, bbox_inches="tight", dpi=150),
        )
    finally:
        plt.close(figure)
