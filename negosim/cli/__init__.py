"""The ``negosim`` command: a thin edge over the library's functions.

Every error a user can cause is a :class:`~negosim.errors.NegosimError`: it is printed as located
paragraphs on standard error and the command exits with status 2.  Anything else is a bug and keeps
its traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from negosim.cli.models import backtest_command, compare_command
from negosim.errors import NegosimError, ScenarioError, UsageError
from negosim.scenario import Scenario, load_scenario

app = typer.Typer(
    name="negosim",
    help="Diplomatic negotiation simulator: validate, run, sweep and plot scenario files.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_USAGE = 2


def _summary(scenario: Scenario) -> str:
    packages = sorted({issue.package for issue in scenario.issues.values()})
    n_quotes = len(scenario.evidence())
    n_assumptions = len(scenario.assumptions())
    parts = [
        f"{len(scenario.actors)} actors ({', '.join(a.name for a in scenario.actors.values())})",
        f"{len(scenario.officials)} officials",
        f"{len(scenario.issues)} issues in {len(packages)} package(s) ({', '.join(packages)})",
        f"{len(scenario.events)} events",
        f"{len(scenario.deadlines)} deadline(s)"
        + (
            " (" + ", ".join(f"{d.label} {d.date}" for d in scenario.deadlines.values()) + ")"
            if scenario.deadlines
            else ""
        ),
        f"{n_quotes} evidence quotes, all found in their sources",
        f"{n_assumptions} assumptions",
        f"calendar {scenario.calendar.start} to {scenario.calendar.end}, "
        f"{len(scenario.calendar.round_dates())} rounds of {scenario.calendar.round_days} days",
        f"model {scenario.engine.model}",
    ]
    return "\n".join("  " + p for p in parts)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML files to check.")],
) -> None:
    """Check scenario files; print a summary of each valid one. Exit 0 if all are valid, else 2."""
    failed = 0
    for file in files:
        try:
            scenario = load_scenario(file)
        except ScenarioError as exc:
            failed += 1
            typer.echo(str(exc), err=True)
            continue
        typer.echo(f"ok {file}: {scenario.metadata.title}")
        typer.echo(_summary(scenario))
    if failed:
        typer.echo(f"{failed} of {len(files)} file(s) invalid", err=True)
        raise typer.Exit(EXIT_USAGE)


@app.command()
def schema(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of scenario files (for editor autocompletion)."""
    text = json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        from negosim.io import write_text_atomic

        write_text_atomic(out, text)
        typer.echo(f"wrote {out}")


@app.command()
def run(
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


@app.command()
def sweep(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    vary: Annotated[
        list[str],
        typer.Option(help="PATH=start:stop:num or PATH=v1,v2,... (repeat for more factors)."),
    ],
    runs: Annotated[int, typer.Option(help="Runs per design point.")],
    seed: Annotated[int, typer.Option(help="Master seed.")],
    out: Annotated[Path, typer.Option(help="Folder the parts stream to (resumable).")],
    lhs: Annotated[
        int | None,
        typer.Option(help="Latin hypercube of N points over the --vary ranges instead of a grid."),
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: cores).")] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Dask scheduler address, or 'local' to start a LocalCluster."),
    ] = None,
    block_size: Annotated[int | None, typer.Option(help="Runs per task (default 1000).")] = None,
    model: Annotated[str | None, typer.Option(help="Decision model.")] = None,
) -> None:
    """Sweep parameters: runs at every design point, streamed to OUT/runs/part-*.parquet."""
    from negosim.cli.report import print_sweep_summary, sweep_progress
    from negosim.sweeps import Grid, LatinHypercube, SweepError, parse_vary
    from negosim.sweeps import sweep as run_sweep

    scenario = load_scenario(file)
    factors = dict(parse_vary(spec) for spec in vary)
    if lhs is not None:
        ranges = {}
        for path, values in factors.items():
            numbers = [v for v in values if isinstance(v, int | float)]
            if len(numbers) != len(values) or len(values) < 2:
                raise UsageError(f"--lhs needs a numeric range for {path} (PATH=low:high:2)")
            ranges[path] = (float(min(numbers)), float(max(numbers)))
        design: Grid | LatinHypercube = LatinHypercube(ranges, n=lhs, seed=seed)
    else:
        design = Grid(factors)
    executor = "processes" if (workers or 0) > 1 and scheduler is None else None
    with sweep_progress() as advance:
        try:
            results = run_sweep(
                scenario,
                design=design,
                runs=runs,
                seed=seed,
                executor=executor,
                workers=workers,
                scheduler=scheduler,
                out=out,
                block_size=block_size,
                model=model,
                progress=advance,
                collect=False,
            )
        except SweepError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
    print_sweep_summary(scenario, results, out)


@app.command("plot")
def plot_command(
    folder: Annotated[Path, typer.Argument(help="A results folder (negosim run or sweep --out).")],
    fmt: Annotated[str, typer.Option("--format", help="png, svg or pdf.")] = "png",
) -> None:
    """Write every figure that the results in FOLDER support, into FOLDER/figures."""
    from negosim.plots import plot_all
    from negosim.sweeps import load_sweep
    from negosim.tables import load_results

    manifest_kind = None
    manifest_path = folder / "manifest.json"
    if manifest_path.is_file():
        manifest_kind = json.loads(manifest_path.read_text(encoding="utf-8")).get("kind")
    results = load_sweep(folder) if manifest_kind == "sweep" else load_results(folder)
    scenario_path = results.manifest.get("scenario", {}).get("path")
    scenario = None
    if scenario_path and Path(scenario_path).is_file():
        scenario = load_scenario(scenario_path)
    else:
        typer.echo(f"note: scenario file {scenario_path!r} not found; plots use ids", err=True)
    for path in plot_all(results, scenario, folder / "figures", fmt=fmt):
        typer.echo(f"Wrote {path}")


app.command("compare")(compare_command)
app.command("backtest")(backtest_command)


def scenario_json_schema() -> dict[str, object]:
    """The JSON Schema of the scenario format, with a title and ``$schema`` set."""
    document = Scenario.model_json_schema(by_alias=True)
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "negosim scenario"
    return document


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``negosim`` console command; returns the exit status.

    Click handles its own usage errors (exit 2); a :class:`NegosimError` raised by a command is
    printed without a traceback and also gives exit 2.
    """
    try:
        app(args=argv, prog_name="negosim")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except NegosimError as exc:
        typer.echo(str(exc), err=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        return 130
    return 0
