"""``negosim run``: Monte Carlo runs of one scenario, summarised on the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from negosim.cli.options import SourcesRoot

if TYPE_CHECKING:
    from negosim.scenario.schema import Scenario
    from negosim.tables.counts import RunCounts
    from negosim.tables.results import Results

__all__ = ["run_command"]


def run_command(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    runs: Annotated[
        int | None, typer.Option(help="Monte Carlo runs (default: the scenario's).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Master seed (default: the scenario's).")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Results folder (default: results/<scenario id>).")
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="Decision model (default: the scenario's).")
    ] = None,
    trajectories: Annotated[
        bool, typer.Option("--trajectories", help="Also write trajectories.parquet.")
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Print the round-by-round story of one run.")
    ] = False,
    explain_run: Annotated[int, typer.Option("--run", help="Which run --explain tells.")] = 0,
    plot: Annotated[bool, typer.Option("--plot", help="Write every figure into --out.")] = False,
    sources_root: SourcesRoot = None,
) -> None:
    """Run a scenario: outcome probabilities by the deadline, agreement timing, fallbacks."""
    from negosim.cli.report import print_run_summary, progress_bar
    from negosim.scenario import load_scenario
    from negosim.simulation import explain_run as explain_story
    from negosim.simulation.stream import run_to_folder

    scenario = load_scenario(file, sources_root=sources_root)
    n_runs = scenario.engine.runs if runs is None else runs
    drawn: list[Path] = []

    def figures(staged: Path) -> None:
        # Drawn into the staged folder, so they replace the old results' figures as one set.
        from negosim.plots.all import figure_jobs, write_figures

        staged_results = _read_staged(staged, trajectories)
        drawn.extend(write_figures(figure_jobs(staged_results, scenario), staged))

    with progress_bar(n_runs) as advance:
        folder, resumed = run_to_folder(
            scenario,
            out or Path("results") / scenario.metadata.id,
            runs,
            seed,
            model=model,
            trajectories=trajectories,
            progress=advance,
            figures=figures if plot else None,
        )
    if resumed:
        typer.echo(f"resumed: {resumed} block(s) were already on disk", err=True)
    print_run_summary(
        scenario,
        _summary_counts(folder, scenario),
        _read_manifest(folder),
        folder,
        trajectories=trajectories,
    )
    for path in drawn:
        typer.echo(f"Wrote {folder / path.name}")
    if explain:
        typer.echo("")
        typer.echo(f"Run {explain_run}, round by round:")
        for line in explain_story(scenario, explain_run, seed, runs=n_runs, model=model):
            typer.echo(line)


def _read_staged(folder: Path, trajectories: bool) -> Results:
    """The tables just assembled in the staged folder, for drawing figures."""
    import pandas as pd

    from negosim.tables.results import Results

    kept = pd.read_parquet(folder / "trajectories.parquet") if trajectories else None
    return Results(pd.read_parquet(folder / "runs.parquet"), {}, trajectories=kept)


def _summary_counts(folder: Path, scenario: Scenario) -> RunCounts:
    """The counts the summary prints, folded over the runs just written one row group at a time,
    so memory stays flat however many runs there are."""
    from negosim.tables.counts import read_run_counts

    continuous = [k for k, v in scenario.issues.items() if v.kind == "continuous"]
    return read_run_counts(folder / "runs.parquet", continuous)


def _read_manifest(folder: Path) -> dict[str, Any]:
    import json

    info: dict[str, Any] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return info
