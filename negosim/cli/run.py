"""``negosim run``: Monte Carlo runs of one scenario, summarised on the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from negosim.cli.options import Json, Output, Quiet, SourcesRoot, Verbose
from negosim.errors import UsageError

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
    explain_run: Annotated[
        int | None, typer.Option("--run", help="Which run --explain tells (default 0).")
    ] = None,
    plot: Annotated[bool, typer.Option("--plot", help="Write every figure into --out.")] = False,
    sources_root: SourcesRoot = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    json: Json = False,
) -> None:
    """Run a scenario: outcome probabilities by the deadline, agreement timing, fallbacks.

    A killed or interrupted run resumes when the same command is run again; results of another
    scenario (or of the file before an edit) in --out are replaced, and the command says so.
    """
    from negosim.cli.report import print_run_summary, progress_bar
    from negosim.scenario import load_scenario
    from negosim.simulation import explain_run as explain_story
    from negosim.simulation.simulate import DEFAULT_BLOCK_SIZE, check_counts
    from negosim.simulation.stream import run_to_folder
    from negosim.sweeps.store import Interrupted

    output = Output(quiet=quiet, verbose=verbose, json=json)
    # Every argument is checked before the first run: a mistake costs no simulation.
    if explain_run is not None and not explain:
        raise UsageError(f"--run {explain_run} picks the run --explain tells; add --explain")
    scenario = load_scenario(file, sources_root=sources_root)
    output.detail(
        f"loaded {file}: {scenario.metadata.id!r}, sha256 {scenario.sha256}, "
        f"{len(scenario.evidence())} quotes checked against their sources"
    )
    n_runs = scenario.engine.runs if runs is None else runs
    check_counts(n_runs, scenario.engine.seed if seed is None else seed, DEFAULT_BLOCK_SIZE)
    story_run = 0 if explain_run is None else explain_run
    if explain and not 0 <= story_run < n_runs:
        raise UsageError(
            f"--run must be a run id from 0 to {n_runs - 1} of the {n_runs:,} runs "
            f"(got {story_run})"
        )
    drawn: list[Path] = []
    folder_out = out or Path("results") / scenario.metadata.id

    def figures(staged: Path) -> None:
        # Drawn into the staged folder, so they replace the old results' figures as one set.
        from negosim.plots.all import figure_jobs, write_figures

        staged_results = _read_staged(staged, trajectories)
        drawn.extend(write_figures(figure_jobs(staged_results, scenario), staged))

    output.detail(f"writing {folder_out} (parts staged beside it until every block is done)")
    try:
        with progress_bar(n_runs if output.tables else 0) as advance:
            folder, _ = run_to_folder(
                scenario,
                folder_out,
                runs,
                seed,
                model=model,
                trajectories=trajectories,
                progress=advance,
                figures=figures if plot else None,
                notify=output.note,
            )
    except Interrupted as stop:
        typer.echo(str(stop), err=True)
        raise typer.Exit(130) from None
    info = _read_manifest(folder)
    output.detail(
        f"{info['runs']:,} runs in {info['blocks']} block(s) of {info['block_size']:,}, "
        f"seed {info['seed']}, model {info['model']['name']}"
    )
    counts = _summary_counts(folder, scenario)
    if output.tables:
        print_run_summary(scenario, counts, info, folder, trajectories=trajectories)
    for path in drawn:
        output.say(f"Wrote {folder / path.name}")
    story: list[str] = []
    if explain:
        story = explain_story(scenario, story_run, seed, runs=n_runs, model=model)
        output.say("")
        output.say(f"Run {story_run}, round by round:")
        for line in story:
            output.say(line)
    if json:
        from negosim.cli.documents import run_document

        names = [n for n in info.get("files", {}) if "/" not in n] + ["manifest.json"]
        document = run_document(scenario, counts, info, folder, names)
        document["figures"] = [str(folder / p.name) for p in drawn]
        if explain:
            document["explain"] = {"run": story_run, "lines": story}
        output.document(document)


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
