"""``negosim sweep``: runs at every point of a design, streamed to Parquet parts, resumable."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from negosim.cli.options import SourcesRoot
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
) -> None:
    """Sweep parameters: runs at every design point, streamed to OUT/runs/part-*.parquet."""
    from negosim.cli.report import print_sweep_summary, sweep_progress
    from negosim.limits import check_workers
    from negosim.scenario import load_scenario
    from negosim.sweeps import Grid, LatinHypercube, SweepError, SweepStopped, parse_vary
    from negosim.sweeps import sweep as run_sweep
    from negosim.sweeps.store import SweepStore

    # Before anything is read: --workers 0 or -1 would otherwise run in this process unnoticed.
    check_workers(workers, local=scheduler in (None, "local"), name="--workers")
    scenario = load_scenario(file, sources_root=sources_root)
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
                no_workers_timeout=no_workers_timeout,
            )
        except (SweepError, SweepStopped) as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
    store = SweepStore(out)
    print_sweep_summary(
        scenario,
        results,
        out,
        ends=store.end_counts(),
        design=results.design if results.design is not None else store.design(),
        parts=len(store.journal_entries()),
    )
