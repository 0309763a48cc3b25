"""A copy of the scenario inside its results folder, so that the folder explains itself anywhere.

``negosim run --out DIR`` and ``negosim sweep --out DIR`` keep ``DIR/scenario/NAME.yaml`` (the very
bytes the results were made from) and the source texts it cites at their relative paths below
``DIR/scenario/``; the manifest's ``scenario`` entry names the copy and lists each source's
SHA-256.  :func:`load_results_scenario` reloads the scenario from the copy — from any working
folder, on any machine — and falls back to the file the manifest names.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from negosim.errors import ScenarioError, UsageError
from negosim.io import ensure_folder, write_bytes_atomic
from negosim.limits import SOURCE_MAX_BYTES
from negosim.scenario.files import FileRefused, read_user_file
from negosim.scenario.loader import load_scenario
from negosim.scenario.schema import Scenario
from negosim.scenario.yamlio import LIMITS

__all__ = ["COPY_FOLDER", "ScenarioCopy", "load_results_scenario", "read_scenario_copy"]

COPY_FOLDER = "scenario"
"""The folder of a results folder that holds the scenario's copy."""


@dataclass(frozen=True)
class ScenarioCopy:
    """The bytes of a scenario file and of the sources it cites, read when a run starts."""

    name: str  # the scenario file's name, e.g. "nato_russia_missile_defence_2012.yaml"
    data: bytes
    sources: dict[str, tuple[str, bytes | None, str | None]]  # id -> (file, bytes, sha256)

    def manifest_entry(self) -> dict[str, Any]:
        """What the manifest's ``scenario`` entry gains: ``copy`` and ``sources``."""
        return {
            "copy": f"{COPY_FOLDER}/{self.name}",
            "sources": {
                source_id: {"file": file, "sha256": digest, "copied": data is not None}
                for source_id, (file, data, digest) in self.sources.items()
            },
        }

    def write(self, folder: Path) -> list[str]:
        """Write the copy into ``folder`` (a results folder being assembled); return the paths
        written, relative to ``folder``."""
        base = folder / COPY_FOLDER
        ensure_folder(base)
        written = [f"{COPY_FOLDER}/{self.name}"]
        write_bytes_atomic(base / self.name, self.data)
        for file, data, _ in self.sources.values():
            if data is None:
                continue
            target = base / file
            ensure_folder(target.parent)
            write_bytes_atomic(target, data)
            written.append(f"{COPY_FOLDER}/{file}")
        return written


def _inside(file: str) -> str | None:
    """``file`` as a clean relative path that stays below the copy's folder, else ``None``."""
    clean = posixpath.normpath(file.replace(os.sep, "/"))
    if clean.startswith(("/", "../")) or clean in ("..", ".") or ":" in clean:
        return None
    return clean


def read_scenario_copy(scenario: Scenario) -> ScenarioCopy | None:
    """Read the scenario's file and sources again, for a copy in its results folder.

    Returns ``None`` for a scenario not loaded from a file.  A source that lies outside the
    scenario's folder (under ``--sources-root``) is recorded by its SHA-256 but not copied.

    Raises
    ------
    UsageError
        If the file changed since the scenario was loaded (its SHA-256 differs): the results
        would not be those of the file kept.
    """
    path = scenario.path
    if not path or not os.path.isfile(path) or scenario.sha256 is None:
        return None
    folder = Path(os.path.dirname(os.path.abspath(path)))
    roots = [folder, *([Path(scenario.sources_root)] if scenario.sources_root else [])]
    try:
        data = read_user_file(path, roots=roots, limit=LIMITS.max_bytes, what="scenario file")
    except FileRefused as refused:
        raise UsageError(f"{path}: {refused}; run the command again") from None
    if hashlib.sha256(data).hexdigest() != scenario.sha256:
        raise UsageError(f"{path}: changed since it was loaded; run the command again")
    sources: dict[str, tuple[str, bytes | None, str | None]] = {}
    for source_id, source in scenario.sources.items():
        try:
            text = read_user_file(
                folder / source.file, roots=roots, limit=SOURCE_MAX_BYTES, what="source file"
            )
        except FileRefused:
            sources[source_id] = (source.file, None, None)
            continue
        digest = hashlib.sha256(text).hexdigest()
        inside = _inside(source.file)
        sources[source_id] = (inside or source.file, text if inside else None, digest)
    return ScenarioCopy(os.path.basename(path), data, sources)


def load_results_scenario(
    folder: str | os.PathLike[str],
    manifest: dict[str, Any],
    *,
    sources_root: str | os.PathLike[str] | None = None,
) -> tuple[Scenario | None, str | None]:
    """The scenario a results folder was made from, and a note when it cannot be had.

    The copy in ``folder/scenario/`` is tried first; then the file the manifest names (relative
    to the working folder it was run from), with ``sources_root`` or the one the manifest
    records.  Either is used only if its SHA-256 is the manifest's: a manifest may come from
    anyone, so a file that does not load is never echoed (its errors would print its content).

    Returns
    -------
    (Scenario or None, str or None)
        The scenario, or ``None`` with a one-line note saying why (for plots that then use ids).
    """
    recorded = manifest.get("scenario")
    recorded = recorded if isinstance(recorded, dict) else {}
    expected = recorded.get("sha256")
    copy = recorded.get("copy")
    if isinstance(copy, str):
        name = copy.removeprefix(f"{COPY_FOLDER}/")
        # Only a plain file name directly in the copy folder: never a path the manifest steers.
        if name and "/" not in name and os.sep not in name and name not in (".", ".."):
            candidate = _load_matching(Path(folder) / COPY_FOLDER / name, None, expected)
            if candidate is not None:
                return candidate, None
    path = recorded.get("path")
    root = sources_root if sources_root is not None else recorded.get("sources_root")
    if not isinstance(path, str) or not Path(path).is_file():
        return None, f"note: scenario file {path!r} not found; plots use ids"
    candidate = _load_matching(Path(path), root, expected)
    if candidate is None:
        return None, (
            f"note: scenario file {path!r} is not the one these results were made from, or no "
            "longer loads (run `negosim validate` on it); plots use ids"
        )
    return candidate, None


def _load_matching(path: Path, root: Any, expected: Any) -> Scenario | None:
    if not path.is_file():
        return None
    try:
        scenario = load_scenario(
            path, sources_root=root if isinstance(root, str | os.PathLike) else None
        )
    except ScenarioError:
        return None
    return scenario if scenario.sha256 == expected else None
