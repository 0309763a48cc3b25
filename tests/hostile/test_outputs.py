"""Hostile output paths and damaged results (issue 12, points 5 and 7).

Every output goes through one writer: a folder, a device, a symbolic link, a missing parent or a
path under /proc is refused with ``PATH: cannot write...: why`` and exit 2; files get the user's
umask; a full disk is one line and leaves the old file.  Readers check the checksums written with
the data: a damaged part, design table or runs table is refused in one line (a resume redoes or
repairs it), a bogus journal line is skipped, and no stale file of older results is read.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile.harness import ROOT, Outcome, assert_clean_refusal, run_bounded

QUOTA = ROOT / "scenarios" / "two_state_fishing_quota.yaml"
NATO = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"
VARY = "actors.southland.behaviour.patience=0.8,0.9"


def _run(out: Path, *extra: str) -> Outcome:
    return run_bounded(
        ["run", str(QUOTA), "--runs", "20", "--seed", "3", "--out", str(out), *extra]
    )


def _sweep(out: Path) -> Outcome:
    args = ["sweep", str(QUOTA), "--vary", VARY, "--runs", "20", "--block-size", "10"]
    return run_bounded([*args, "--seed", "3", "--out", str(out)])


def _bounded(outcome: Outcome) -> None:
    assert outcome.seconds < 10 and outcome.peak_kib < 1 << 20  # the harness's limits


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("res") / "r"
    assert_clean_refusal(_run(out, "--trajectories"), code=0)
    return out


@pytest.fixture(scope="module")
def swept(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sweep") / "s"
    assert_clean_refusal(_sweep(out), code=0)
    return out


def _copy(folder: Path, tmp_path: Path) -> Path:
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy)
    return copy


@contextlib.contextmanager
def _umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)  # the child inherits it
    try:
        yield
    finally:
        os.umask(old)


# -- the one writer: refused targets -------------------------------------------------------------


def test_schema_into_a_folder_is_refused(tmp_path):
    outcome = run_bounded(["schema", "-o", str(tmp_path)])
    assert_clean_refusal(outcome, located=f"{tmp_path}: cannot write: ", contains="folder")
    _bounded(outcome)


def test_a_device_as_target_is_refused(tmp_path):
    """/dev/null is refused, not written through: a device is never an output file."""
    outcome = run_bounded(["schema", "-o", "/dev/null"])
    assert_clean_refusal(outcome, located="/dev/null: cannot write: ", contains="device")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)  # still the device


def test_a_symlink_target_is_refused_and_not_replaced(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("{}")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    outcome = run_bounded(["schema", "-o", str(link)])
    assert_clean_refusal(outcome, located=f"{link}: cannot write: ", contains="symbolic link")
    assert link.is_symlink() and real.read_text() == "{}"


@pytest.mark.parametrize("parent", ["missing", "file"])
def test_a_missing_or_non_folder_parent_is_refused(tmp_path, parent):
    (tmp_path / "file").write_text("x")
    target = tmp_path / parent / "x.json"
    outcome = run_bounded(["schema", "-o", str(target)])
    assert_clean_refusal(outcome, located=f"{target}: cannot write: ")
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["compare", str(QUOTA), "--runs", "10", "--out", "/proc/x"],
        ["backtest", "--boot", "5", "--out", "/proc/x"],
        ["run", str(QUOTA), "--runs", "10", "--out", "/proc/x"],
    ],
    ids=["compare", "backtest", "run"],
)
def test_outputs_under_proc_are_refused_in_one_line(args):
    outcome = run_bounded(args)
    assert_clean_refusal(outcome, located="/proc/x: cannot write")
    _bounded(outcome)


def test_run_refuses_a_folder_holding_files_it_did_not_write(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    outcome = _run(out)
    assert_clean_refusal(outcome, located=f"{out}: holds files negosim did not write (notes.txt)")
    assert (out / "notes.txt").read_text() == "keep me"


# -- the umask ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600)])
def test_outputs_honour_the_umask(tmp_path, mask, mode):
    with _umask(mask):
        assert_clean_refusal(run_bounded(["schema", "-o", str(tmp_path / "s.json")]), code=0)
        assert_clean_refusal(_run(tmp_path / "r"), code=0)
    assert stat.S_IMODE((tmp_path / "s.json").stat().st_mode) == mode
    for name in ("runs.parquet", "manifest.json"):
        assert stat.S_IMODE((tmp_path / "r" / name).stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "r").stat().st_mode) == mode | (mode & 0o444) >> 2


# -- a full disk ------------------------------------------------------------------------------


@pytest.fixture
def tiny(tmp_path) -> Iterator[Path]:
    """A 16 KiB tmpfs (root only); skipped where mounting is not permitted."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here; test_file_size_limit covers a failing write")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_is_one_line_and_keeps_the_old_file(tiny):
    target = tiny / "schema.json"
    target.write_text("old")
    outcome = run_bounded(["schema", "-o", str(target)])  # the schema is ~48 KiB
    assert_clean_refusal(outcome, located=f"{target}: cannot write: no space left on the device")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tiny.iterdir()) == ["schema.json"]  # no temporary file left


