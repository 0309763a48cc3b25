"""``negosim.sweep``: many runs at many design points, streamed to Parquet, resumable."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

import negosim.limits as limits
from negosim.core.compiled import Compiled
from negosim.errors import NegosimError, UsageError
from negosim.io import OutputError, make_staging_folder, swap_folder
from negosim.models.base import DecisionModel
from negosim.scenario.paths import apply_overrides
from negosim.scenario.schema import Scenario
from negosim.simulation.simulate import (
    DEFAULT_BLOCK_SIZE,
    build_model,
    check_counts,
    check_in_memory,
    manifest,
)
from negosim.simulation.snapshot import COPY_FOLDER, ScenarioCopy, read_scenario_copy
from negosim.sweeps.design import Grid, LatinHypercube
from negosim.sweeps.runner import (
    NO_WORKERS_TIMEOUT,
    SweepError,
    SweepStopped,
    Task,
    executor_for,
    fingerprint,
    run_tasks,
)
from negosim.sweeps.store import (
    Interrupted,
    SweepStore,
    replacing_message,
    resuming_message,
)
from negosim.tables.draws import DRAWS_FILE, sweep_draw_frames, write_draws
from negosim.tables.results import Results

__all__ = ["design_table", "load_sweep", "sweep"]


def design_table(
    grid: Mapping[str, Sequence[Any]] | None = None,
    design: Grid | LatinHypercube | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The design as a table: one row per point, one column per factor path."""
    if (grid is None) == (design is None):
        raise UsageError("give exactly one of grid={path: values} or design=...")
    if grid is not None:
        return Grid(grid).table()
    if isinstance(design, pd.DataFrame):
        table = design.reset_index(drop=True)
        table.index.name = "point"
        return table
    assert design is not None
    return design.table()


