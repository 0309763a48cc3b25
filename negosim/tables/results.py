"""The results of a simulation: tidy tables plus the manifest that says how they were made."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from negosim.errors import UsageError
from negosim.io import (
    OutputError,
    ensure_folder,
    file_sha256,
    make_staging_folder,
    swap_folder,
    write_text_atomic,
    write_with_atomic,
)

__all__ = [
    "Comparable",
    "Results",
    "comparison_runs",
    "load_results",
    "prepare_results_folder",
    "replace_folder",
    "staging_folder",
    "sweep_factors",
    "write_manifest",
    "write_parquet_atomic",
]


def write_parquet_atomic(path: str | os.PathLike[str], frame: pd.DataFrame) -> Path:
    """Write ``frame`` as Parquet to ``path`` atomically (:func:`negosim.io.write_with_atomic`)."""
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
        """Write ``runs.parquet``, ``trajectories.parquet`` (if any) and ``manifest.json``
        (listing both with their SHA-256) into a fresh folder that then replaces ``out`` as a
        whole: no file of older results survives beside these.

        Raises
        ------
        UsageError
            If ``out`` holds a sweep, results of another scenario or files negosim did not
            write; :class:`~negosim.io.OutputError` if it cannot be written.
        """
        folder = Path(out)
        prepare_results_folder(folder, self.manifest)
        try:
            staged = make_staging_folder(folder.parent, f".{folder.name}.negosim-write-")
        except OSError as exc:
            raise OutputError(folder, exc.strerror or str(exc), exc.errno, what="results") from None
        try:
            files = {}
            tables = [("runs.parquet", self.runs), ("trajectories.parquet", self.trajectories)]
            for name, frame in tables:
                if frame is not None:
                    path = write_parquet_atomic(staged / name, frame)
                    files[name] = {"sha256": file_sha256(path), "rows": len(frame)}
            write_manifest(staged, {**self.manifest, "files": files})
            replace_folder(staged, folder)
        finally:
            shutil.rmtree(staged, ignore_errors=True)
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


# What a results folder may hold: the tables, the manifest and figures (``run --plot`` and
# ``negosim plot``).  Anything else is the user's, and replacing the folder would delete it.
RESULT_FILES = (
    "manifest.json",
    "runs.parquet",
    "trajectories.parquet",
    "draws.parquet",
    "figures",
    "scenario",  # the copy of the scenario and its sources (negosim.simulation.snapshot)
)
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


def staging_folder(out: str | os.PathLike[str]) -> Path:
    """Where ``negosim run --out OUT`` keeps its parts until its results replace ``OUT``:
    ``PARENT/.NAME.negosim-run`` (a sibling, so the swap is a rename)."""
    target = Path(out)
    return target.parent / f".{target.name}.negosim-run"


def prepare_results_folder(
    folder: Path, manifest: dict[str, Any], *, replace_other: bool = False
) -> dict[str, Any] | None:
    """Create the results folder's parent and refuse a folder that must not be replaced.

    With ``replace_other``, results of another scenario (or of an edited file) are to be
    replaced rather than refused: their manifest's ``scenario`` entry is returned, for the
    caller to say what changed; otherwise None.

    Raises
    ------
    UsageError
        If ``folder`` holds a sweep, results of another scenario (unless ``replace_other``),
        files negosim did not write, or the current working folder;
        :class:`~negosim.io.OutputError` if it is not a folder.
    """
    replaced: dict[str, Any] | None = None
    try:
        ensure_folder(folder.parent)
    except OutputError as exc:
        raise OutputError(folder, exc.why, exc.errno, what="results") from None
    if not os.path.lexists(folder):
        return None
    if os.path.islink(folder):
        raise OutputError(
            folder, "it is a symbolic link (give the folder it points to)", what="results"
        )
    if not folder.is_dir():
        raise OutputError(folder, "it exists and is not a folder", what="results")
    if Path.cwd().resolve().is_relative_to(folder.resolve()):
        raise UsageError(f"{folder}: is the current folder (or holds it); use another --out")
    existing = folder / "manifest.json"
    if existing.is_file():
        try:
            theirs = json.loads(existing.read_text(encoding="utf-8"))
            if not isinstance(theirs, dict):
                raise ValueError("not a mapping")
        except (OSError, ValueError):
            raise UsageError(f"{folder}: unreadable manifest.json; use another --out") from None
        if theirs.get("kind") == "sweep":
            raise UsageError(f"{folder} holds a sweep; use another --out")
        mine, other = manifest.get("scenario", {}), theirs.get("scenario", {})
        if not isinstance(other, dict):
            other = {}
        if (mine.get("id"), mine.get("sha256")) != (other.get("id"), other.get("sha256")):
            if not replace_other:
                raise UsageError(
                    f"{folder} holds results of another scenario ({other.get('id')!r}, sha256 "
                    f"{str(other.get('sha256'))[:12]}...); use another --out or delete that "
                    "folder"
                )
            replaced = other
    foreign = sorted(
        p.name
        for p in folder.iterdir()
        if p.name not in RESULT_FILES
        and p.suffix not in FIGURE_SUFFIXES
        and not (p.name.startswith(".") and (p.name.endswith(".tmp") or ".negosim-" in p.name))
    )
    if foreign:
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise UsageError(
            f"{folder}: holds files negosim did not write ({shown}); results replace their "
            "folder as a whole: use another --out or move those files"
        )
    return replaced


def write_manifest(folder: Path, manifest: dict[str, Any]) -> Path:
    """Write ``folder/manifest.json`` atomically."""
    text = json.dumps(manifest, indent=2, default=str) + "\n"
    return write_text_atomic(folder / "manifest.json", text)


def replace_folder(staged: Path, folder: Path) -> None:
    """Swap the finished folder ``staged`` into place as ``folder`` and delete the old one."""
    try:
        old = swap_folder(staged, folder)
    except OSError as exc:
        why = f"cannot replace the folder: {(exc.strerror or str(exc)).lower()}"
        raise OutputError(folder, why, exc.errno, what="results") from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _verified(folder: Path, name: str, files: dict[str, Any] | None) -> Path:
    """``folder/name`` after checking it against the manifest's SHA-256 (when it lists one)."""
    path = folder / name
    if files is None:
        return path  # results written before checksums were recorded
    entry = files.get(name)
    expected = entry.get("sha256") if isinstance(entry, dict) else None
    try:
        actual = file_sha256(path)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if actual != expected:
        raise UsageError(
            f"{path}: damaged or replaced (its SHA-256 does not match manifest.json); re-run "
            "the command that wrote this folder"
        )
    return path


