"""Run one block of replicates and turn it into the tidy runs table.

Randomness lives here and only here: a block's generator derives from ``(master_seed, block)``
through :class:`numpy.random.SeedSequence`, never from the number of processes or the order in
which blocks finish, so any partition of blocks over workers gives identical results.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from negosim.engine.compiled import Compiled
from negosim.engine.model import END_REASONS, SETTLED, NegotiationModel, fallback_plays
from negosim.engine.params import sample_block

__all__ = [
    "BlockResult",
    "block_rng",
    "block_seed",
    "run_block",
    "runs_frame",
    "trajectories_frame",
]


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
    params = sample_block(compiled, block_seed(master_seed, block), n)
    model = NegotiationModel(
        compiled,
        params,
        protocol=protocol,
        pull_limit=pull_limit,
        record=record,
        explain=explain,
        seed=master_seed + block,
    )
    model.explain_at = explain_at
    while model.running:
        model.step()
    if compiled.n_rounds == 0:
        model._finish()
    rows = np.arange(n)
    utility = (
        np.stack([model.utility[k][rows, :, model.combo[k]] for k in range(len(compiled.packages))])
        if compiled.n_rounds
        else np.full((len(compiled.packages), n, compiled.n_actors), np.nan)
    )
    fallback = np.stack(
        [fallback_plays(compiled, model.status, a) for a in range(compiled.n_actors)]
    )
    model.release()
    return BlockResult(
        block=block,
        first_run=first_run,
        n=n,
        status=model.status.copy(),
        end_round=model.end_round.copy(),
        combo=model.combo.copy(),
        utility=utility,
        fallback=fallback,
        aspirations=model.aspirations,
        ideals=model.ideals,
        narrative=model.narrative,
    )


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
    run_reason = np.where(all_agreed, "agreement", np.where(any_broken, "breakdown", "deadline"))
    # (R, I) option index of each issue's outcome.
    option = np.stack(
        [
            compiled.packages[package_of[i]].combos[result.combo[package_of[i]], column_of[i]]
            for i in range(n_issues)
        ],
        axis=1,
    )
    value = np.stack([compiled.option_values[i][option[:, i]] for i in range(n_issues)], axis=1)
    outcome = np.full((R, n_issues), None, dtype=object)
    for i, ids in enumerate(compiled.option_ids):
        if ids is not None:
            outcome[:, i] = np.array(ids, dtype=object)[option[:, i]]
    status = result.status[package_of].T  # (R, I)
    end_round = result.end_round[package_of].T
    dates = np.array(compiled.round_dates, dtype="datetime64[D]")
    rows = R * n_issues
    frame: dict[str, object] = {
        "run": np.repeat(result.first_run + np.arange(R), n_issues),
        "block": np.full(rows, result.block, dtype=np.int64),
        "replicate": np.repeat(np.arange(R, dtype=np.int64), n_issues),
        "seed": np.full(rows, master_seed, dtype=np.int64),
        "issue": np.tile(np.array(compiled.issue_ids, dtype=object), R),
        "package": np.tile(
            np.array([compiled.packages[k].package_id for k in package_of], dtype=object), R
        ),
        "outcome": outcome.ravel(),
        "value": value.ravel(),
        "agreed": settled[package_of].T.ravel(),
        "end_reason": np.array(END_REASONS, dtype=object)[status.ravel()],
        "end_round": end_round.ravel(),
        "end_date": dates[end_round.ravel()] if len(dates) else np.full(rows, None),
        "run_end_reason": np.repeat(run_reason, n_issues),
    }
    for a, actor_id in enumerate(compiled.actor_ids):
        frame[f"utility_{actor_id}"] = result.utility[package_of, :, a].T.ravel()
    for a, actor_id in enumerate(compiled.actor_ids):
        frame[f"fallback_{actor_id}"] = np.repeat(result.fallback[a], n_issues)
    out = pd.DataFrame(frame)
    for column in ("issue", "package", "outcome", "end_reason", "run_end_reason"):
        out[column] = out[column].astype("string")
    out["end_date"] = pd.to_datetime(out["end_date"]).astype("datetime64[ms]")
    return out


def trajectories_frame(compiled: Compiled, result: BlockResult) -> pd.DataFrame:
    """One row per run x round x actor: aspiration per package and ideal point per issue."""
    if result.aspirations is None or result.ideals is None:
        raise ValueError("the block was run without record=True")
    T, _, R, A = result.aspirations.shape
    t, r, a = np.meshgrid(np.arange(T), np.arange(R), np.arange(A), indexing="ij")
    frame: dict[str, object] = {
        "run": result.first_run + r.ravel(),
        "round": t.ravel(),
        "date": np.array(compiled.round_dates, dtype="datetime64[D]")[t.ravel()],
        "actor": np.array(compiled.actor_ids, dtype=object)[a.ravel()],
    }
    for k, package in enumerate(compiled.packages):
        frame[f"aspiration_{package.package_id}"] = result.aspirations[:, k].ravel()
    for i, issue_id in enumerate(compiled.issue_ids):
        frame[f"ideal_{issue_id}"] = result.ideals[:, :, :, i].ravel()
    out = pd.DataFrame(frame)
    out["actor"] = out["actor"].astype("string")
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ms]")
    return out
