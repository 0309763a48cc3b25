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
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from negosim.errors import NegosimError, NegosimWarning, UsageError
from negosim.io import (
    OutputError,
    file_sha256,
    write_bytes_atomic,
    write_text_atomic,
    write_with_atomic,
)

__all__ = [
    "DiskFullError",
    "Interrupted",
    "JournalWarning",
    "SweepStore",
    "replacing_message",
    "resuming_message",
    "write_parquet_bytes",
]

Key = tuple[int, int]  # (point, block)


class SweepStore:
    """Read and write one sweep folder; use as a context manager to hold its lock."""

    def __init__(
        self,
        folder: str | os.PathLike[str],
        *,
        parts: str = "runs",
        journal: str = "blocks.jsonl",
    ):
        self.folder = Path(folder)
        self.parts = self.folder / parts
        self.journal = self.folder / journal
        self.manifest_path = self.folder / "manifest.json"
        self.design_path = self.folder / "design.parquet"
        self.design_sha256: str | None = None
        self.corrupted: set[Key] = set()
        self.repaired: list[str] = []  # what a resume had to repair, for the caller to report
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
        if not isinstance(data, dict) or not isinstance(data.get("scenario", {}), dict):
            raise UsageError(f"{self.manifest_path}: not a negosim manifest (a damaged file?)")
        return data

    def begin(self, manifest: dict[str, Any], design: pd.DataFrame | None = None) -> set[Key]:
        """Start or resume: refuse a folder that holds another design; return the finished parts.

        On resume a ``design.parquet`` that is missing, unreadable or does not match the checksum
        in the manifest is rewritten from ``design`` (the same design: the fingerprint says so);
        what was repaired is listed in :attr:`repaired`.
        """
        existing = self.read_manifest()
        if existing is not None and existing.get("fingerprint") != manifest["fingerprint"]:
            scenario_id = existing.get("scenario", {}).get("id")
            raise UsageError(
                f"{self.folder} holds a different sweep (scenario {scenario_id!r}, "
                f"{existing.get('points')} points, {existing.get('runs_per_point')} runs per "
                f"point, seed {existing.get('seed')}); use another --out or delete that folder"
            )
        if design is not None:
            data = write_parquet_bytes(design.reset_index())
            self.design_sha256 = hashlib.sha256(data).hexdigest()
            if existing is not None and _digest_or_none(self.design_path) != self.design_sha256:
                self.repaired.append("design.parquet")
            if existing is None or self.repaired:
                self._guard(lambda: write_bytes_atomic(self.design_path, data), "design.parquet")
        if existing is None:
            self.write_manifest({**manifest, "complete": False})
        self.trim_journal()
        return self.verified_parts()

    def trim_journal(self) -> None:
        """Cut a last journal line left without its newline by a kill, so that the next line
        appended starts on a line of its own (call with the lock held)."""
        try:
            with open(self.journal, "rb+") as handle:
                data = handle.read()
                if data and not data.endswith(b"\n"):
                    handle.truncate(data.rfind(b"\n") + 1)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise UsageError(f"{self.journal}: cannot repair: {exc.strerror or exc}") from None

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Write ``manifest.json`` (with the design's checksum once :meth:`begin` knows it)."""
        if self.design_sha256 is not None:
            manifest = {**manifest, "design_sha256": self.design_sha256}
        text = json.dumps(manifest, indent=2, default=str) + "\n"
        self._guard(lambda: write_text_atomic(self.manifest_path, text), "manifest.json")

    # -- parts -------------------------------------------------------------------------------

    def part_path(self, point: int, block: int) -> Path:
        return self.parts / f"part-p{point:06d}-b{block:06d}.parquet"

    def journal_entries(self) -> dict[Key, dict[str, Any]]:
        """Journal lines by (point, block).

        A last line without its newline was cut short by a kill and is ignored; any other line
        that is not a journal entry (not UTF-8, not JSON, fields missing) is skipped with a
        :class:`JournalWarning`: its block counts as not done, so a resume redoes it.
        """
        entries: dict[Key, dict[str, Any]] = {}
        try:
            data = self.journal.read_bytes()
        except FileNotFoundError:
            return entries
        except OSError as exc:
            raise UsageError(f"{self.journal}: cannot read: {exc.strerror or exc}") from None
        lines = data.split(b"\n")
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                entry = json.loads(raw.decode("utf-8"))
                key = (int(entry["point"]), int(entry["block"]))
                if not isinstance(entry.get("sha256"), str):
                    raise TypeError("no checksum")
            except (ValueError, KeyError, TypeError, AttributeError):
                if number < len(lines):  # not the cut-short tail
                    warnings.warn(
                        f"{self.journal}:{number}: skipped a damaged journal line; its block "
                        "counts as not done",
                        JournalWarning,
                        stacklevel=2,
                    )
                continue
            entries[key] = entry
        return entries

    def verified_parts(self) -> set[Key]:
        """Parts that are journalled and whose bytes match their checksum; others are removed."""
        done: set[Key] = set()
        entries = self.journal_entries()  # read once: each damaged line warns once
        for key, entry in entries.items():
            path = self.part_path(*key)
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                continue
            if digest == entry.get("sha256"):
                done.add(key)
            else:
                path.unlink(missing_ok=True)  # corrupt or truncated: recompute it
        self.corrupted = {key for key in entries if key not in done}
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

    def read_part(
        self, key: Key, entry: dict[str, Any], columns: list[str] | None = None
    ) -> pa.Table:
        """One part as an Arrow table, after checking its bytes against the journal's checksum.

        Raises
        ------
        UsageError
            If the part is missing, damaged (checksum) or unreadable.
        """
        path = self.part_path(*key)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UsageError(
                f"{path}: cannot read: {exc.strerror or exc}; re-run the same command to redo it"
            ) from None
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            raise UsageError(
                f"{path}: damaged (its SHA-256 does not match {self.journal.name}); re-run the "
                "same command to redo it"
            )
        try:
            return pq.read_table(pa.BufferReader(data), columns=columns)
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise UsageError(f"{path}: unreadable Parquet: {exc}") from None

    def read(self, keys: list[Key] | None = None, columns: list[str] | None = None) -> pd.DataFrame:
        """The finished parts in (point, block) order, as one table; every part is checked
        against its checksum first (:meth:`read_part`)."""
        entries = self.journal_entries()
        keys = sorted(entries) if keys is None else sorted(keys)
        frames = [self.read_part(key, entries[key], columns).to_pandas() for key in keys]
        if not frames:
            return pd.DataFrame()
        return pd.concat(frames, ignore_index=True)

    def assemble(self, path: Path, keys: list[Key]) -> dict[str, Any]:
        """Stream the parts ``keys`` (checked) into one Parquet file at ``path``, part by part, so
        memory holds one part at a time; return ``{"sha256", "rows"}`` of the file written.

        The cells equal those of the parts concatenated; the schema is the parts' schemas unified
        (a column that is all-null in one part takes its type from the others).
        """
        entries = self.journal_entries()
        schemas = []
        for key in keys:
            try:
                schemas.append(pq.read_schema(self.part_path(*key)))
            except (pa.ArrowException, OSError) as exc:
                raise UsageError(f"{self.part_path(*key)}: unreadable Parquet: {exc}") from None
        schema = pa.unify_schemas(schemas)
        rows = 0

        def write(tmp: str) -> None:
            nonlocal rows
            with pq.ParquetWriter(tmp, schema) as writer:
                for key in keys:
                    table = self.read_part(key, entries[key])
                    writer.write_table(table.select(schema.names).cast(schema))
                    rows += table.num_rows

        self._guard(lambda: write_with_atomic(path, write), path.name)
        return {"sha256": file_sha256(path), "rows": rows}

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
        entries = self.journal_entries()
        for key in sorted(entries):
            columns = ["point", "run", "run_end_reason"]
            part = self.read_part(key, entries[key], columns).to_pandas()
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

    def design(self, expected_sha256: str | None = None) -> pd.DataFrame:
        """The design table, indexed by ``point``, one column per factor path.

        Raises
        ------
        UsageError
            If ``design.parquet`` is missing, unreadable, or does not match ``expected_sha256``
            (the manifest's ``design_sha256``); a resume of the same sweep repairs it.
        """
        again = "re-run the same sweep command to repair it"
        try:
            data = self.design_path.read_bytes()
        except OSError as exc:
            raise UsageError(f"{self.design_path}: cannot read: {exc.strerror}; {again}") from None
        if expected_sha256 is not None and hashlib.sha256(data).hexdigest() != expected_sha256:
            raise UsageError(
                f"{self.design_path}: damaged (its SHA-256 does not match manifest.json); {again}"
            )
        try:
            table = pq.read_table(pa.BufferReader(data)).to_pandas()
            return table.set_index("point")
        except (pa.ArrowException, OSError, ValueError, KeyError) as exc:
            raise UsageError(
                f"{self.design_path}: unreadable design table ({exc}); {again}"
            ) from None

    # -- writing safely ------------------------------------------------------------------------

    def _guard(self, action: Any, name: str) -> None:
        try:
            action()
        except (OSError, OutputError) as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
                raise DiskFullError(
                    f"{self.folder}: disk full while writing {name}; the finished parts are "
                    "intact: free some space and re-run the same command to resume"
                ) from None
            if isinstance(exc, OutputError):
                raise
            raise UsageError(f"{self.folder}: cannot write {name}: {exc.strerror or exc}") from None


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (SIGINT) stopped a run or sweep writing to ``folder``; ``done`` of ``total`` blocks
    are saved there and the same command resumes from them.

    A :class:`KeyboardInterrupt`, so that a notebook or script stops as it would; its text is
    the one line the command prints.
    """

    def __init__(self, done: int, total: int, folder: str | os.PathLike[str]):
        self.done, self.total, self.folder = done, total, Path(folder)
        super().__init__(
            f"interrupted: {done} of {total} blocks saved in {folder}; run the same command "
            "to resume"
        )


def replacing_message(folder: Path, before: dict[str, Any], after: dict[str, Any]) -> str:
    """The one line said when results of another scenario are replaced, naming what changed:
    ``before`` and ``after`` are the manifests' ``scenario`` entries (id, sha256)."""
    old_id, new_id = before.get("id"), after.get("id")
    old_sha, new_sha = str(before.get("sha256"))[:12], str(after.get("sha256"))[:12]
    if old_id != new_id:
        what = f"scenario {old_id!r} (sha256 {old_sha}...) -> {new_id!r} (sha256 {new_sha}...)"
    else:
        what = f"scenario {new_id!r} changed, sha256 {old_sha}... -> {new_sha}..."
    return f"replacing the results in {folder}: {what}"


def resuming_message(done: int, total: int) -> str:
    """The line a command prints when it resumes: ``resuming: 56 of 200 blocks done``."""
    return f"resuming: {done} of {total} blocks done"


class JournalWarning(NegosimWarning):
    """A journal line that is not a journal entry was skipped (its block will be redone)."""


def _digest_or_none(path: Path) -> str | None:
    try:
        return file_sha256(path)
    except OSError:
        return None


class DiskFullError(NegosimError):
    """No space left while writing a sweep; what was finished is kept."""


def write_parquet_bytes(frame: pd.DataFrame) -> bytes:
    """Serialise ``frame`` to Parquet bytes (deterministic for the same frame)."""
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
    return bytes(sink.getvalue().to_pybytes())