def _read_table(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise UsageError(f"{path}: unreadable Parquet: {exc}") from None


def load_results(folder: str | os.PathLike[str]) -> Results:
    """Read a results folder written by :meth:`Results.write` (or ``negosim run --out``).

    Every table is checked against the SHA-256 that ``manifest.json`` lists for it, and only
    the tables it lists are read (a stray ``trajectories.parquet`` is not).

    Raises
    ------
    UsageError
        For a folder that is not a results folder, was left half replaced by a killed run, or
        holds a damaged or unlisted file.
    """
    path = Path(folder)
    manifest_path = path / "manifest.json"
    runs_path = path / "runs.parquet"
    if not path.exists() and staging_folder(path).is_dir():
        raise UsageError(
            f"{path}: a run was killed while replacing this folder; re-run the same command "
            "to finish it"
        )
    if not manifest_path.is_file() or not runs_path.is_file():
        raise UsageError(f"{path}: not a results folder (needs manifest.json and runs.parquet)")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        raise UsageError(f"{manifest_path}: unreadable manifest: {exc}") from None
    files = manifest.get("files")
    if files is not None and not isinstance(files, dict):
        raise UsageError(f"{manifest_path}: `files` must be a mapping of file names")
    if files is not None and "runs.parquet" not in files:
        raise UsageError(f"{manifest_path}: lists no runs.parquet")
    runs = _read_table(_verified(path, "runs.parquet", files))
    trajectories_path = path / "trajectories.parquet"
    listed = trajectories_path.is_file() if files is None else "trajectories.parquet" in files
    trajectories = _read_table(_verified(path, "trajectories.parquet", files)) if listed else None
    return Results(runs=runs, manifest=manifest, trajectories=trajectories)
