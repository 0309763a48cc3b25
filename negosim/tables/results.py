"""The results of a simulation: tidy tables plus the manifest that says how they were made."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from negosim.errors import UsageError
from negosim.io import write_text_atomic, write_with_atomic

__all__ = [
    "Comparable",
    "Results",
    "comparison_runs",
    "load_results",
    "sweep_factors",
    "write_parquet_atomic",
]


def write_parquet_atomic(path: str | os.PathLike[str], frame: pd.DataFrame) -> Path:
    """Write ``frame`` as Parquet to ``path`` atomically (temporary file + rename)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return write_with_atomic(path, lambda tmp: pq.write_table(table, tmp))


@dataclass
class Results:
    """Tidy results: ``runs`` (one row per run x issue), the ``manifest`` that says how they were
    made, optional ``trajectories`` (one row per run x round x actor) and, for a sweep, the
    ``design`` (one row per design point, one column per factor).  Their columns are listed in
    :mod:`negosim.tables.columns`."""

    runs: pd.DataFrame
    manifest: dict[str, Any]
    trajectories: pd.DataFrame | None = None
    design: pd.DataFrame | None = None

    def write(self, out: str | os.PathLike[str]) -> Path:
        """Write ``runs.parquet``, ``trajectories.parquet`` (if any) and ``manifest.json``."""
        folder = Path(out)
        _refuse_foreign(folder, self.manifest)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            write_parquet_atomic(folder / "runs.parquet", self.runs)
            if self.trajectories is not None:
                write_parquet_atomic(folder / "trajectories.parquet", self.trajectories)
            write_text_atomic(
                folder / "manifest.json", json.dumps(self.manifest, indent=2, default=str) + "\n"
            )
        except OSError as exc:
            raise UsageError(f"{folder}: cannot write results: {exc.strerror or exc}") from None
        return folder


def sweep_factors(results: Results) -> list[str]:
    """The swept factors' paths (``manifest["factors"]``, else the ``design`` columns) that the
    runs table has; none for results of one scenario."""
    factors = list(results.manifest.get("factors") or [])
    if not factors and results.design is not None:
        factors = [str(c) for c in results.design.columns]
    return [f for f in factors if f in results.runs]


Comparable = Mapping[str, Results] | Results | pd.DataFrame


def comparison_runs(results: Comparable) -> pd.DataFrame:
    """One runs table with a ``model`` column, from a mapping name -> results, one results whose
    runs have a ``model`` column, or such a runs table.

    One results without a ``model`` column is named by its manifest's model (``"model"`` if the
    manifest names none); in a mapping, the names are the keys.

    Raises
    ------
    UsageError
        For an empty mapping, or a table without a ``model`` column.
    """
    if isinstance(results, pd.DataFrame):
        runs = results
    elif isinstance(results, Results):
        runs = results.runs
        if "model" not in runs:
            name = str(results.manifest.get("model", {}).get("name", "model"))
            runs = runs.assign(model=name)
    else:
        if not results:
            raise UsageError("no results to compare")
        runs = pd.concat(
            [r.runs.assign(model=name) for name, r in results.items()], ignore_index=True
        )
    if "model" not in runs:
        raise UsageError("a runs table to compare needs a `model` column")
    return runs


def _refuse_foreign(folder: Path, manifest: dict[str, Any]) -> None:
    """Refuse to overwrite a folder holding a sweep, or results of another scenario (file)."""
    existing = folder / "manifest.json"
    if not existing.is_file():
        return
    try:
        theirs = json.loads(existing.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise UsageError(f"{folder}: unreadable manifest.json; use another --out") from None
    if theirs.get("kind") == "sweep":
        raise UsageError(f"{folder} holds a sweep; use another --out")
    mine, other = manifest.get("scenario", {}), theirs.get("scenario", {})
    if (mine.get("id"), mine.get("sha256")) != (other.get("id"), other.get("sha256")):
        raise UsageError(
            f"{folder} holds results of another scenario ({other.get('id')!r}, sha256 "
            f"{str(other.get('sha256'))[:12]}...); use another --out or delete that folder"
        )


def load_results(folder: str | os.PathLike[str]) -> Results:
    """Read a results folder written by :meth:`Results.write` (or ``negosim run --out``)."""
    path = Path(folder)
    manifest_path = path / "manifest.json"
    runs_path = path / "runs.parquet"
    if not manifest_path.is_file() or not runs_path.is_file():
        raise UsageError(f"{path}: not a results folder (needs manifest.json and runs.parquet)")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{manifest_path}: unreadable manifest: {exc}") from None
    runs = pd.read_parquet(runs_path)
    trajectories_path = path / "trajectories.parquet"
    trajectories = pd.read_parquet(trajectories_path) if trajectories_path.is_file() else None
    return Results(runs=runs, manifest=manifest, trajectories=trajectories)
