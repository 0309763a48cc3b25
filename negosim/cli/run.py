"""``negosim run``: Monte Carlo runs of one scenario, summarised on the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
) -> None:
    """Run a scenario: outcome probabilities by the deadline, agreement timing, fallbacks."""
    from negosim.cli.report import print_run_summary, progress_bar
    from negosim.scenario import load_scenario
    from negosim.simulation import explain_run as explain_story
    from negosim.simulation import simulate

    scenario = load_scenario(file)
    n_runs = scenario.engine.runs if runs is None else runs
    with progress_bar(n_runs) as advance:
        results = simulate(
            scenario, runs, seed, model=model, trajectories=trajectories, progress=advance
        )
    folder = results.write(out or Path("results") / scenario.metadata.id)
    print_run_summary(scenario, results, folder)
    if plot:
        from negosim.plots import plot_all

        for path in plot_all(results, scenario, folder):
            typer.echo(f"Wrote {path}")
    if explain:
        typer.echo("")
        typer.echo(f"Run {explain_run}, round by round:")
        for line in explain_story(scenario, explain_run, seed, runs=n_runs, model=model):
            typer.echo(line)
