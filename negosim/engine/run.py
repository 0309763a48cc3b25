"""Run one block of replicates and turn it into the tidy runs table.

Randomness lives here and only here: a block's generator derives from ``(master_seed, block)``
through :class:`numpy.random.SeedSequence`, never from the number of processes or the order in
which blocks finish, so any partition of blocks over workers gives identical results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from negosim.engine.compiled import Compiled
from negosim.engine.model import END_REASONS, SETTLED, NegotiationModel, fallback_plays
from negosim.engine.params import sample_block, slice_params, stack_params

__all__ = [
    "BlockResult",
    "block_rng",
    "block_seed",
    "model_rows",
    "run_block",
    "run_blocks",
    "runs_frame",
    "trajectories_frame",
]


MODEL_ROWS = 4000  # replicates one Mesa model carries (results do not depend on it)
MODEL_BYTES = 256 * 2**20  # ... unless the largest package's grids would outgrow this


def block_seed(master_seed: int, block: int) -> np.random.SeedSequence:
    """The seed sequence of one block: a function of the master seed and the block index only."""
    return np.random.SeedSequence(master_seed, spawn_key=(block,))


def block_rng(master_seed: int, block: int) -> np.random.Generator:
    """A generator for one block (see :func:`block_seed`)."""
    return np.random.default_rng(block_seed(master_seed, block))


@dataclass
class BlockResult:
    """Outcome arrays of one block (``K`` packages, ``R`` replicates, ``A`` actors)."""

    block: int
    first_run: int
    n: int
    status: np.ndarray  # (K, R) index into END_REASONS
    end_round: np.ndarray  # (K, R)
    combo: np.ndarray  # (K, R) the package settled, or the no-deal package
    utility: np.ndarray  # (K, R, A) each actor's utility of the package's final outcome
    fallback: np.ndarray  # (A, R) the actor's fallback plays out
    aspirations: np.ndarray | None  # (T, K, R, A)
    ideals: np.ndarray | None  # (T, R, A, I)
    narrative: list[str]


def run_block(
    compiled: Compiled,
    *,
    master_seed: int,
    block: int,
    n: int,
    first_run: int,
    protocol: str = "capability",
    pull_limit: float = 25.0,
    record: bool = False,
    explain: bool = False,
    explain_at: int = 0,
) -> BlockResult:
    """Sample and play ``n`` replicates as one Mesa model; with ``explain`` keep the story of
    replicate ``explain_at``."""
    return run_blocks(
        compiled,
        master_seed=master_seed,
        blocks=[(block, n, first_run)],
        protocol=protocol,
        pull_limit=pull_limit,
        record=record,
        explain=explain,
        explain_at=explain_at,
    )[0]


def model_rows(compiled: Compiled) -> int:
    """How many replicates one Mesa model carries: :data:`MODEL_ROWS`, fewer when the largest
    package is so big that the model's grids (about eight of ``combinations x actors`` floats per
    replicate) would pass :data:`MODEL_BYTES`; at least one."""
    combos = max((len(p.combos) for p in compiled.packages), default=1)
    per_replicate = 8 * combos * max(1, compiled.n_actors) * 8  # ~8 grids live at the peak
    return max(1, min(MODEL_ROWS, MODEL_BYTES // per_replicate))


def run_blocks(
    compiled: Compiled,
    *,
    master_seed: int,
    blocks: Sequence[tuple[int, int, int]],
    protocol: str = "capability",
    pull_limit: float = 25.0,
    record: bool = False,
    explain: bool = False,
    explain_at: int = 0,
) -> list[BlockResult]:
    """Play several blocks, each ``(block, n, first_run)``, as few Mesa models as memory allows.

    Each block is sampled whole from its own seed, exactly as when it is played alone; then the
    replicates are played in models of :func:`model_rows` rows (several blocks in one model, or
    one block over several when a package is huge).  The rules treat replicates independently,
    so every returned block equals what :func:`run_block` returns for it.  ``explain_at`` counts
    replicates across the stacked blocks.
    """
    if not blocks:
        return []
    params = stack_params(
        [sample_block(compiled, block_seed(master_seed, b), n) for b, n, _ in blocks]
    )
    rows = model_rows(compiled)
    pieces, narrative = [], []
    for start in range(0, params.n, rows):
        stop = min(params.n, start + rows)
        model = NegotiationModel(
            compiled,
            slice_params(params, start, stop),
            protocol=protocol,
            pull_limit=pull_limit,
            record=record,
            explain=explain and start <= explain_at < stop,
            seed=master_seed + blocks[0][0],  # Mesa's own generator; the rules draw nothing
        )
        model.explain_at = explain_at - start
        pieces.append(_play(compiled, model))
        narrative += model.narrative
    whole = {key: _joined([p[key] for p in pieces], axis) for key, axis in _REPLICATE_AXIS.items()}
    results, start = [], 0
    for block, size, first_run in blocks:
        cut = slice(start, start + size)
        start += size
        part = {key: _cut(whole[key], axis, cut) for key, axis in _REPLICATE_AXIS.items()}
        results.append(
            BlockResult(
                block=block,
                first_run=first_run,
                n=size,
                status=_present(part["status"]),
                end_round=_present(part["end_round"]),
                combo=_present(part["combo"]),
                utility=_present(part["utility"]),
                fallback=_present(part["fallback"]),
                aspirations=part["aspirations"],
                ideals=part["ideals"],
                narrative=narrative,
            )
        )
    return results


# Where the replicates are in each array a played model yields.
_REPLICATE_AXIS = {
    "status": 1,
    "end_round": 1,
    "combo": 1,
    "utility": 1,
    "fallback": 1,
    "aspirations": 2,
    "ideals": 1,
}


def _joined(arrays: list[np.ndarray | None], axis: int) -> np.ndarray | None:
    if arrays[0] is None:
        return None
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays, axis=axis)  # type: ignore[arg-type]


def _cut(values: np.ndarray | None, axis: int, cut: slice) -> np.ndarray | None:
    if values is None:
        return None
    index: list[slice] = [slice(None)] * values.ndim
    index[axis] = cut
    return values[tuple(index)].copy()


def _present(values: np.ndarray | None) -> np.ndarray:
    assert values is not None
    return values


def _play(compiled: Compiled, model: NegotiationModel) -> dict[str, np.ndarray | None]:
    """Play the model to its end; its outcome arrays, replicates on :data:`_REPLICATE_AXIS`."""
    while model.running:
        model.step()
    if compiled.n_rounds == 0:
        model._finish()
    n = model.params.n
    utility = (
        np.stack([model.settled_utility(k) for k in range(len(compiled.packages))])
        if compiled.n_rounds
        else np.full((len(compiled.packages), n, compiled.n_actors), np.nan)
    )
    fallback = np.stack(
        [fallback_plays(compiled, model.status, a) for a in range(compiled.n_actors)]
    )
    model.release()
    return {
        "status": model.status,
        "end_round": model.end_round,
        "combo": model.combo,
        "utility": utility,
        "fallback": fallback,
        "aspirations": model.aspirations,
        "ideals": model.ideals,
    }


def runs_frame(compiled: Compiled, result: BlockResult, master_seed: int) -> pd.DataFrame:
    """One row per run x issue (runs in order, issues in file order): the tidy table every summary
    and plot reads."""
    R, n_issues = result.n, len(compiled.issue_ids)
    package_of = np.empty(n_issues, dtype=np.int64)
    column_of = np.empty(n_issues, dtype=np.int64)
    for k, package in enumerate(compiled.packages):
        for j, i in enumerate(package.issues):
            package_of[i], column_of[i] = k, j
    settled = np.isin(result.status, SETTLED)  # (K, R)
    all_agreed = settled.all(axis=0)
    any_broken = np.isin(result.status, (2, 3)).any(axis=0)
    run_reason = np.where(all_agreed, 0, np.where(any_broken, 1, 2))  # RUN_END_REASONS
    # (R, I) option index of each issue's outcome.
    option = np.stack(
        [
            compiled.packages[package_of[i]].combos[result.combo[package_of[i]], column_of[i]]
            for i in range(n_issues)
        ],
        axis=1,
    )
    value = np.stack([compiled.option_values[i][option[:, i]] for i in range(n_issues)], axis=1)
    # Outcome labels: every issue's option ids in one list, -1 (missing) for continuous issues.
    labels: list[str] = []
    offset = np.full(n_issues, -1, dtype=np.int64)
    for i, ids in enumerate(compiled.option_ids):
        if ids is not None:
            offset[i] = len(labels)
            labels.extend(ids)
    outcome = np.where(offset >= 0, offset + option, -1)
    status = result.status[package_of].T  # (R, I)
    end_round = result.end_round[package_of].T
    dates = np.array(compiled.round_dates, dtype="datetime64[D]").astype("datetime64[ms]")
    rows = R * n_issues
    frame: dict[str, object] = {
        "run": np.repeat(result.first_run + np.arange(R), n_issues),
        "block": np.full(rows, result.block, dtype=np.int64),
        "replicate": np.repeat(np.arange(R, dtype=np.int64), n_issues),
        "seed": np.full(rows, master_seed, dtype=np.int64),
        "issue": _strings(compiled.issue_ids, np.tile(np.arange(n_issues), R)),
        "package": _strings([p.package_id for p in compiled.packages], np.tile(package_of, R)),
        "outcome": _strings(labels, outcome.ravel()),
        "value": value.ravel(),
        "agreed": settled[package_of].T.ravel(),
        "end_reason": _strings(END_REASONS, status.ravel()),
        "end_round": end_round.ravel(),
        "end_date": dates[end_round.ravel()]
        if len(dates)
        else np.full(rows, np.datetime64("NaT"), dtype="datetime64[ms]"),
        "run_end_reason": _strings(RUN_END_REASONS, np.repeat(run_reason, n_issues)),
    }
    for a, actor_id in enumerate(compiled.actor_ids):
        frame[f"utility_{actor_id}"] = result.utility[package_of, :, a].T.ravel()
    for a, actor_id in enumerate(compiled.actor_ids):
        frame[f"fallback_{actor_id}"] = np.repeat(result.fallback[a], n_issues)
    return pd.DataFrame(frame)


RUN_END_REASONS = ("agreement", "breakdown", "deadline")


def _strings(labels: Sequence[str], codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A pandas ``string`` column of ``labels[codes]`` (missing where a code is -1), built by a
    take from the few labels rather than by converting one Python string per row."""
    return pd.array(list(labels), dtype="string").take(codes, allow_fill=True)


def trajectories_frame(compiled: Compiled, result: BlockResult) -> pd.DataFrame:
    """One row per run x round x actor: aspiration per package and ideal point per issue."""
    if result.aspirations is None or result.ideals is None:
        raise ValueError("the block was run without record=True")
    T, _, R, A = result.aspirations.shape
    t, r, a = np.meshgrid(np.arange(T), np.arange(R), np.arange(A), indexing="ij")
    frame: dict[str, object] = {
        "run": result.first_run + r.ravel(),
        "round": t.ravel(),
        "date": np.array(compiled.round_dates, dtype="datetime64[D]").astype("datetime64[ms]")[
            t.ravel()
        ],
        "actor": _strings(compiled.actor_ids, a.ravel()),
    }
    for k, package in enumerate(compiled.packages):
        frame[f"aspiration_{package.package_id}"] = result.aspirations[:, k].ravel()
    for i, issue_id in enumerate(compiled.issue_ids):
        frame[f"ideal_{issue_id}"] = result.ideals[:, :, :, i].ravel()
    return pd.DataFrame(frame)
