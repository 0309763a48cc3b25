"""Play blocks of replicates of the bargaining model.

Randomness lives in :mod:`negosim.core.sampling`: a block's draws derive from
``(master_seed, block)`` through :class:`numpy.random.SeedSequence`, never from the number of
processes or the order in which blocks finish, so any partition of blocks over workers gives
identical results.  Mesa's own generator is seeded from the same stream (:func:`mesa_seed`),
though the rules draw nothing from it.

The model holds its outcomes with replicates last; :class:`~negosim.core.frames.BlockResult`
keeps the layout the tidy tables are written from (``utility`` ``(K, R, A)``, ``aspirations``
``(T, K, R, A)``, ``ideals`` ``(T, R, A, I)``): :func:`_play` converts, once per model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from negosim.core.blocks import BlockResult
from negosim.core.compiled import Compiled
from negosim.core.fallbacks import fallback_plays
from negosim.core.particles import sample_particles, slice_particles, stack_particles
from negosim.core.sampling import block_seed, sample_block, slice_params, stack_params
from negosim.core.status import Status

if TYPE_CHECKING:
    from negosim.models.bargaining.model import NegotiationModel

__all__ = ["mesa_seed", "model_rows", "run_block", "run_blocks"]


MODEL_ROWS = 4000  # replicates one Mesa model carries (results do not depend on it)
MODEL_BYTES = 256 * 2**20  # ... unless the largest package's grids would outgrow this


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
    information: str = "private",
    particles: int = 8,
    tremble: float = 0.05,
    walk_away: float = 0.05,
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
        information=information,
        particles=particles,
        tremble=tremble,
        walk_away=walk_away,
    )[0]


def mesa_seed(master_seed: int, block: int) -> int:
    """The seed of Mesa's generator (``Model(rng=...)``) for a model whose first block is
    ``block``: the first word of that block's seed sequence,
    :func:`~negosim.core.sampling.block_seed`, so it depends on ``(master_seed, block)`` only."""
    return int(block_seed(master_seed, block).generate_state(1)[0])


def model_rows(compiled: Compiled, particles: int = 0) -> int:
    """How many replicates one Mesa model carries: :data:`MODEL_ROWS`, fewer when the largest
    package is so big that the model's grids (about eight of ``combinations x actors`` floats per
    replicate, and two more per particle of each actor's beliefs) would pass
    :data:`MODEL_BYTES`; at least one."""
    combos = max((len(p.combos) for p in compiled.packages), default=1)
    actors = max(1, compiled.n_actors)
    per_replicate = (8 + 2 * particles) * combos * actors * 8  # grids live at the peak
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
    information: str = "private",
    particles: int = 8,
    tremble: float = 0.05,
    walk_away: float = 0.05,
) -> list[BlockResult]:
    """Play several blocks, each ``(block, n, first_run)``, as few Mesa models as memory allows.

    Each block is sampled whole from its own seed, exactly as when it is played alone; then the
    replicates are played in models of :func:`model_rows` rows (several blocks in one model, or
    one block over several when a package is huge).  The rules treat replicates independently,
    so every returned block equals what :func:`run_block` returns for it.  ``explain_at`` counts
    replicates across the stacked blocks.
    """
    from negosim.models.bargaining.model import NegotiationModel  # imports Mesa

    if not blocks:
        return []
    params = stack_params(
        [sample_block(compiled, block_seed(master_seed, b), n) for b, n, _ in blocks]
    )
    private = information == "private"
    held = (
        stack_particles(
            [
                sample_particles(compiled, block_seed(master_seed, b), n, particles)
                for b, n, _ in blocks
            ]
        )
        if private
        else None
    )
    rows = model_rows(compiled, particles if private else 0)
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
            explain_at=explain_at - start,
            particles=None if held is None else slice_particles(held, start, stop),
            information=information,
            tremble=tremble,
            walk_away=walk_away,
            rng=mesa_seed(master_seed, blocks[0][0]),  # Mesa's own; the rules draw nothing
        )
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
                inefficient=_present(part["inefficient"]),
                beliefs=part["beliefs"],
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
    "inefficient": 1,
    "beliefs": 2,
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
        model.finish()
    n = model.params.n
    utility = (
        np.stack([model.settled_utility(k).T for k in range(len(compiled.packages))])
        if compiled.n_rounds
        else np.full((len(compiled.packages), n, compiled.n_actors), np.nan)
    )  # (K, R, A)
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
        "inefficient": model.had_zone & (model.status != Status.AGREED),
        "beliefs": _moved(model.beliefs, (0, 1, 5, 2, 3, 4)),  # (T, K, A, A, 3, R) -> R third
        "aspirations": _moved(model.aspirations, (0, 1, 3, 2)),  # (T, K, A, R) -> (T, K, R, A)
        "ideals": _moved(model.ideals, (0, 3, 1, 2)),  # (T, A, I, R) -> (T, R, A, I)
    }


def _moved(values: np.ndarray | None, axes: tuple[int, ...]) -> np.ndarray | None:
    """``values`` with its axes in BlockResult's order, laid out afresh (None stays None)."""
    return None if values is None else np.ascontiguousarray(values.transpose(axes))
