"""``negosim audit``: which sampled inputs carry each headline, with their provenance."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from negosim.cli.options import Json, Output, Quiet, SourcesRoot, Verbose

if TYPE_CHECKING:
    from negosim.tables.audit import Audit

__all__ = ["audit_command"]

NOISE = 0.02  # an index below this is within a few times the estimator's noise at 1,000 runs


def audit_command(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    source: Annotated[
        Path | None,
        typer.Option(
            "--from",
            metavar="DIR",
            help="Read the runs and draws of this results or sweep folder instead of running.",
        ),
    ] = None,
    runs: Annotated[
        int | None, typer.Option(help="Monte Carlo runs (default: the scenario's).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Master seed (default: the scenario's).")] = None,
    model: Annotated[
        str | None, typer.Option(help="Decision model (default: the scenario's).")
    ] = None,
    top: Annotated[int, typer.Option(help="Inputs shown per headline.", min=1)] = 5,
    bins: Annotated[
        int | None,
        typer.Option(help="Quantile bins per numeric input (default: sqrt(runs) / 2).", min=2),
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", metavar="PNG", help="Also draw the indices as a bar chart."),
    ] = None,
    json_out: Json = False,
    quiet: Quiet = False,
    verbose: Verbose = False,
    sources_root: SourcesRoot = None,
) -> None:
    """Rank the sampled inputs of FILE by the share of each headline's variance they explain.

    Headlines are full agreement and the outcome each issue ends at (deal or not).  The share is
    a first-order sensitivity index estimated from the draws of every run by binning, corrected
    for its bias (Kelley's epsilon squared); beside each input are its provenance (the quote or
    assumption that defends it) and where the headline flips.  With --from DIR the runs are read
    from a folder written by `negosim run --out` or `negosim sweep --out` from this same file.
    """
    from negosim.cli.report import progress_bar
    from negosim.scenario import load_scenario
    from negosim.simulation.audit import audit_folder, audit_scenario

    output = Output(quiet=quiet, verbose=verbose, json=json_out)
    if source is not None and (runs is not None or seed is not None or model is not None):
        from negosim.errors import UsageError

        raise UsageError("--from DIR reads finished runs: give no --runs, --seed or --model")
    if plot is not None:
        from negosim.io import check_target

        check_target(plot)  # refused before any run
    scenario = load_scenario(file, sources_root=sources_root)
    if source is not None:
        output.detail(f"reading {source}")
        result = audit_folder(source, scenario, bins=bins)
    else:
        n_runs = scenario.engine.runs if runs is None else runs
        output.detail(f"running {n_runs} runs of {file}")
        if output.tables:
            with progress_bar(n_runs) as advance:
                result = audit_scenario(
                    scenario, runs, seed, model=model, bins=bins, progress=advance
                )
        else:
            result = audit_scenario(scenario, runs, seed, model=model, bins=bins)
    if plot is not None:
        from negosim.plots.audit import plot_audit

        written = plot_audit(result, plot, scenario=scenario, top=top)
        output.note(f"Wrote {written}")
    output.document(result.to_dict(top=top))
    if output.tables:
        _print(result, top)


def _print(result: Audit, top: int) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)
    console.print(
        f"{result.runs:,} runs, {result.sampled} sampled inputs; first-order index = share of "
        "the headline's variance the input explains alone (binned, bias-corrected)"
    )
    for headline in result.headlines:
        mean = f"{100 * headline.mean:.1f} %" if headline.is_event else f"mean {headline.mean:.1f}"
        title = f"{headline.name} ({mean})"
        if headline.same:
            title += f" — same runs as: {', '.join(headline.same)}"
        if not headline.inputs:
            console.print()
            console.print(f"{title}: the same in every run, no variance to share out")
            continue
        table = Table(title=title, title_justify="left", show_lines=False)
        table.add_column("input", no_wrap=True)
        table.add_column("index", justify="right")
        table.add_column("provenance", overflow="fold")
        table.add_column("where it flips (share of runs with the headline)", overflow="fold")
        for score in headline.inputs[:top]:
            table.add_row(
                score.path + (" *" if score.equivalent else ""),
                f"{100 * score.score.index:.1f} %",
                score.provenance.short(60),
                score.flip(headline, short=True),
            )
        console.print()
        console.print(table)
        for score in headline.inputs[:top]:
            if score.equivalent:
                same = ", ".join(score.equivalent)
                console.print(f"  * {score.path} splits the runs as {same} do")
        console.print(
            f"  the {len(headline.inputs)} inputs explain {100 * headline.explained:.0f} % "
            "alone; the rest is their interactions and the protocol's noise"
        )
        if headline.inputs and headline.inputs[0].score.index < NOISE:
            console.print(
                f"  no input explains {100 * NOISE:.0f} % of it: it varies with the protocol's "
                "noise (who proposes when), not with the scenario's numbers"
            )
