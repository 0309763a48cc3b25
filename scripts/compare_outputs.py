#!/usr/bin/env python3
"""Snapshot what the ``negosim`` command writes, and diff two snapshots.

A refactoring check that treats negosim as a black box: it drives the command line in
subprocesses, as a user would, and never imports negosim, so the same script works before and
after the package's internals move.  Only the standard library, pandas and pyarrow are used.

Usage::

    python scripts/compare_outputs.py snapshot OUTDIR [--root REPO] [--python PY]
                                      [--env KEY=VALUE ...] [--negosim CMD] [--jobs N]
    python scripts/compare_outputs.py diff OLD_OUTDIR NEW_OUTDIR

``snapshot`` runs every command below with the working directory set to ``--root`` (default:
the repository holding this script), writes their outputs under ``OUTDIR/work``, their normalised
standard output and error under ``OUTDIR/logs``, normalised copies of the text outputs under
``OUTDIR/normalised``, and ``OUTDIR/manifest.json`` with one fingerprint per command and per
output file.  ``OUTDIR`` must be empty, absent, or an earlier snapshot (which is replaced).  It
exits 0, or 3 if some command exited non-zero (the manifest is written all the same, so that a
``diff`` shows the failure), or 2 on a usage error.  The interpreter running this script needs
pandas and pyarrow (use the project's venv); ``--python`` is the one that runs negosim.

``diff`` compares the ``commands`` and ``files`` sections of two manifests (never ``info``, which
holds timings and the machine's paths), prints every difference (with unified diffs of the
normalised text and the first differing cells of tables) and exits 0 if there is none, else 1
(2 if a manifest is missing or unreadable).

Which code runs
    The command is the ``negosim`` console script declared in ``REPO/pyproject.toml``
    (``[project.scripts]``), started as ``PY -c "from MODULE import FUNC; ..."`` with cwd = REPO,
    so the code under REPO runs whichever package is installed in PY's environment.  Pass
    ``--env PYTHONPATH=REPO`` to make that explicit; ``--negosim "CMD ..."`` replaces the command
    altogether.  Before running anything the script checks (in the same environment) that
    ``import negosim`` resolves to a file under REPO, and stops otherwise.  The inherited
    environment loses ``NEGOSIM_*`` variables and the variables that force colours or a terminal
    (``FORCE_COLOR``, ``CLICOLOR_FORCE``, ``TTY_COMPATIBLE``, ``TTY_INTERACTIVE``); it gets
    ``MPLBACKEND=Agg``, ``COLUMNS=120``, ``LINES=50``, ``TZ=UTC``, ``PYTHONIOENCODING=utf-8`` and
    ``PYTHONDONTWRITEBYTECODE=1`` (nothing is written into REPO); ``--env`` wins over all of these.

Commands (each scenario x each seed in SEEDS = 1, 7, 2012)
    ``validate`` both scenarios; ``schema --out``;
    ``run SCEN --runs 300 --seed S --out DIR --trajectories --explain --run 3``;
    ``sweep SCEN --vary FACTOR --runs 60 --seed S --out DIR --workers 2 --block-size 20``
    (3 design points x 3 blocks, two worker processes; the NATO scenario varies Russia's salience
    of the guarantee as a range, the fishing scenario Southland's patience as a list);
    ``compare SCEN --runs 300 --seed S --out DIR`` (every model that can run the scenario);
    and, for seed 2012 only, ``run SCEN --runs 2500 --explain --run 2100`` (three blocks of 1,000;
    the story of a run in the third block).  No ``--plot`` and no ``plot`` command.

What is fingerprinted (SHA-256)
    * every command: its argv (normalised), exit status, and its standard output and standard
      error after the text normalisation below;
    * ``*.parquet``: the cells, not the file.  The table is read with pandas (an index other than
      the default 0..n-1 becomes columns), columns are sorted by name and it is dumped with
      ``to_csv(float_format="%.17g", na_rep="<NA>", date_format=ISO)``; ``%.17g`` round-trips
      every float64, so any cell difference changes the hash, while the writer's metadata
      (``created_by``, the pandas metadata and its version) does not.  Also recorded: the
      Arrow schema (``name: type``, without metadata), the number of rows, the column names, and
      a second hash over the sorted rows (to tell "same rows, new order" from a real change);
    * a sweep's ``runs/part-*.parquet``, additionally as one combined table (parts concatenated
      in file-name order), so that a new split into parts shows as such;
    * ``*.json`` and ``*.jsonl``: the parsed document with the volatile fields below removed,
      every string normalised as text, dumped with sorted keys;
    * any other file (the sweep's ``.lock``, text files): its text after normalisation; a file
      that is not UTF-8 text: its bytes;
    * ``*.png`` (``compare`` writes one figure per issue): listed, so a missing or extra figure
      counts, but the content is not fingerprinted.

Volatile fields ignored (found by reading what negosim writes)
    * ``manifest.json`` of ``run`` and ``sweep``: ``created`` (UTC time of writing),
      ``versions`` (negosim, numpy, mesa, pandas, pyarrow and Python versions) and ``command``
      (``sys.argv`` when started as the ``negosim`` script: absolute paths; else null);
    * sweep ``manifest.json`` ``blocks[].sha256`` and ``blocks.jsonl`` ``sha256``: hashes of the
      part files' bytes, which embed the Parquet writer's version; the parts' cells are
      fingerprinted instead.  ``blocks.jsonl`` lines are also sorted: with two workers they are
      appended in completion order, which varies from run to run;
    * the sweep's ``fingerprint`` is kept: it is deterministic, though it hashes the negosim
      version and the scenario as the schema dumps it, so a version bump changes it;
    * in all text (standard output and error, text files, JSON strings): the absolute OUTDIR,
      REPO and PY paths become ``<OUT>``, ``<ROOT>`` and ``<PY>``; ISO-8601 date-times (with a
      time of day) become ``<TIMESTAMP>``; durations after "took/elapsed/in/after/duration"
      become ``<DURATION>``; clock readings such as ``0:00:03`` become ``<CLOCK>``; rates
      ``N runs/s`` become ``<RATE> runs/s``; ``pid N`` becomes ``pid <PID>``; versions after
      the names negosim, numpy, mesa, pandas, pyarrow, python become ``<VERSION>``; ANSI escape
      sequences are removed and line ends become ``\\n``.  (negosim's own output holds no timing
      lines today: progress bars only go to a terminal; these rules keep the check stable if
      some appear.)
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import difflib
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = 1
MARKER = ".compare_outputs_snapshot"

SCENARIOS: dict[str, dict[str, str]] = {
    "nato_russia_missile_defence_2012": {
        "file": "scenarios/nato_russia_missile_defence_2012.yaml",
        "vary": "actors.russia.stances.guarantees.salience=0.6:1.0:3",
    },
    "two_state_fishing_quota": {
        "file": "scenarios/two_state_fishing_quota.yaml",
        "vary": "actors.southland.behaviour.patience=0.8,0.9,0.95",
    },
}
SEEDS = (1, 7, 2012)
RUNS = 300
EXPLAIN_RUN = 3
BLOCKS_SEED = 2012
BLOCKS_RUNS = 2500
BLOCKS_EXPLAIN_RUN = 2100
SWEEP_RUNS = 60
SWEEP_BLOCK_SIZE = 20
SWEEP_WORKERS = 2
COMPARE_RUNS = 300

DROPPED_ENV_PREFIXES = ("NEGOSIM_",)
DROPPED_ENV = ("FORCE_COLOR", "CLICOLOR_FORCE", "TTY_COMPATIBLE", "TTY_INTERACTIVE")
DEFAULT_ENV = {
    "MPLBACKEND": "Agg",
    "COLUMNS": "120",
    "LINES": "50",
    "TZ": "UTC",
    "PYTHONIOENCODING": "utf-8",
    "PYTHONDONTWRITEBYTECODE": "1",
}

# Volatile keys of negosim's manifest.json, at its top level.
MANIFEST_VOLATILE = ("created", "versions", "command")

ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
TIMESTAMP_RE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?|[ ]\d{2}:\d{2}:\d{2}(?:\.\d+)?)"
    r"(?:Z|[+-]\d{2}:?\d{2})?"
)
DURATION_RE = re.compile(
    r"(?i)\b(took|elapsed|in|after|duration)(:?\s+)\d+(?:\.\d+)?\s*"
    r"(?:ms|µs|us|s|secs?|seconds?|mins?|minutes?)\b"
)
CLOCK_RE = re.compile(r"(?<![\d:])\d{1,2}:\d{2}:\d{2}(?![\d:])|-:--:--")
RATE_RE = re.compile(r"\d[\d,]*(?:\.\d+)? runs/s")
PID_RE = re.compile(r"\bpid \d+\b")
VERSION_RE = re.compile(
    r"(?i)\b(negosim|numpy|mesa|pandas|pyarrow|python)(\s+version\s+|\s+v?|==|/)"
    r"\d+\.\d+(?:\.\d+)?[\w.+-]*"
)


class ScriptError(Exception):
    """A mistake in the arguments or the folders given: printed, exit status 2."""


# -- normalisation ------------------------------------------------------------------------------


class Normaliser:
    """Text normalisation of one snapshot: its paths become placeholders, volatile bits go."""

    def __init__(self, out: Path, root: Path, python: str) -> None:
        pairs: dict[str, str] = {}
        for literal, token in (
            (str(python), "<PY>"),
            (os.path.realpath(python), "<PY>"),
            (str(root), "<ROOT>"),
            (os.path.realpath(root), "<ROOT>"),
            (str(out), "<OUT>"),
            (os.path.realpath(out), "<OUT>"),
        ):
            if literal and literal not in ("/", "."):
                pairs[literal] = token
        self.pairs = sorted(pairs.items(), key=lambda kv: -len(kv[0]))

    def text(self, text: str) -> str:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = ANSI_RE.sub("", text)
        for literal, token in self.pairs:
            text = text.replace(literal, token)
        text = TIMESTAMP_RE.sub("<TIMESTAMP>", text)
        text = DURATION_RE.sub(r"\1\2<DURATION>", text)
        text = CLOCK_RE.sub("<CLOCK>", text)
        text = RATE_RE.sub("<RATE> runs/s", text)
        text = PID_RE.sub("pid <PID>", text)
        return VERSION_RE.sub(r"\1\2<VERSION>", text)

    def value(self, value: Any) -> Any:
        """A parsed JSON value with every string normalised."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        return value


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _drop_manifest_volatile(document: Any) -> Any:
    if not isinstance(document, dict):
        return document
    document = {k: v for k, v in document.items() if k not in MANIFEST_VOLATILE}
    if isinstance(document.get("blocks"), list):
        document["blocks"] = [
            {k: v for k, v in b.items() if k != "sha256"} if isinstance(b, dict) else b
            for b in document["blocks"]
        ]
    return document


