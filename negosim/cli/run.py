"""``negosim run``: Monte Carlo runs of one scenario, summarised on the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from negosim.cli.options import SourcesRoot

if TYPE_CHECKING:
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
    print_run_summary(scenario, _summary_results(folder, trajectories), folder)
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


def _summary_results(folder: Path, trajectories: bool) -> Results:
    """The results just written, as the summary needs them: without the per-actor utility
    columns (the widest part, which no summary line reads)."""
    import json

    import pandas as pd
    import pyarrow.parquet as pq

    from negosim.tables.results import Results

    path = folder / "runs.parquet"
    columns = [c for c in pq.read_schema(path).names if not c.startswith("utility_")]
    info = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    runs = pd.read_parquet(path, columns=columns)
    return Results(runs, info, trajectories=pd.DataFrame() if trajectories else None)
