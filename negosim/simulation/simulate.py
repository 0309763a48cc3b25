"""Monte Carlo runs of one scenario: the library function behind ``negosim run``."""

from __future__ import annotations

import datetime as dt
import platform
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd

import negosim.limits as limits
from negosim._version import __version__
from negosim.core.compiled import Compiled
from negosim.core.frames import runs_frame, trajectories_frame
from negosim.core.sampling import plan_blocks
from negosim.errors import UsageError
from negosim.models.base import DecisionModel
from negosim.models.registry import get_model
from negosim.scenario.schema import Scenario
from negosim.tables.results import Results

__all__ = [
    "DEFAULT_BLOCK_SIZE",
    "MAX_RUNS",
    "batches",
    "build_model",
    "check_counts",
    "check_in_memory",
    "explain_run",
    "manifest",
    "plan_blocks",
    "play_batches",
    "simulate",
]

DEFAULT_BLOCK_SIZE = 1000
MAX_RUNS = limits.MAX_RUNS


def build_model(scenario: Scenario, model: str | None = None, **parameters: Any) -> DecisionModel:
    """The decision model named ``model`` (default: the scenario's), with the scenario's
    parameters when it is the scenario's own model, overridden by ``parameters``."""
    name = model or scenario.engine.model
    params = dict(scenario.engine.parameters) if name == scenario.engine.model else {}
    params.update(parameters)
    model_class = get_model(name)
    result: DecisionModel = model_class(scenario, **params)
    return result


def check_counts(runs: int, seed: int, block_size: int) -> None:
    """Raise :class:`UsageError` unless runs, seed and block size are whole numbers in range."""
    if isinstance(runs, bool) or not isinstance(runs, int) or not 1 <= runs <= MAX_RUNS:
        raise UsageError(f"runs must be a whole number from 1 to {MAX_RUNS:,} (got {runs!r})")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise UsageError(f"seed must be a whole number from 0 to 2**63 - 1 (got {seed!r})")
    if (
        isinstance(block_size, bool)
        or not isinstance(block_size, int)
        or not 1 <= block_size <= limits.MAX_BLOCK_SIZE
    ):
        raise UsageError(
            f"block_size must be a whole number from 1 to {limits.MAX_BLOCK_SIZE:,} "
            f"(got {block_size!r})"
        )


def check_in_memory(compiled: Compiled, runs: int, *, trajectories: bool = False) -> None:
    """Refuse, before any run, ``runs`` runs whose tables would pass the memory budget held in
    memory (:func:`negosim.limits.results_bytes`); ``negosim run --out`` streams them instead."""
    limits.check_memory(
        limits.results_bytes(
            runs,
            n_actors=compiled.n_actors,
            n_issues=len(compiled.issue_ids),
            n_packages=len(compiled.packages),
            n_rounds=compiled.n_rounds,
            trajectories=trajectories,
        ),
        f"{runs:,} runs held in memory",
        "use `negosim run --out DIR`, which streams them to disk, or "
        "negosim.sweep(..., collect=False) and negosim.load_sweep(columns=...)",
    )


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    import numpy
    import pyarrow

    return {
        "negosim": __version__,
        "numpy": numpy.__version__,
        "mesa": version("mesa"),  # read, not imported: a model other than bargaining needs no Mesa
        "pandas": pd.__version__,
        "pyarrow": pyarrow.__version__,
        "python": platform.python_version(),
    }