def check_sizes(
    scenario: Scenario,
    decision_model: DecisionModel,
    compiled: Compiled,
    points: int,
    runs: int,
    block_size: int,
) -> None:
    """Refuse, before any point is built, a sweep that passes a limit of :mod:`negosim.limits`:
    too many design points or blocks, point scenarios or a block over the memory budget."""
    limits.check_design_points(points, "the design")
    tasks = points * -(-runs // block_size)
    if tasks > limits.MAX_SWEEP_TASKS:
        raise UsageError(
            f"the sweep has {tasks:,} blocks ({points:,} points x {-(-runs // block_size):,} "
            f"blocks of {block_size:,} runs); at most {limits.MAX_SWEEP_TASKS:,} are written "
            "(use fewer points or runs, or a larger block_size)"
        )
    # Each point keeps its own checked scenario: about 12 bytes per byte of its JSON (measured).
    limits.check_memory(
        points * 12 * len(scenario.model_dump_json()),
        f"the {points:,} design points' scenarios",
        "use fewer design points",
    )
    decision_model.check_block(compiled, block_size)


def _point_overrides(table: pd.DataFrame, point: int) -> dict[str, Any]:
    row = table.iloc[point]
    return {str(k): (v.item() if hasattr(v, "item") else v) for k, v in row.items()}


def sweep(
    scenario: Scenario,
    grid: Mapping[str, Sequence[Any]] | None = None,
    *,
    design: Grid | LatinHypercube | pd.DataFrame | None = None,
    runs: int | None = None,
    seed: int | None = None,
    executor: Any = None,
    out: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    block_size: int | None = None,
    model: str | None = None,
    parameters: dict[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
    collect: bool = True,
    no_workers_timeout: float = NO_WORKERS_TIMEOUT,
    notify: Callable[[str], None] | None = None,
) -> Results:
    """Run ``runs`` replicates at every design point and return (or just store) the tables.

    Parameters
    ----------
    scenario
        A loaded scenario.
    grid, design
        Either ``grid={path: values}`` (full factorial) or ``design=`` a :class:`Grid`,
        :class:`LatinHypercube` or a table with one column per factor path.
    runs, seed
        Replicates per design point and master seed (default: the scenario's).  Every point uses
        the same replicate seeds (common random numbers), so differences between points are paired.
    executor
        None (this process), ``"processes"`` (a process pool of ``workers``), a
        ``concurrent.futures.Executor``, a ``dask.distributed.Client``, or a scheduler address.
        On the process pool a dead worker is replaced and its block retried twice (a block's
        result depends only on the seed and the block, so a retry gives the same rows).
    out
        The folder parts stream to.  Re-running the same sweep into it resumes where it stopped.
        A folder holding a sweep of another scenario (or of the scenario's file before an edit)
        is replaced as a whole, atomically; one of the same scenario with other settings is
        refused.  The scenario file and its sources are copied into ``out/scenario/``.
        Default: a temporary folder (removed).
    block_size
        Replicates per task (default ``min(1000, runs)``).  Part of the design: results depend on
        it, not on the executor.
    collect
        Read the finished tables back into memory (set False for sweeps too large for memory; read
        them later with :func:`load_sweep`).
    no_workers_timeout
        On Dask: seconds with no worker at all in the cluster after which the sweep stops
        (default 30).
    notify
        Called with one line when the sweep replaces another scenario's sweep (naming what
        changed) and when it resumes (``resuming: 56 of 200 blocks done``).

    Returns
    -------
    Results
        ``runs`` with a ``point`` column and one column per factor; ``design``; ``manifest``.

    Raises
    ------
    SweepError
        If some blocks raised: they are listed with their point and seed; all others are on disk.
    SweepStopped
        If the sweep could not go on (a worker died on every try of a block, or a Dask cluster
        had no worker for ``no_workers_timeout`` seconds); everything finished is on disk.
    Interrupted
        On Ctrl-C, saying how many blocks are saved for the same call to resume from.
    """
    runs = scenario.engine.runs if runs is None else runs
    seed = scenario.engine.seed if seed is None else seed
    if block_size is None:
        block_size = min(DEFAULT_BLOCK_SIZE, runs) if isinstance(runs, int) and runs > 0 else 1
    check_counts(runs, seed, block_size)
    local = executor == "processes" or (scheduler or executor) == "local"
    limits.check_workers(workers, local=local)
    table = design_table(grid, design)
    parameters = dict(parameters or {})
    points = len(table)
    base_model = build_model(scenario, model, **parameters)
    compiled = base_model.compile()
    check_sizes(scenario, base_model, compiled, points, runs, block_size)
    if collect or out is None:
        check_in_memory(compiled, runs * points)  # the tables are read back into memory
    # Each point's scenario is built and checked once, here: invalid points fail before anything
    # runs, and the workers receive the finished scenario instead of re-validating it per block.
    point_scenarios = []
    for point in range(points):
        overrides = _point_overrides(table, point)
        try:
            changed = apply_overrides(scenario, overrides) if overrides else scenario
            build_model(changed, model, **parameters)
        except NegosimError as exc:
            raise UsageError(f"design point {point} ({overrides}) is invalid:\n{exc}") from None
        point_scenarios.append(changed)
    info = manifest(scenario, base_model, runs=runs, seed=seed, block_size=block_size)
    info.update(
        kind="sweep",
        factors=list(table.columns),
        points=points,
        runs_per_point=runs,
        total_runs=runs * points,
        design=table.reset_index().to_dict(orient="list"),
    )
    info["fingerprint"] = fingerprint(
        scenario=scenario.model_dump(mode="json"),
        design=info["design"],
        seed=seed,
        runs=runs,
        block_size=block_size,
        model=info["model"],
        negosim=info["versions"]["negosim"],
    )
    copy = read_scenario_copy(scenario) if out is not None else None
    if copy is not None:
        info["scenario"].update(copy.manifest_entry())
    blocks = -(-runs // block_size)
    temporary = tempfile.TemporaryDirectory(prefix="negosim-sweep-") if out is None else None
    with temporary or contextlib.nullcontext():
        folder = temporary.name if temporary is not None else out
        assert folder is not None
        return _run(
            point_scenarios,
            table,
            info,
            folder,
            blocks,
            block_size,
            runs,
            seed,
            model,
            parameters,
            executor,
            workers,
            scheduler,
            progress,
            collect or temporary is not None,
            no_workers_timeout,
            copy,
            notify,
        )


def _run(
    point_scenarios: list[Scenario],
    table: pd.DataFrame,
    info: dict[str, Any],
    out: str | os.PathLike[str],
    blocks: int,
    block_size: int,
    runs: int,
    seed: int,
    model: str | None,
    parameters: dict[str, Any],
    executor: Any,
    workers: int | None,
    scheduler: str | None,
    progress: Callable[[int, int], None] | None,
    collect: bool,
    no_workers_timeout: float,
    copy: ScenarioCopy | None,
    notify: Callable[[str], None] | None,
) -> Results:
    total = runs * len(table)
    replaced = _replace_other_scenario(out, info)
    if replaced is not None and notify is not None:
        notify(replacing_message(Path(out), replaced, info["scenario"]))
    with SweepStore(out) as store:
        done = store.begin(info, table)
        if copy is not None:
            copy.write(store.folder)
        if done and notify is not None:
            notify(resuming_message(len(done), len(table) * blocks))
        tasks = [
            Task(
                point_scenarios[point],
                _point_overrides(table, point),
                model,
                parameters,
                seed,
                point,
                block,
                min(block_size, runs - block * block_size),
                block * block_size,
            )
            for point in range(len(table))
            for block in range(blocks)
            if (point, block) not in done
        ]
        finished = sum(min(block_size, runs - b * block_size) for _, b in done)
        if progress is not None:
            progress(finished, total)

        def on_done(point: int, block: int, frame: pd.DataFrame) -> None:
            nonlocal finished
            store.write_part(point, block, frame)
            finished += frame["run"].nunique()
            if progress is not None:
                progress(finished, total)

        try:
            with executor_for(executor, workers=workers, scheduler=scheduler) as pool:
                in_flight = 2 * (workers or os.cpu_count() or 1)
                outcome = run_tasks(
                    tasks,
                    pool,
                    on_done,
                    max_in_flight=in_flight,
                    no_workers_timeout=no_workers_timeout,
                )
        except KeyboardInterrupt:
            # Every part written is journalled (the executor is shut down by now): the same
            # command resumes from them.
            saved = len(store.journal_entries())
            raise Interrupted(saved, len(table) * blocks, out) from None
        failures = outcome.failures
        entries = store.journal_entries()
        info = {
            **info,
            "complete": not failures and outcome.stopped is None,
            "resumed_blocks": len(done),
            "blocks": [entries[k] for k in sorted(entries)],
        }
        if info["complete"]:
            # The draws are a pure function of (point, seed, block): rebuilt, never journalled.
            info["draws"] = write_draws(
                store.folder / DRAWS_FILE,
                sweep_draw_frames(
                    lambda p: build_model(point_scenarios[p], model, **parameters).compile(),
                    points=len(table),
                    runs=runs,
                    seed=seed,
                    block_size=block_size,
                ),
            )
        store.write_manifest(info)
        if outcome.stopped is not None:
            raise SweepStopped(
                f"{outcome.stopped}; {len(entries)} of {len(table) * blocks} blocks saved "
                f"in {out}; run the same command to resume"
            )
        if failures:
            raise SweepError(failures)
        runs_table = store.read() if collect else pd.DataFrame()
    return Results(runs=runs_table, manifest=info, design=table)


# What a sweep folder holds (negosim.sweeps.store, the draws, the copy of the scenario, figures):
# a folder with anything else is the user's and is never replaced.
SWEEP_FILES = frozenset(
    {"manifest.json", "design.parquet", "blocks.jsonl", "runs", ".lock", DRAWS_FILE}
    | {COPY_FOLDER, "figures"}
)


def _replace_other_scenario(
    out: str | os.PathLike[str], info: dict[str, Any]
) -> dict[str, Any] | None:
    """Replace, as a whole and atomically, a sweep folder that holds a sweep of another scenario
    (or of the scenario's file before an edit) by an empty one; return the old manifest's
    ``scenario`` entry, or None when there was nothing to replace.  A sweep of the same scenario
    with other settings is left for :meth:`SweepStore.begin` to refuse."""
    folder = Path(out)
    store = SweepStore(folder)
    if not store.manifest_path.is_file():
        return None
    with store:  # its lock: never replace a sweep another process is writing
        existing = store.read_manifest()
        if existing is None or existing.get("kind") != "sweep":
            return None
        if existing.get("fingerprint") == info["fingerprint"]:
            return None
        theirs, mine = existing.get("scenario", {}), info["scenario"]
        if (theirs.get("id"), theirs.get("sha256")) == (mine.get("id"), mine.get("sha256")):
            return None
        foreign = sorted(
            p.name
            for p in folder.iterdir()
            if p.name not in SWEEP_FILES and not p.name.endswith(".tmp")
        )
        if foreign:
            shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
            raise UsageError(
                f"{folder} holds a sweep of another scenario and files negosim did not write "
                f"({shown}); use another --out or move those files"
            )
        try:
            fresh = make_staging_folder(folder.parent, f".{folder.name}.negosim-new-")
            old = swap_folder(fresh, folder)
        except OSError as exc:
            why = f"cannot replace the folder: {(exc.strerror or str(exc)).lower()}"
            raise OutputError(folder, why, exc.errno, what="sweep") from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return dict(theirs)


def load_sweep(folder: str | os.PathLike[str], *, columns: list[str] | None = None) -> Results:
    """Read a sweep folder's finished parts, design and manifest.

    Every part is checked against the SHA-256 its journal line records, and the design table
    against the manifest's ``design_sha256``; a mismatch raises :class:`UsageError` (re-running
    the sweep command redoes or repairs what is damaged).
    """
    store = SweepStore(folder)
    info = store.read_manifest()
    if info is None or info.get("kind") != "sweep":
        raise UsageError(f"{folder}: not a sweep folder (no sweep manifest.json)")
    design = store.design(info.get("design_sha256"))
    return Results(runs=store.read(columns=columns), manifest=info, design=design)