def test_plot_on_a_full_disk_is_one_line_and_keeps_the_old_figures(results, tiny):
    folder = tiny / "r"
    folder.mkdir()
    for name in ("manifest.json", "runs.parquet"):
        shutil.copy(results / name, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"].pop("trajectories.parquet")
    (folder / "manifest.json").write_text(json.dumps(manifest))
    outcome = run_bounded(["plot", str(folder)])
    assert_clean_refusal(outcome, contains="no space left on the device")
    assert not (folder / "figures").exists()
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # staging removed


def test_file_size_limit_is_one_line_and_keeps_the_old_file(tmp_path):
    """RLIMIT_FSIZE in the child (inherited from here for the call): the write fails EFBIG."""
    target = tmp_path / "schema.json"
    target.write_text("old")
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a signal
    resource.setrlimit(resource.RLIMIT_FSIZE, (16384, hard))
    try:
        outcome = run_bounded(["schema", "-o", str(target)])
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    assert_clean_refusal(outcome, located=f"{target}: cannot write: file too large")
    assert target.read_text() == "old"


# -- readers verify ------------------------------------------------------------------------------


def test_a_damaged_sweep_part_is_refused_by_plot_and_redone_by_resume(swept, tmp_path):
    folder = _copy(swept, tmp_path)
    victim = sorted((folder / "runs").glob("part-*.parquet"))[1]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    outcome = run_bounded(["plot", str(folder)])
    assert_clean_refusal(outcome, located=f"{victim}: damaged", contains="SHA-256")
    assert_clean_refusal(_sweep(folder), code=0)
    assert victim.read_bytes() == (swept / "runs" / victim.name).read_bytes()
    assert_clean_refusal(run_bounded(["plot", str(folder)]), code=0)


def test_a_damaged_design_table_is_refused_then_repaired_by_resume(swept, tmp_path):
    folder = _copy(swept, tmp_path)
    design = folder / "design.parquet"
    design.write_bytes(design.read_bytes()[:40])
    outcome = run_bounded(["plot", str(folder)])
    assert_clean_refusal(outcome, located=f"{design}: damaged", contains="repair")
    assert_clean_refusal(_sweep(folder), code=0)
    assert design.read_bytes() == (swept / "design.parquet").read_bytes()
    assert_clean_refusal(run_bounded(["plot", str(folder)]), code=0)


@pytest.mark.parametrize("line", [b"{not json\n", b"\xff\xfe garbage\n", b'{"point": 0}\n'])
def test_a_bogus_journal_line_is_skipped_with_a_warning_on_resume(swept, tmp_path, line):
    folder = _copy(swept, tmp_path)
    journal = folder / "blocks.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(b"".join([lines[0], line, *lines[1:]]))
    outcome = _sweep(folder)
    assert_clean_refusal(outcome, code=0)
    assert "skipped a damaged journal line" in outcome.stderr
    # One line, not Python's warning format (file, line, category, source line).
    notes = [ln for ln in outcome.stderr.splitlines() if "journal line" in ln]
    [note] = notes
    assert note.startswith(f"warning: {journal}:2: skipped a damaged journal line"), note
    assert "JournalWarning" not in outcome.stderr and "warnings.warn" not in outcome.stderr
    assert_clean_refusal(run_bounded(["plot", str(folder)]), code=0)


def test_no_stale_trajectories_survive_a_new_run(results, tmp_path):
    folder = _copy(results, tmp_path)
    (folder / "figures").mkdir()
    (folder / "figures" / "trajectory_old.png").write_bytes(b"old figure")
    assert_clean_refusal(_run(folder), code=0)  # this time without --trajectories
    assert sorted(p.name for p in folder.iterdir()) == [
        "draws.parquet",
        "manifest.json",
        "runs.parquet",
        "scenario",  # the copy of the scenario that results keep (portable results)
    ]
    # A trajectories table copied in by hand is not listed in the manifest: plot does not draw it.
    shutil.copy(results / "trajectories.parquet", folder)
    outcome = run_bounded(["plot", str(folder)])
    assert_clean_refusal(outcome, code=0)
    assert "trajectory_" not in outcome.stdout


def test_a_damaged_runs_table_is_refused(results, tmp_path):
    folder = _copy(results, tmp_path)
    runs = folder / "runs.parquet"
    data = bytearray(runs.read_bytes())
    data[100] ^= 0xFF
    runs.write_bytes(bytes(data))
    outcome = run_bounded(["plot", str(folder)])
    assert_clean_refusal(outcome, located=f"{runs}: damaged or replaced", contains="SHA-256")


def test_a_run_killed_between_two_renames_is_detected_and_finished(results, tmp_path):
    """Where folders cannot be exchanged in one step the old folder is moved aside first; a
    kill then leaves the folder missing and the staged set beside it."""
    folder = tmp_path / "r"
    stage = tmp_path / ".r.negosim-run"
    stage.mkdir()
    shutil.copytree(results, stage / "result.old")
    outcome = run_bounded(["plot", str(folder)])
    assert_clean_refusal(outcome, located=f"{folder}: a run was killed while replacing")
    assert_clean_refusal(_run(folder, "--trajectories"), code=0)
    assert not stage.exists()
    for name in ("runs.parquet", "trajectories.parquet"):
        assert (folder / name).read_bytes() == (results / name).read_bytes()


@pytest.mark.parametrize("text", ["[1]", '{"fingerprint": 1, "scenario": "x"}'])
def test_a_manifest_that_is_not_an_object_is_refused_in_one_line(tmp_path, text):
    """Found in review: these manifests ended in AttributeError tracebacks on resume."""
    (tmp_path / "manifest.json").write_text(text)
    outcome = run_bounded(
        [
            "sweep",
            "scenarios/two_state_fishing_quota.yaml",
            "--runs",
            "10",
            "--seed",
            "1",
            "--vary",
            "actors.southland.behaviour.patience=0.8,0.9",
            "--out",
            str(tmp_path),
        ]
    )
    assert_clean_refusal(outcome, located=f"{tmp_path / 'manifest.json'}: not a negosim manifest")


def test_plot_never_echoes_a_file_that_a_manifest_names(tmp_path):
    """Found in review: ``plot`` loaded whatever ``manifest.json`` named as the scenario and
    printed its validation errors, that is, its content."""
    import json

    secret = tmp_path / "creds.yaml"
    secret.write_text("metadata: hunter2-SECRET\n")
    out = tmp_path / "res"
    made = run_bounded(
        ["run", "scenarios/two_state_fishing_quota.yaml", "--runs", "20", "--out", str(out)]
    )
    assert made.code == 0, made.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["scenario"]["path"] = str(secret)
    manifest["scenario"].pop("copy", None)  # else plot reloads the folder's own copy
    (out / "manifest.json").write_text(json.dumps(manifest))
    outcome = run_bounded(["plot", str(out)])
    assert outcome.code == 0, outcome.stderr
    assert "hunter2" not in outcome.stdout + outcome.stderr
    assert "plots use ids" in outcome.stderr