def manifest(
    scenario: Scenario, decision_model: DecisionModel, *, runs: int, seed: int, block_size: int
) -> dict[str, Any]:
    """How a set of results was made: enough to reproduce it bit for bit."""
    return {
        "scenario": {
            "id": scenario.metadata.id,
            "path": scenario.path,
            "sha256": scenario.sha256,
            # Only when given, so that results made without one keep their manifest unchanged;
            # ``negosim plot`` reloads the scenario with it.
            **({"sources_root": scenario.sources_root} if scenario.sources_root else {}),
        },
        "model": {"name": decision_model.name, "parameters": decision_model.options},
        "seed": seed,
        "runs": runs,
        "block_size": block_size,
        "blocks": -(-runs // block_size),
        "versions": _versions(),
        "command": sys.argv if sys.argv and sys.argv[0].endswith("negosim") else None,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def batches(blocks: list[tuple[int, int, int]], runs: int) -> list[list[tuple[int, int, int]]]:
    """Consecutive blocks grouped so that no group holds more than ``runs`` replicates (a block
    larger than that goes alone), in as few groups as that allows, sized as evenly as possible."""
    if not blocks:
        return []
    per = max(1, runs // max(n for _, n, _ in blocks))  # blocks per group at most
    groups = -(-len(blocks) // per)
    base, extra = divmod(len(blocks), groups)
    out, start = [], 0
    for g in range(groups):
        count = base + (1 if g < extra else 0)
        out.append(blocks[start : start + count])
        start += count
    return out


BlockFrames = tuple[int, int, pd.DataFrame, pd.DataFrame | None]


def play_batches(
    decision_model: DecisionModel,
    compiled: Compiled,
    *,
    seed: int,
    blocks: list[tuple[int, int, int]],
    trajectories: bool = False,
) -> Iterator[list[BlockFrames]]:
    """Play ``blocks`` in batches that one model can carry and yield, per batch, each block's
    ``(block, n, runs frame, trajectories frame or None)``: the one loop behind
    :func:`simulate` (which keeps the frames) and ``negosim run --out`` (which streams them)."""
    from negosim.models.bargaining.run import model_rows

    for batch in batches(blocks, model_rows(compiled)):
        played = decision_model.run_blocks(
            compiled, master_seed=seed, blocks=batch, record=trajectories
        )
        yield [
            (
                block,
                n,
                runs_frame(compiled, result, seed),
                trajectories_frame(compiled, result) if trajectories else None,
            )
            for result, (block, n, _) in zip(played, batch, strict=True)
        ]


def simulate(
    scenario: Scenario,
    runs: int | None = None,
    seed: int | None = None,
    *,
    model: str | None = None,
    parameters: dict[str, Any] | None = None,
    trajectories: bool = False,
    block_size: int = DEFAULT_BLOCK_SIZE,
    progress: Callable[[int], None] | None = None,
) -> Results:
    """Run ``runs`` Monte Carlo replicates of ``scenario`` in this process.

    Parameters
    ----------
    scenario
        A loaded scenario.
    runs, seed
        Number of runs and master seed; default to the scenario's ``engine.runs`` and
        ``engine.seed``.
    model
        A registered decision model (default: the scenario's ``engine.model``).
    parameters
        Model parameters overriding the scenario's.
    trajectories
        Also return per-round aspirations and ideal points.
    block_size
        Replicates per block.  Part of the design: results depend on it (and on the seed), not
        on how blocks are spread over processes.
    progress
        Called with the number of runs finished after each block.

    Returns
    -------
    Results
        ``runs`` has one row per run x issue; see ``docs/engine.md`` for the columns.
    """
    runs = scenario.engine.runs if runs is None else runs
    seed = scenario.engine.seed if seed is None else seed
    check_counts(runs, seed, block_size)
    decision_model = build_model(scenario, model, **(parameters or {}))
    compiled = decision_model.compile()
    check_in_memory(compiled, runs, trajectories=trajectories)
    decision_model.check_block(compiled, min(block_size, runs))
    frames, trajectory_frames = [], []
    finished = 0
    for played in play_batches(
        decision_model,
        compiled,
        seed=seed,
        blocks=plan_blocks(runs, block_size),
        trajectories=trajectories,
    ):
        for _, n, frame, trajectory in played:
            frames.append(frame)
            if trajectory is not None:
                trajectory_frames.append(trajectory)
            finished += n
        if progress is not None:
            progress(finished)
    return Results(
        runs=pd.concat(frames, ignore_index=True),
        manifest=manifest(scenario, decision_model, runs=runs, seed=seed, block_size=block_size),
        trajectories=pd.concat(trajectory_frames, ignore_index=True) if trajectories else None,
    )


def explain_run(
    scenario: Scenario,
    run: int = 0,
    seed: int | None = None,
    *,
    runs: int | None = None,
    model: str | None = None,
    block_size: int = DEFAULT_BLOCK_SIZE,
) -> list[str]:
    """The round-by-round story of run ``run`` of a ``runs``-run simulation, exactly as it plays
    in :func:`simulate` with the same arguments (its whole block is replayed), opening with the
    run's draws (its row of ``draws.parquet``)."""
    runs = scenario.engine.runs if runs is None else runs
    seed = scenario.engine.seed if seed is None else seed
    check_counts(runs, seed, block_size)
    if isinstance(run, bool) or not isinstance(run, int) or not 0 <= run < runs:
        raise UsageError(f"run must be a run id from 0 to {runs - 1} (got {run!r})")
    decision_model = build_model(scenario, model)
    compiled = decision_model.compile()
    block, index = divmod(run, block_size)
    first = block * block_size
    result = decision_model.run_block(
        compiled,
        master_seed=seed,
        block=block,
        n=min(block_size, runs - first),
        first_run=first,
        explain=True,
        explain_at=index,
    )
    from negosim.models.bargaining.narrative import draws_lines
    from negosim.tables.draws import block_draws

    n = min(block_size, runs - first)
    drawn = block_draws(compiled, seed=seed, block=block, n=n, first_run=first)
    return [*draws_lines(run, drawn.iloc[index].to_dict()), *result.narrative]
