"""The tidy tables of a block's outcomes: one row per run x issue, and the trajectories.

Every decision model returns a :class:`~negosim.core.blocks.BlockResult`; :func:`runs_frame`
turns it into the runs table that every summary and plot reads (its columns are listed in
:mod:`negosim.tables.columns`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from negosim.core.blocks import BlockResult
from negosim.core.compiled import Compiled
from negosim.core.status import BROKEN, END_REASONS, RUN_END_REASONS, SETTLED
from negosim.errors import UsageError

__all__ = ["runs_frame", "trajectories_frame"]


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
    any_broken = np.isin(result.status, BROKEN).any(axis=0)
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
        # 1-based, as --explain and the calendar count rounds; BlockResult counts from 0.
        "end_round": end_round.ravel() + 1,
        "end_date": dates[end_round.ravel()]
        if len(dates)
        else np.full(rows, np.datetime64("NaT"), dtype="datetime64[ms]"),
        "run_end_reason": _strings(RUN_END_REASONS, np.repeat(run_reason, n_issues)),
        "inefficient_failure": _flags(result.inefficient, package_of, rows),
    }
    for a, actor_id in enumerate(compiled.actor_ids):
        frame[f"utility_{actor_id}"] = result.utility[package_of, :, a].T.ravel()
    for a, actor_id in enumerate(compiled.actor_ids):
        frame[f"fallback_{actor_id}"] = np.repeat(result.fallback[a], n_issues)
    return pd.DataFrame(frame)


def _flags(
    flags: np.ndarray | None, package_of: np.ndarray, rows: int
) -> pd.api.extensions.ExtensionArray:
    """A nullable ``boolean`` column of a ``(K, R)`` package flag, missing when not told."""
    if flags is None:
        return pd.array([None] * rows, dtype="boolean")
    return pd.array(flags[package_of].T.ravel(), dtype="boolean")


def _strings(labels: Sequence[str], codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A pandas ``string`` column of ``labels[codes]`` (missing where a code is -1), built by a
    take from the few labels rather than by converting one Python string per row."""
    return pd.array(list(labels), dtype="string").take(codes, allow_fill=True)


def trajectories_frame(compiled: Compiled, result: BlockResult) -> pd.DataFrame:
    """One row per run x round x actor: aspiration per package and ideal point per issue."""
    if result.aspirations is None or result.ideals is None:
        # A forecasting model plays no rounds, so it has none to record: the user asked for
        # trajectories (run --trajectories) of such a model.
        raise UsageError(
            "this decision model records no trajectories (only models that play rounds, such "
            "as bargaining, do): run it without trajectories"
        )
    T, _, R, A = result.aspirations.shape
    t, r, a = np.meshgrid(np.arange(T), np.arange(R), np.arange(A), indexing="ij")
    frame: dict[str, object] = {
        "run": result.first_run + r.ravel(),
        "round": t.ravel() + 1,  # 1-based, as in runs.parquet's end_round
        "date": np.array(compiled.round_dates, dtype="datetime64[D]").astype("datetime64[ms]")[
            t.ravel()
        ],
        "actor": _strings(compiled.actor_ids, a.ravel()),
    }
    for k, package in enumerate(compiled.packages):
        frame[f"aspiration_{package.package_id}"] = result.aspirations[:, k].ravel()
    for i, issue_id in enumerate(compiled.issue_ids):
        frame[f"ideal_{issue_id}"] = result.ideals[:, :, :, i].ravel()
    # (T, K, R, A holder, A target, 3): the first package's beliefs, one column per target.
    beliefs = result.beliefs
    for n, name in enumerate(("belief_", "belief_low_", "belief_high_")):
        point = (1, 0, 2)[n]  # median, 5 %, 95 %
        for j, actor_id in enumerate(compiled.actor_ids):
            frame[f"{name}{actor_id}"] = (
                np.full(T * R * A, np.nan)
                if beliefs is None
                else beliefs[:, 0, :, :, j, point].ravel()
            )
    return pd.DataFrame(frame)
