"""``negosim compare``: several decision models on one scenario, side by side.

A thin edge over :func:`negosim.simulation.compare.run_models`; a mistake the user can make raises
:class:`~negosim.errors.UsageError`, which the CLI prints with exit 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from negosim.cli.options import SourcesRoot, split_names

__all__ = ["compare_command"]


def compare_command(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    models: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated models, e.g. bargaining,compromise,nash "
            "(default: every registered model that can run the scenario)."
        ),
    ] = None,
    runs: Annotated[
        int | None, typer.Option(help="Runs per model (default: the scenario's).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Master seed (default: the scenario's).")] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Write compare.parquet and one comparison figure per issue here."),
    ] = None,
    sources_root: SourcesRoot = None,
) -> None:
    """Run several decision models on one scenario and show their outcomes side by side."""
    from negosim.cli.report import print_comparison
    from negosim.models.registry import get_model
    from negosim.scenario import load_scenario
    from negosim.simulation.compare import comparison_table, run_models, supported_models

    scenario = load_scenario(file, sources_root=sources_root)
    if out is not None:
        from negosim.io import ensure_folder

        ensure_folder(out)  # refused in one line before the work, not after it
    names = split_names(models, "--models")
    if names is None:
        names, skipped = supported_models(scenario)
        for name, why in skipped.items():
            typer.echo(f"skipping {name}: {why}", err=True)
    results = run_models(scenario, names, runs=runs, seed=seed)
    table = comparison_table(results)
    print_comparison(scenario, table)
    n_runs = next(iter(results.values())).manifest["runs"]
    seed_used = next(iter(results.values())).manifest["seed"]
    typer.echo(f"{n_runs:,} runs per model, seed {seed_used}; the same draws under every model.")
    timeless = [n for n in results if not get_model(n).supports.deadlines]
    if timeless:
        typer.echo(
            f"{', '.join(timeless)}: forecasting models; they ignore the calendar (rounds, "
            "events, deadlines) and forecast one outcome per run from the actors' stated stances."
        )
    if out is not None:
        from negosim.plots import plot_model_comparison
        from negosim.plots.all import save_figure
        from negosim.tables.results import write_parquet_atomic

        typer.echo(f"Wrote {write_parquet_atomic(out / 'compare.parquet', table)}")
        for issue_id in scenario.issues:
            ax = plot_model_comparison(results, issue_id, scenario=scenario)
            typer.echo(f"Wrote {save_figure(ax, out / f'compare_{issue_id}.png')}")
