"""``negosim sweep``: runs at every point of a design, streamed to Parquet parts, resumable."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from negosim.cli.options import Json, Output, Quiet, SourcesRoot, Verbose
from negosim.errors import UsageError

if TYPE_CHECKING:
    from negosim.sweeps import Grid, LatinHypercube

__all__ = ["sweep_command"]


def sweep_command(
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
    no_workers_timeout: Annotated[
        float,
        typer.Option(
            help="With --scheduler: stop after this many seconds with no Dask worker left.",
            min=0.1,
            max=86400.0,
        ),
    ] = 30.0,
    sources_root: SourcesRoot = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    json: Json = False,
) -> None:
    """Sweep parameters: runs at every design point, streamed to OUT/runs/part-*.parquet.

    A killed or interrupted sweep resumes when the same command is run again; a sweep of another
    scenario (or of the file before an edit) in OUT is replaced, and the command says so.
    """
    from negosim.cli.report import print_sweep_summary, sweep_progress
    from negosim.limits import check_workers
    from negosim.scenario import load_scenario
    from negosim.sweeps import Grid, LatinHypercube, SweepError, SweepStopped, parse_vary
    from negosim.sweeps import sweep as run_sweep
    from negosim.sweeps.store import Interrupted, SweepStore

    output = Output(quiet=quiet, verbose=verbose, json=json)
    # Before anything is read: --workers 0 or -1 would otherwise run in this process unnoticed.
    check_workers(workers, local=scheduler in (None, "local"), name="--workers")
    scenario = load_scenario(file, sources_root=sources_root)
    output.detail(f"loaded {file}: {scenario.metadata.id!r}, sha256 {scenario.sha256}")
    factors = dict(parse_vary(spec) for spec in vary)
    for path, values in factors.items():
        output.detail(f"factor {path}: {', '.join(map(str, values))}")
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
    with sweep_progress(shown=output.tables) as advance:
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
                no_workers_timeout=no_workers_timeout,
                notify=output.note,
            )
        except (SweepError, SweepStopped) as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
        except Interrupted as stop:
            typer.echo(str(stop), err=True)
            raise typer.Exit(130) from None
    store = SweepStore(out)
    ends = store.end_counts()
    table = results.design if results.design is not None else store.design()
    output.detail(f"{len(store.journal_entries())} parts in {out / 'runs'}")
    if output.tables:
        print_sweep_summary(
            scenario, results, out, ends=ends, design=table, parts=len(store.journal_entries())
        )
    if json:
        from negosim.cli.documents import sweep_document

        output.document(sweep_document(scenario, results.manifest, out, ends=ends, design=table))
