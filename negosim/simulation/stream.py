"""``negosim run --out``: Monte Carlo runs streamed to disk block by block, resumable.

The runs of one scenario go to a staging folder beside the results folder,
``PARENT/.NAME.negosim-run/``, one Parquet part per block with a journal of checksums (the sweep
store's machinery, :class:`~negosim.sweeps.store.SweepStore`), so memory holds one batch of
blocks whatever the number of runs and a killed run resumes where it stopped when the same
command is re-run.  When every block is on disk the parts are streamed into ``runs.parquet`` (and
``trajectories.parquet``) in a fresh folder, figures are drawn there if asked, ``manifest.json``
listing every file with its SHA-256 is written last, and that folder replaces the results folder
as a whole (:func:`negosim.io.swap_folder`): a reader sees the old complete set or the new one,
never a mix, and no file of the old results survives beside the new.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from negosim.io import OutputError, file_sha256
from negosim.scenario.schema import Scenario
from negosim.simulation.simulate import (
    DEFAULT_BLOCK_SIZE,
    build_model,
    check_counts,
    manifest,
    plan_blocks,
    play_batches,
)
from negosim.simulation.snapshot import read_scenario_copy
from negosim.sweeps.store import Interrupted, SweepStore, replacing_message, resuming_message
from negosim.tables.draws import DRAWS_FILE, run_draw_frames, write_draws
from negosim.tables.results import (
    prepare_results_folder,
    replace_folder,
    staging_folder,
    write_manifest,
)

__all__ = ["run_to_folder"]


def _fingerprint(info: dict[str, Any], trajectories: bool) -> str:
    """What the parts depend on: a resumed run continues only parts made the same way."""
    keys = {
        "scenario": info["scenario"]["sha256"],
        "model": info["model"],
        "seed": info["seed"],
        "runs": info["runs"],
        "block_size": info["block_size"],
        "trajectories": trajectories,
        "negosim": info["versions"]["negosim"],
    }
    return hashlib.sha256(json.dumps(keys, sort_keys=True, default=str).encode()).hexdigest()


def _wipe(stage: Path) -> None:
    """Empty a staging folder of parts made another way (the lock file stays: it is held)."""
    for child in stage.iterdir():
        if child.name == ".lock":
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def run_to_folder(
    scenario: Scenario,
    out: str | os.PathLike[str],
    runs: int | None = None,
    seed: int | None = None,
    *,
    model: str | None = None,
    trajectories: bool = False,
    block_size: int = DEFAULT_BLOCK_SIZE,
    progress: Callable[[int], None] | None = None,
    figures: Callable[[Path], None] | None = None,
    notify: Callable[[str], None] | None = None,
) -> tuple[Path, int]:
    """Run the scenario like :func:`~negosim.simulation.simulate` and write the results folder
    ``out``, streaming block by block; the same tables, bit for bit.

    Parameters
    ----------
    scenario, runs, seed, model, trajectories, block_size
        As for :func:`~negosim.simulation.simulate`.
    out
        The results folder.  It is replaced as a whole, results of another scenario (or of the
        scenario's file before an edit) too; a folder holding a sweep or files negosim did not
        write is refused.  The scenario file and the sources it cites are copied into its
        ``scenario/`` folder (:mod:`negosim.simulation.snapshot`).
    progress
        Called with the number of runs finished (on disk) after each batch.
    figures
        Called with the staged folder once the tables are there, to draw figures into it (they
        become part of the set that replaces ``out``).
    notify
        Called with one line when the run replaces results of another scenario (naming what
        changed) and when it resumes (``resuming: 56 of 200 blocks done``).

    Returns
    -------
    (pathlib.Path, int)
        ``out``, and the number of blocks found finished on disk (resumed).

    Raises
    ------
    UsageError
        For a refused folder; :class:`~negosim.io.OutputError` for a path that cannot be written.
    Interrupted
        On Ctrl-C, saying how many blocks are saved for the same call to resume from.
    """

    runs = scenario.engine.runs if runs is None else runs
    seed = scenario.engine.seed if seed is None else seed
    check_counts(runs, seed, block_size)
    decision_model = build_model(scenario, model)
    # Everything that can refuse the run does so before the folder or its staging store exist.
    compiled = decision_model.compile()
    decision_model.check_block(compiled, min(block_size, runs))
    target = Path(out)
    info = manifest(scenario, decision_model, runs=runs, seed=seed, block_size=block_size)
    copy = read_scenario_copy(scenario)
    if copy is not None:
        info["scenario"].update(copy.manifest_entry())
    previous = prepare_results_folder(target, info, replace_other=True)
    if previous is not None and notify is not None:
        notify(replacing_message(target, previous, info["scenario"]))
    stage = staging_folder(target)
    try:
        stage.mkdir(mode=0o777, exist_ok=True)
    except OSError as exc:
        why = (exc.strerror or str(exc)).lower()
        raise OutputError(target, why, exc.errno, what="results") from None
    partial = {"kind": "run-staging", "fingerprint": _fingerprint(info, trajectories)}
    with SweepStore(stage) as store:
        existing = _read_json(store.manifest_path)
        stale = existing is None or existing.get("fingerprint") != partial["fingerprint"]
        if store.manifest_path.exists() and stale:
            # An interrupted run of other settings, or a damaged staging manifest: its parts
            # are of no use (they can all be recomputed).
            _wipe(stage)
            store.parts.mkdir()
        done = {block for _, block in store.begin(partial)}
        recorder = SweepStore(stage, parts="trajectories", journal="trajectories.jsonl")
        if trajectories:
            recorder.parts.mkdir(exist_ok=True)
            done &= {block for _, block in recorder.verified_parts()}
        blocks = plan_blocks(runs, block_size)
        finished = sum(n for block, n, _ in blocks if block in done)
        saved = len({block for block, _, _ in blocks} & done)
        if saved and notify is not None:
            notify(resuming_message(saved, len(blocks)))
        if progress is not None and finished:
            progress(finished)
        todo = [b for b in blocks if b[0] not in done]
        gc.freeze()  # what lives now outlives the loop: keep the collections below cheap
        try:
            for played in play_batches(
                decision_model, compiled, seed=seed, blocks=todo, trajectories=trajectories
            ):
                for block, n, frame, trajectory in played:
                    store.write_part(0, block, frame)
                    if trajectory is not None:
                        recorder.write_part(0, block, trajectory)
                    finished += n
                # A batch's Mesa model is freed only by the cycle collector, whose thresholds count
                # objects, not bytes: without a collection here the peak grows batch after batch.
                gc.collect()
                if progress is not None:
                    progress(finished)
        except KeyboardInterrupt:
            # Every part written is journalled: the same command resumes from them.
            saved = len({block for _, block in store.journal_entries()})
            raise Interrupted(saved, len(blocks), target) from None
        finally:
            gc.unfreeze()
        keys = [(0, block) for block, _, _ in blocks]
        staged = stage / "result"
        for leftover in (staged, stage / "result.old"):
            if leftover.exists():
                shutil.rmtree(leftover)
        staged.mkdir()
        files = {"runs.parquet": store.assemble(staged / "runs.parquet", keys)}
        # The draws are a pure function of (scenario, seed, block): rebuilt, never staged.
        files[DRAWS_FILE] = write_draws(
            staged / DRAWS_FILE, run_draw_frames(compiled, seed=seed, blocks=blocks)
        )
        if trajectories:
            path = staged / "trajectories.parquet"
            files["trajectories.parquet"] = recorder.assemble(path, keys)
        if copy is not None:
            for name in copy.write(staged):
                files[name] = {"sha256": file_sha256(staged / name)}
        if figures is not None:
            figures(staged)
            for path in sorted(staged.iterdir()):
                if path.name not in files and path.is_file():
                    files[path.name] = {"sha256": file_sha256(path)}
        write_manifest(staged, {**info, "files": files})
        replace_folder(staged, target)
        shutil.rmtree(stage, ignore_errors=True)  # the lock is ours until the store closes
    return target, len(done)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