def canonical_json(path: Path, norm: Normaliser) -> str:
    """The canonical text of a .json or .jsonl file (see the module docstring)."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        lines = []
        for line in raw.splitlines():
            if not line.strip():
                continue
            entry = json.loads(line)
            if path.name == "blocks.jsonl" and isinstance(entry, dict):
                entry.pop("sha256", None)
            lines.append(json.dumps(norm.value(entry), sort_keys=True, ensure_ascii=False))
        return "\n".join(sorted(lines)) + "\n"
    document = json.loads(raw)
    if path.name == "manifest.json":
        document = _drop_manifest_volatile(document)
    return json.dumps(norm.value(document), sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def _read_frame(paths: Iterable[Path]) -> Any:
    import pandas as pd

    frames = []
    for path in paths:
        frame = pd.read_parquet(path)
        index = frame.index
        default = (
            isinstance(index, pd.RangeIndex)
            and index.start == 0
            and index.step == 1
            and index.name is None
        )
        if not default:
            frame = frame.reset_index()
        frames.append(frame)
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    return frame[sorted(frame.columns, key=str)]


def canonical_csv(frame: Any) -> str:
    text: str = frame.to_csv(
        index=False,
        float_format="%.17g",
        na_rep="<NA>",
        lineterminator="\n",
        date_format="%Y-%m-%dT%H:%M:%S.%f",
    )
    return text


def parquet_entry(paths: list[Path], kind: str) -> dict[str, Any]:
    import pyarrow.parquet as pq

    schema: set[str] = set()
    for path in paths:
        schema.update(f"{f.name}: {f.type}" for f in pq.read_schema(path))
    frame = _read_frame(paths)
    text = canonical_csv(frame)
    header, _, body = text.partition("\n")
    rows = sorted(body.splitlines())
    return {
        "kind": kind,
        "rows": len(frame),
        "columns": [str(c) for c in frame.columns],
        "schema": sorted(schema),
        "sha256": sha256_text(text),
        "sha256_rows_unordered": sha256_text(header + "\n" + "\n".join(rows) + "\n"),
    }


# -- snapshot -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    id: str
    args: tuple[str, ...]


def plan(work: Path) -> list[Command]:
    """Every command of a snapshot, in a fixed order, writing under ``work``."""
    files = [s["file"] for s in SCENARIOS.values()]
    commands = [
        Command("validate", ("validate", *files)),
        Command("schema", ("schema", "--out", str(work / "schema" / "schema.json"))),
    ]
    for sid, spec in SCENARIOS.items():
        for seed in SEEDS:
            base = work / sid / f"seed{seed}"
            prefix = f"{sid}/seed{seed}"
            seed_out = ("--seed", str(seed), "--out")
            run = ("run", spec["file"], "--runs", str(RUNS), *seed_out, str(base / "run"))
            commands.append(
                Command(
                    f"{prefix}/run",
                    (*run, "--trajectories", "--explain", "--run", str(EXPLAIN_RUN)),
                )
            )
            sweep = ("sweep", spec["file"], "--vary", spec["vary"], "--runs", str(SWEEP_RUNS))
            commands.append(
                Command(
                    f"{prefix}/sweep",
                    (
                        *sweep,
                        *seed_out,
                        str(base / "sweep"),
                        "--workers",
                        str(SWEEP_WORKERS),
                        "--block-size",
                        str(SWEEP_BLOCK_SIZE),
                    ),
                )
            )
            compare = ("compare", spec["file"], "--runs", str(COMPARE_RUNS))
            commands.append(
                Command(f"{prefix}/compare", (*compare, *seed_out, str(base / "compare")))
            )
            if seed == BLOCKS_SEED:
                blocks = ("run", spec["file"], "--runs", str(BLOCKS_RUNS))
                commands.append(
                    Command(
                        f"{prefix}/run-blocks",
                        (
                            *blocks,
                            *seed_out,
                            str(base / "run-blocks"),
                            "--explain",
                            "--run",
                            str(BLOCKS_EXPLAIN_RUN),
                        ),
                    )
                )
    return commands


def negosim_command(root: Path, python: str, override: str | None) -> list[str]:
    """The argv prefix that runs ``negosim`` from ``root`` (see "Which code runs")."""
    if override:
        return shlex.split(override)
    spec = "negosim.cli:main"
    try:
        import tomllib

        with open(root / "pyproject.toml", "rb") as handle:
            spec = tomllib.load(handle)["project"]["scripts"]["negosim"]
    except (ImportError, OSError, KeyError, ValueError) as exc:
        print(
            f"note: no negosim entry point in {root}/pyproject.toml ({exc}); using {spec}",
            file=sys.stderr,
        )
    module, _, attr = spec.partition(":")
    attr = attr.strip() or "main"
    code = f"import sys; from {module.strip()} import {attr} as _main; sys.exit(_main())"
    return [python, "-c", code]


def child_env(overrides: list[str]) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(DROPPED_ENV_PREFIXES) and k not in DROPPED_ENV
    }
    env.update(DEFAULT_ENV)
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ScriptError(f"--env needs KEY=VALUE (got {item!r})")
        env[key] = value
    return env


def check_code_location(python: str, root: Path, env: dict[str, str]) -> str:
    probe = subprocess.run(
        [python, "-c", "import negosim; print(negosim.__file__)"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    location = probe.stdout.strip()
    if probe.returncode != 0 or not location:
        raise ScriptError(f"cannot import negosim with {python} in {root}:\n{probe.stderr}")
    if not Path(os.path.realpath(location)).is_relative_to(os.path.realpath(root)):
        raise ScriptError(
            f"negosim imports from {location}, not from under {root}; pass "
            f"--env PYTHONPATH={root} (or --allow-outside-root)"
        )
    return location


def git_info(root: Path) -> dict[str, Any]:
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
            )
        except OSError:
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    status = git("status", "--porcelain")
    return {
        "commit": git("rev-parse", "HEAD"),
        "dirty": bool(status) if status is not None else None,
    }


def prepare_outdir(out: Path, root: Path) -> None:
    real_out, real_root = Path(os.path.realpath(out)), Path(os.path.realpath(root))
    if real_out == real_root or real_root.is_relative_to(real_out):
        raise ScriptError(f"OUTDIR {out} must not contain the repository {root}")
    if out.exists():
        if not out.is_dir():
            raise ScriptError(f"OUTDIR {out} is not a folder")
        if any(out.iterdir()):
            if not (out / MARKER).is_file():
                raise ScriptError(f"OUTDIR {out} is not empty and is not an earlier snapshot")
            shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("written by scripts/compare_outputs.py; replaced on re-run\n")


def run_one(
    command: Command, prefix: list[str], root: Path, env: dict[str, str], timeout: float
) -> dict[str, Any]:
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [*prefix, *command.args],
            cwd=root,
            env=env,
            capture_output=True,
            check=False,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        code, stdout, stderr = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as exc:
        code = -999
        stdout = exc.stdout or b""
        stderr = (exc.stderr or b"") + f"\n<timed out after {timeout} s>\n".encode()
    return {
        "exit_code": code,
        "stdout": stdout.decode("utf-8", errors="replace"),
        "stderr": stderr.decode("utf-8", errors="replace"),
        "seconds": round(time.perf_counter() - start, 2),
    }


def fingerprint_file(path: Path, rel: str, out: Path, norm: Normaliser) -> dict[str, Any]:
    suffix = path.suffix.lower()
    if suffix == ".png":
        return {"kind": "png", "fingerprinted": False}
    if suffix == ".parquet":
        try:
            return parquet_entry([path], "parquet")
        except Exception as exc:  # an unreadable table is a finding, not a crash
            data = path.read_bytes()
            return {
                "kind": "parquet-unreadable",
                "error": f"{type(exc).__name__}: {exc}",
                "sha256": hashlib.sha256(data).hexdigest(),
            }
    data = path.read_bytes()
    try:
        if suffix in (".json", ".jsonl"):
            kind, text = "json", canonical_json(path, norm)
        else:
            kind, text = "text", norm.text(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"kind": "binary", "sha256": hashlib.sha256(data).hexdigest()}
    copy = out / "normalised" / rel
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(text, encoding="utf-8")
    return {"kind": kind, "sha256": sha256_text(text), "normalised": f"normalised/{rel}"}


def fingerprint_tree(work: Path, out: Path, norm: Normaliser) -> dict[str, dict[str, Any]]:
    files: dict[str, dict[str, Any]] = {}
    paths = sorted(p for p in work.rglob("*") if p.is_file())
    for path in paths:
        rel = path.relative_to(work).as_posix()
        files[rel] = fingerprint_file(path, rel, out, norm)
    folders = sorted(
        {p.parent for p in paths if p.name.startswith("part-") and p.suffix == ".parquet"}
    )
    for folder in folders:
        parts = sorted(folder.glob("part-*.parquet"))
        rel = folder.relative_to(work).as_posix() + "/part-*.parquet (combined)"
        try:
            files[rel] = parquet_entry(parts, "parquet-combined")
            files[rel]["parts"] = len(parts)
        except Exception as exc:
            files[rel] = {"kind": "parquet-combined-unreadable", "error": str(exc)}
    return files


def snapshot(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    root = Path(args.root).absolute()
    out = Path(args.outdir).absolute()
    python = args.python
    env = child_env(args.env)
    if not (root / SCENARIOS["two_state_fishing_quota"]["file"]).is_file():
        raise ScriptError(f"{root} does not hold the shipped scenarios")
    location = None if args.allow_outside_root else check_code_location(python, root, env)
    prefix = negosim_command(root, python, args.negosim)
    prepare_outdir(out, root)
    work = out / "work"
    norm = Normaliser(out, root, python)
    commands = plan(work)
    # negosim writes into existing folders only (a missing parent is refused): make them first.
    (work / "schema").mkdir(parents=True, exist_ok=True)
    print(
        f"snapshot of {root} into {out}: {len(commands)} commands, {args.jobs} at a time",
        file=sys.stderr,
    )

    results: dict[str, dict[str, Any]] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(run_one, c, prefix, root, env, args.timeout): c for c in commands}
        for n, future in enumerate(concurrent.futures.as_completed(futures), 1):
            command = futures[future]
            results[command.id] = future.result()
            status = "ok" if results[command.id]["exit_code"] == 0 else "FAILED"
            print(
                f"  [{n}/{len(commands)}] {command.id}: {status} "
                f"({results[command.id]['seconds']:.1f} s)",
                file=sys.stderr,
            )

    manifest_commands: dict[str, dict[str, Any]] = {}
    for command in commands:
        result = results[command.id]
        entry: dict[str, Any] = {
            "argv": ["negosim", *(norm.text(a) for a in command.args)],
            "exit_code": result["exit_code"],
        }
        for stream in ("stdout", "stderr"):
            text = norm.text(result[stream])
            log = out / "logs" / f"{command.id}.{stream}.txt"
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text(text, encoding="utf-8")
            entry[f"{stream}_sha256"] = sha256_text(text)
            entry[f"{stream}_file"] = log.relative_to(out).as_posix()
        manifest_commands[command.id] = entry

    files = fingerprint_tree(work, out, norm) if work.exists() else {}
    failed = [c.id for c in commands if results[c.id]["exit_code"] != 0]
    manifest = {
        "format": FORMAT,
        "info": {
            "note": "not compared by diff",
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "root": str(root),
            "git": git_info(root),
            "out": str(out),
            "python": python,
            "negosim_command": prefix,
            "negosim_imported_from": location,
            "env_overrides": list(args.env),
            "jobs": args.jobs,
            "seconds": {c.id: results[c.id]["seconds"] for c in commands},
            "failed": failed,
            "total_seconds": round(time.perf_counter() - started, 1),
        },
        "commands": manifest_commands,
        "files": files,
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    print(
        f"wrote {out / 'manifest.json'}: {len(manifest_commands)} commands, {len(files)} files,"
        f" {manifest['info']['total_seconds']} s",
        file=sys.stderr,
    )
    if failed:
        print(f"{len(failed)} command(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 3
    return 0


# -- diff ---------------------------------------------------------------------------------------


MAX_DIFF_LINES = 40
MAX_CELL_EXAMPLES = 5


def load_manifest(folder: Path) -> dict[str, Any]:
    path = folder / "manifest.json"
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ScriptError(f"{path}: not a snapshot manifest ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise ScriptError(f"{path}: snapshot format {manifest.get('format')!r}, expected {FORMAT}")
    return manifest


def text_diff(old: Path, new: Path, label: str) -> list[str]:
    try:
        a = old.read_text(encoding="utf-8").splitlines()
        b = new.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        return [f"      (cannot show the text: {exc})"]
    lines = list(difflib.unified_diff(a, b, f"old/{label}", f"new/{label}", n=1, lineterm=""))
    shown = ["      " + line for line in lines[:MAX_DIFF_LINES]]
    if len(lines) > MAX_DIFF_LINES:
        shown.append(f"      ... {len(lines) - MAX_DIFF_LINES} more diff lines")
    return shown


def _scalar(value: Any) -> Any:
    """A NumPy scalar as the Python value it holds (for a readable repr)."""
    item = getattr(value, "item", None)
    return item() if callable(item) and getattr(value, "ndim", None) == 0 else value


def cell_diff(old_paths: list[Path], new_paths: list[Path]) -> list[str]:
    """The first differing cells of two tables with the same columns and length."""
    try:
        a, b = _read_frame(old_paths), _read_frame(new_paths)
    except Exception as exc:
        return [f"      (cannot read the tables: {exc})"]
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return []
    lines = []
    for column in a.columns:
        x, y = a[column], b[column]
        same = (x == y) | (x.isna() & y.isna())
        if bool(same.all()):
            continue
        where = [i for i, ok in enumerate(same.tolist()) if not ok]
        examples = ", ".join(
            f"row {i}: {_scalar(x.iloc[i])!r} -> {_scalar(y.iloc[i])!r}"
            for i in where[:MAX_CELL_EXAMPLES]
        )
        lines.append(f"      column {column}: {len(where)} cell(s) differ, e.g. {examples}")
    if not lines:
        lines.append("      (cells equal as values; only their text form differs, e.g. dtypes)")
    return lines


def combined_paths(folder: Path, rel: str) -> list[Path]:
    if rel.endswith(" (combined)"):
        return sorted(
            (folder / "work" / rel.removesuffix(" (combined)")).parent.glob("part-*.parquet")
        )
    return [folder / "work" / rel]


def diff(args: argparse.Namespace) -> int:
    old_dir, new_dir = Path(args.old), Path(args.new)
    old, new = load_manifest(old_dir), load_manifest(new_dir)
    problems: list[str] = []

    def report(head: str, details: Iterable[str] = ()) -> None:
        problems.append(head)
        print(head)
        for line in details:
            print(line)

    oc, nc = old["commands"], new["commands"]
    for cid in sorted(set(oc) | set(nc)):
        if cid not in nc:
            report(f"command {cid}: only in OLD")
            continue
        if cid not in oc:
            report(f"command {cid}: only in NEW")
            continue
        a, b = oc[cid], nc[cid]
        if a["argv"] != b["argv"]:
            report(
                f"command {cid}: argv differs: {shlex.join(a['argv'])!r} -> "
                f"{shlex.join(b['argv'])!r}"
            )
        if a["exit_code"] != b["exit_code"]:
            report(f"command {cid}: exit status {a['exit_code']} -> {b['exit_code']}")
        for stream in ("stdout", "stderr"):
            if a[f"{stream}_sha256"] != b[f"{stream}_sha256"]:
                report(
                    f"command {cid}: {stream} differs",
                    text_diff(
                        old_dir / a[f"{stream}_file"],
                        new_dir / b[f"{stream}_file"],
                        f"{cid}.{stream}",
                    ),
                )

    of, nf = old["files"], new["files"]
    for rel in sorted(set(of) | set(nf)):
        if rel not in nf:
            report(f"file {rel}: only in OLD")
            continue
        if rel not in of:
            report(f"file {rel}: only in NEW")
            continue
        a, b = of[rel], nf[rel]
        if a == b:
            continue
        keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k) and k != "normalised")
        if not keys:
            continue
        details: list[str] = []
        for key in keys:
            if key in ("schema", "columns"):
                gone = sorted(set(a.get(key) or []) - set(b.get(key) or []))
                added = sorted(set(b.get(key) or []) - set(a.get(key) or []))
                if gone or added:
                    details.append(f"      {key}: removed {gone}, added {added}")
                else:
                    details.append(f"      {key}: same entries, new order")
            elif key in ("rows", "kind", "parts", "error", "exit_code"):
                details.append(f"      {key}: {a.get(key)!r} -> {b.get(key)!r}")
        if a.get("kind", "").startswith("parquet") and b.get("kind", "").startswith("parquet"):
            if "sha256" in keys and "sha256_rows_unordered" not in keys:
                details.append("      same rows in a different order")
            elif "sha256" in keys:
                details.extend(
                    cell_diff(combined_paths(old_dir, rel), combined_paths(new_dir, rel))
                )
        elif a.get("normalised") and b.get("normalised") and "sha256" in keys:
            details.extend(text_diff(old_dir / a["normalised"], new_dir / b["normalised"], rel))
        what = "content differs" if "sha256" in keys else "differs"
        report(f"file {rel}: {what} ({', '.join(keys)})", details)

    compared = f"{len(set(oc) | set(nc))} commands and {len(set(of) | set(nf))} files"
    if problems:
        print(f"{len(problems)} difference(s) in {compared}")
        return 1
    print(f"identical: {compared}")
    return 0


# -- command line -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Snapshot negosim's outputs through its command line, or diff two snapshots.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="action", required=True)
    snap = sub.add_parser("snapshot", help="run every command; write OUTDIR/manifest.json")
    snap.add_argument("outdir")
    snap.add_argument(
        "--root",
        default=str(Path(__file__).resolve().parent.parent),
        help="repository whose scenarios and code run (cwd of every command; default: the "
        "repository holding this script)",
    )
    snap.add_argument(
        "--python", default=sys.executable, help="interpreter that runs negosim (default: this)"
    )
    snap.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set a variable for the commands, e.g. PYTHONPATH=/work/baseline (repeatable)",
    )
    snap.add_argument(
        "--negosim",
        default=None,
        metavar="CMD",
        help="command that starts negosim, e.g. '.venv/bin/negosim' (default: PY -c running "
        "the entry point of ROOT/pyproject.toml)",
    )
    snap.add_argument(
        "--allow-outside-root",
        action="store_true",
        help="do not insist that negosim imports from under --root",
    )
    snap.add_argument("--jobs", type=int, default=2, help="commands at a time (default 2)")
    snap.add_argument(
        "--timeout", type=float, default=900.0, help="seconds per command (default 900)"
    )
    dif = sub.add_parser("diff", help="exit 0 if two snapshots are identical, else 1")
    dif.add_argument("old")
    dif.add_argument("new")
    args = parser.parse_args(argv)
    try:
        return snapshot(args) if args.action == "snapshot" else diff(args)
    except ScriptError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
