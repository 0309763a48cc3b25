"""A sweep's folder on disk: parts, journal, manifest and lock — nothing finished is ever lost.

Layout::

    DIR/manifest.json        what the sweep is (fingerprint, design, seed, runs, model, versions)
    DIR/design.parquet       the design table
    DIR/runs/part-p000003-b000001.parquet   one finished block of one design point
    DIR/blocks.jsonl         journal: one line per finished part, with its SHA-256
    DIR/.lock                held (flock) while a sweep writes here

Every file is written atomically (temporary file + rename) and a journal line is appended only
after its part is on disk, so a sweep killed at any instant leaves complete parts and a journal
whose last line may be cut short (ignored).  On resume a part counts as done only if the journal
lists it and its bytes still match the recorded checksum; anything else is recomputed.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from negosim.errors import NegosimError, UsageError
from negosim.io import write_bytes_atomic, write_text_atomic

__all__ = ["SweepStore"]

Key = tuple[int, int]  # (point, block)


class SweepStore:
    """Read and write one sweep folder; use as a context manager to hold its lock."""

    def __init__(self, folder: str | os.PathLike[str]):
        self.folder = Path(folder)
        self.parts = self.folder / "runs"
        self.journal = self.folder / "blocks.jsonl"
        self.manifest_path = self.folder / "manifest.json"
        self._lock: io.TextIOWrapper | None = None

    # -- locking -----------------------------------------------------------------------------

    def __enter__(self) -> SweepStore:
        try:
            self.parts.mkdir(parents=True, exist_ok=True)
            handle = open(self.folder / ".lock", "a+", encoding="utf-8")  # held open: the lock
        except OSError as exc:
            raise UsageError(
                f"{self.folder}: cannot use as a sweep folder: {exc.strerror or exc}"
            ) from None
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise UsageError(
                f"{self.folder}: another sweep is writing here ({holder}); wait for it or use "
                "another --out"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        self._lock = handle
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    # -- manifest ----------------------------------------------------------------------------

    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest, or None if the folder holds no sweep yet."""
        if not self.manifest_path.exists():
            return None
        try:
            data: dict[str, Any] = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"{self.manifest_path}: unreadable manifest: {exc}") from None
        return data

    def begin(self, manifest: dict[str, Any], design: pd.DataFrame) -> set[Key]:
        """Start or resume: refuse a folder that holds another design; return the finished parts."""
        existing = self.read_manifest()
        if existing is not None and existing.get("fingerprint") != manifest["fingerprint"]:
            scenario_id = existing.get("scenario", {}).get("id")
            raise UsageError(
                f"{self.folder} holds a different sweep (scenario {scenario_id!r}, "
                f"{existing.get('points')} points, {existing.get('runs_per_point')} runs per "
                f"point, seed {existing.get('seed')}); use another --out or delete that folder"
            )
        if existing is None:
            self._write(lambda: write_parquet_bytes(design.reset_index()), "design.parquet")
            self.write_manifest({**manifest, "complete": False})
        return self.verified_parts()

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        text = json.dumps(manifest, indent=2, default=str) + "\n"
        self._guard(lambda: write_text_atomic(self.manifest_path, text), "manifest.json")

    # -- parts -------------------------------------------------------------------------------

    def part_path(self, point: int, block: int) -> Path:
        return self.parts / f"part-p{point:06d}-b{block:06d}.parquet"

    def journal_entries(self) -> dict[Key, dict[str, Any]]:
        """Journal lines by (point, block); a cut-short last line is ignored."""
        entries: dict[Key, dict[str, Any]] = {}
        if not self.journal.exists():
            return entries
        for line in self.journal.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
                entries[(int(entry["point"]), int(entry["block"]))] = entry
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a kill
        return entries

    def verified_parts(self) -> set[Key]:
        """Parts that are journalled and whose bytes match their checksum; others are removed."""
        done: set[Key] = set()
        for key, entry in self.journal_entries().items():
            path = self.part_path(*key)
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                continue
            if digest == entry.get("sha256"):
                done.add(key)
            else:
                path.unlink(missing_ok=True)  # corrupt or truncated: recompute it
        self.corrupted = {key for key in self.journal_entries() if key not in done}
        return done

    def write_part(self, point: int, block: int, frame: pd.DataFrame) -> None:
        """Write one finished part, then record it in the journal."""
        data = write_parquet_bytes(frame)
        path = self.part_path(point, block)
        self._guard(lambda: write_bytes_atomic(path, data), path.name)
        line = json.dumps(
            {
                "point": point,
                "block": block,
                "file": path.name,
                "rows": len(frame),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )

        def append() -> None:
            with open(self.journal, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")
                handle.flush()
                os.fsync(handle.fileno())

        self._guard(append, self.journal.name)

    def read(self, keys: list[Key] | None = None, columns: list[str] | None = None) -> pd.DataFrame:
        """The finished parts in (point, block) order, as one table."""
        keys = sorted(self.journal_entries()) if keys is None else sorted(keys)
        frames = [pd.read_parquet(self.part_path(*key), columns=columns) for key in keys]
        if not frames:
            return pd.DataFrame()
        return pd.concat(frames, ignore_index=True)

    def end_counts(self) -> pd.DataFrame:
        """How the finished runs ended, per design point, read part by part (three columns each).

        Returns
        -------
        pandas.DataFrame
            Indexed by ``point`` (ascending, only points with a finished part), with the integer
            columns ``runs``, ``agreements`` and ``breakdowns``: the number of runs, and of runs
            whose ``run_end_reason`` is ``agreement`` or ``breakdown``.
        """
        counts: dict[int, list[int]] = {}
        for key in sorted(self.journal_entries()):
            part = pd.read_parquet(self.part_path(*key), columns=["point", "run", "run_end_reason"])
            per_run = part.drop_duplicates("run")
            tally = counts.setdefault(int(key[0]), [0, 0, 0])
            tally[0] += len(per_run)
            tally[1] += int((per_run["run_end_reason"] == "agreement").sum())
            tally[2] += int((per_run["run_end_reason"] == "breakdown").sum())
        table = pd.DataFrame(
            [counts[point] for point in sorted(counts)],
            index=pd.Index(sorted(counts), name="point", dtype="int64"),
            columns=["runs", "agreements", "breakdowns"],
            dtype="int64",
        )
        return table

    def design(self) -> pd.DataFrame:
        """The design table, indexed by ``point``, one column per factor path."""
        return pd.read_parquet(self.folder / "design.parquet").set_index("point")

    # -- writing safely ------------------------------------------------------------------------

    def _write(self, make: Any, name: str) -> None:
        data = make()
        self._guard(lambda: write_bytes_atomic(self.folder / name, data), name)

    def _guard(self, action: Any, name: str) -> None:
        try:
            action()
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise DiskFullError(
                    f"{self.folder}: disk full while writing {name}; the finished parts are "
                    "intact: free some space and re-run the same command to resume"
                ) from None
            raise UsageError(f"{self.folder}: cannot write {name}: {exc.strerror or exc}") from None


class DiskFullError(NegosimError):
    """No space left while writing a sweep; what was finished is kept."""


def write_parquet_bytes(frame: pd.DataFrame) -> bytes:
    """Serialise ``frame`` to Parquet bytes (deterministic for the same frame)."""
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
    return bytes(sink.getvalue().to_pybytes())
