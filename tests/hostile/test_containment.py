"""Hostile files (issue 12, points 1, 3 and the quote bound of 4): a scenario reads only regular
files inside its own folder, or under a ``--sources-root`` the user names.

Before this issue a source ``file:`` could be absolute, a ``../`` path or a symlink to anything, and
the "closest passage" hint of a quote not found printed text from it (a 10-character secret was
extracted in 11 ``validate`` calls); ``validate /dev/zero`` read 6.8 GiB and died of a
``MemoryError``; a FIFO as a source hung forever; a 200-word near-miss quote against a 5 MiB source
took over 60 s.  Each case runs ``negosim`` in a child limited to 1 GiB and 10 s
(:mod:`tests.hostile.harness`) and asserts exit 2, one located first line, no traceback, and that
it was refused quickly with little memory.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import pytest

from negosim.limits import SCENARIO_MAX_BYTES
from tests.hostile.harness import MEMORY_LIMIT, Outcome, assert_clean_refusal, run_bounded

VALID = Path(__file__).resolve().parents[1] / "scenario" / "fixtures" / "valid"
SECRET = "K7q!zR2#pX"  # ten characters, as in the extraction
QUOTE_LINE = 35  # the line of alpha's first quote in minimal.yaml
FILE_LINE = 10  # the line of `file: memo.txt` in minimal.yaml


def scenario(folder: Path, *, source: str = "memo.txt", quote: str | None = None) -> Path:
    """minimal.yaml in ``folder`` (with its memo.txt), citing ``source`` and alpha quoting
    ``quote``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(VALID / "memo.txt", folder / "memo.txt")
    text = (VALID / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("    file: memo.txt", f"    file: {source}")
    if quote is not None:
        text = text.replace("quote: Alpha wants a legally binding treaty.", f"quote: {quote}")
    path = folder / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def quick(outcome: Outcome, seconds: float = 5.0) -> None:
    """Refused up front: a fraction of the harness's limits (the interpreter's start included)."""
    assert outcome.seconds < seconds, outcome.seconds
    assert outcome.peak_kib * 1024 < MEMORY_LIMIT // 4, outcome.peak_kib


def validate(path: Path, *extra: str) -> Outcome:
    return run_bounded(["validate", str(path), *extra], cwd=path.parent)


def assert_source_refused(outcome: Outcome, path: Path, contains: str) -> None:
    assert_clean_refusal(
        outcome, located=f"{path}:{FILE_LINE}: sources.memo.file: ", contains=contains
    )
    quick(outcome)


# --- sources outside the scenario's folder ----------------------------------------------------


def test_absolute_source_path_is_refused(tmp_path):
    (tmp_path / "secret.txt").write_text(f"the key is {SECRET}\n", encoding="utf-8")
    path = scenario(tmp_path / "s", source=str(tmp_path / "secret.txt"), quote=SECRET[:9])
    outcome = validate(path)
    assert_source_refused(outcome, path, "outside")
    assert SECRET[:4] not in outcome.stderr + outcome.stdout


def test_dot_dot_escape_is_refused(tmp_path):
    (tmp_path / "secret.txt").write_text(f"the key is {SECRET}\n", encoding="utf-8")
    path = scenario(tmp_path / "s", source="../secret.txt", quote=SECRET[:9])
    outcome = validate(path)
    assert_source_refused(outcome, path, "--sources-root")
    assert SECRET[:4] not in outcome.stderr + outcome.stdout


def test_symlink_out_of_the_folder_is_refused(tmp_path):
    (tmp_path / "secret.txt").write_text(f"the key is {SECRET}\n", encoding="utf-8")
    path = scenario(tmp_path / "s", source="notes.txt", quote=SECRET[:9])
    (path.parent / "notes.txt").symlink_to(tmp_path / "secret.txt")
    outcome = validate(path)
    assert_source_refused(outcome, path, "outside")
    assert SECRET[:4] not in outcome.stderr + outcome.stdout


def test_symlinked_folder_inside_is_refused_too(tmp_path):
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "memo.txt").write_text(f"the key is {SECRET}\n", encoding="utf-8")
    path = scenario(tmp_path / "s", source="docs/memo.txt", quote=SECRET[:9])
    (path.parent / "docs").symlink_to(tmp_path / "private")
    outcome = validate(path)
    assert_source_refused(outcome, path, "outside")
    assert SECRET[:4] not in outcome.stderr + outcome.stdout


@pytest.mark.parametrize("guess", [SECRET[:1], SECRET[:5], SECRET[:9] + "?", "the key is K7"])
def test_secret_cannot_be_extracted_by_varying_the_quote(tmp_path, guess):
    """The issue's attack: vary the quote and read the hint. Nothing of the file comes back."""
    (tmp_path / "secret.txt").write_text(f"the key is {SECRET}\n", encoding="utf-8")
    path = scenario(tmp_path / "s", source="../secret.txt", quote=f'"{guess}"')
    outcome = validate(path)
    assert_source_refused(outcome, path, "outside")
    text = outcome.stderr + outcome.stdout
    assert SECRET not in text and "the key is" not in text.replace(guess, "")
    assert "closest passage" not in text


def test_sources_root_named_explicitly_is_read(tmp_path):
    library = tmp_path / "library"
    library.mkdir()
    shutil.copy(VALID / "memo.txt", library / "memo.txt")
    path = scenario(tmp_path / "s", source=str(library / "memo.txt"))
    refused = validate(path)
    assert_source_refused(refused, path, "outside")
    outcome = validate(path, "--sources-root", str(library))
    assert_clean_refusal(outcome, code=0)
    assert f"ok {path}" in outcome.stdout


def test_plot_reloads_the_scenario_with_the_sources_root_of_the_run(tmp_path):
    library = tmp_path / "library"
    library.mkdir()
    shutil.copy(VALID / "memo.txt", library / "memo.txt")
    path = scenario(tmp_path / "s", source=str(library / "memo.txt"))
    out = tmp_path / "results"
    made = run_bounded(
        ["run", str(path), "--sources-root", str(library), "--runs", "10", "--out", str(out)],
        cwd=tmp_path,
    )
    assert_clean_refusal(made, code=0)
    recorded = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["scenario"]
    assert recorded["sources_root"] == os.path.realpath(library)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    plotted = run_bounded(["plot", str(out)], cwd=elsewhere)
    assert_clean_refusal(plotted, code=0)
    assert "outside" not in plotted.stderr and "not found" not in plotted.stderr
    # --sources-root on plot overrides the recorded one: another folder does not admit the memo,
    # so the scenario does not load and the figures use ids (plot never echoes why a file named
    # by a manifest fails to load: that could print its content).
    other = tmp_path / "other"
    other.mkdir()
    fallback = run_bounded(["plot", str(out), "--sources-root", str(other)], cwd=elsewhere)
    assert_clean_refusal(fallback, code=0)
    assert "no longer loads" in fallback.stderr and "plots use ids" in fallback.stderr


def test_results_made_without_a_sources_root_record_none(tmp_path):
    path = scenario(tmp_path / "s")
    out = tmp_path / "results"
    assert_clean_refusal(run_bounded(["run", str(path), "--runs", "10", "--out", str(out)]), code=0)
    recorded = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["scenario"]
    assert "sources_root" not in recorded


# --- special files as sources ----------------------------------------------------------------


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_device_as_source_is_refused(tmp_path, device):
    """Outside the folder it is refused as such; under a root that allows it, as a device."""
    path = scenario(tmp_path / "s", source=device)
    assert_source_refused(validate(path), path, "outside")
    outcome = validate(path, "--sources-root", "/dev")
    assert_source_refused(outcome, path, "is a character device, not a regular file")


def test_fifo_as_source_is_refused_without_hanging(tmp_path):
    path = scenario(tmp_path / "s", source="pipe.txt")
    os.mkfifo(path.parent / "pipe.txt")
    outcome = validate(path)
    assert_source_refused(outcome, path, "is a FIFO (named pipe), not a regular file")


def test_directory_as_source_is_refused(tmp_path):
    path = scenario(tmp_path / "s", source="texts")
    (path.parent / "texts").mkdir()
    outcome = validate(path)
    assert_source_refused(outcome, path, "is a directory, not a regular file")


def test_oversize_source_is_refused(tmp_path):
    path = scenario(tmp_path / "s", source="big.txt")
    with open(path.parent / "big.txt", "wb") as handle:
        handle.truncate(5 * 1024 * 1024 + 1)  # sparse: costs no disk
    outcome = validate(path)
    assert_source_refused(outcome, path, "over the 5,242,880-byte limit")


# --- special files as the scenario itself ----------------------------------------------------


def assert_scenario_refused(outcome: Outcome, shown: str, contains: str) -> None:
    assert_clean_refusal(outcome, located=f"{shown}: ", contains=contains)
    assert outcome.stdout == ""
    quick(outcome)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_device_as_scenario_is_refused(device):
    outcome = run_bounded(["validate", device])
    assert_scenario_refused(outcome, device, "is a character device, not a scenario file")


def test_fifo_as_scenario_is_refused_without_hanging(tmp_path):
    os.mkfifo(tmp_path / "s.yaml")
    outcome = run_bounded(["validate", str(tmp_path / "s.yaml")])
    assert_scenario_refused(outcome, str(tmp_path / "s.yaml"), "is a FIFO (named pipe)")


def test_directory_as_scenario_is_refused(tmp_path):
    outcome = run_bounded(["validate", str(tmp_path)])
    assert_scenario_refused(outcome, str(tmp_path), "is a directory, not a scenario file")


def test_symlink_to_etc_passwd_as_scenario_is_refused(tmp_path):
    (tmp_path / "s.yaml").symlink_to("/etc/passwd")
    outcome = run_bounded(["validate", str(tmp_path / "s.yaml")])
    assert_scenario_refused(outcome, str(tmp_path / "s.yaml"), "outside")
    assert "root:" not in outcome.stderr


@pytest.mark.parametrize("command", [["run", "--runs", "10"], ["compare", "--runs", "10"]])
def test_other_commands_refuse_the_same_way(tmp_path, command):
    (tmp_path / "s.yaml").symlink_to("/dev/zero")
    outcome = run_bounded([command[0], str(tmp_path / "s.yaml"), *command[1:]], cwd=tmp_path)
    assert_scenario_refused(outcome, str(tmp_path / "s.yaml"), "outside")


# --- the closest-passage hint is bounded ------------------------------------------------------


def test_near_miss_quote_against_5_mib_source_is_quick(tmp_path):
    rng = random.Random(12)
    vocabulary = [
        "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 9))) for _ in range(5000)
    ]
    words = [rng.choice(vocabulary) for _ in range(780_000)]
    folder = tmp_path / "s"
    near = words[400_000:400_200]
    near[100] = "zzzzzzzz"  # one word changed: a near miss
    path = scenario(folder, source="big.txt", quote=" ".join(near))
    (folder / "big.txt").write_text(" ".join(words), encoding="utf-8")
    assert 4.5 * 1024 * 1024 < (folder / "big.txt").stat().st_size <= 5 * 1024 * 1024
    outcome = validate(path)
    assert_clean_refusal(
        outcome,
        located=f"{path}:{QUOTE_LINE}: actors.alpha.stances.treaty.evidence[0].quote: ",
        contains="quote not found in source 'memo' (big.txt)",
    )
    # The hint is kept: the passage with the one word changed back, found by the prefilter.
    assert "closest passage: " + repr(" ".join(words[400_000:400_200])) in outcome.stderr
    # About 1.7 s on an idle core, interpreter start included (over 60 s before); the bound
    # leaves room for a loaded machine, and the harness's 10 s is the hard limit.
    quick(outcome, seconds=8.0)


# --- the YAML parse is bounded by the file size -------------------------------------------------

# Parsing is pure Python (ruamel.yaml round-trip, for line numbers): 0.5-4 s per 100 KB by shape,
# so the 256 KiB limit bounds it to about 11 s; a realistic 15-actor x 13-issue scenario is 124 KB.
PARSE_BOUND = 20.0  # seconds, the documented ~11 s with room for a loaded test machine


def test_scenario_over_the_size_limit_is_refused_before_parsing(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("x: [" + "1, " * (SCENARIO_MAX_BYTES // 3) + "1]\n", encoding="utf-8")
    outcome = run_bounded(["validate", str(path)])
    assert_scenario_refused(outcome, str(path), "over the 262,144-byte limit")


def test_slowest_yaml_shape_at_the_size_limit_parses_within_the_bound(tmp_path):
    # A long flow sequence is the slowest shape the parser accepts (nesting near the depth limit
    # is slower but refused for its depth); at the limit it is parsed, then refused by the schema.
    path = tmp_path / "s.yaml"
    items = (SCENARIO_MAX_BYTES - 8) // 3
    path.write_text("x: [" + "1, " * items + "1]\n", encoding="utf-8")
    assert path.stat().st_size <= SCENARIO_MAX_BYTES
    outcome = run_bounded(["validate", str(path)], timeout=PARSE_BOUND)
    assert_clean_refusal(outcome, located=f"{path}:")
    assert "over the" not in outcome.stderr
    assert outcome.seconds < PARSE_BOUND
    assert outcome.peak_kib * 1024 < MEMORY_LIMIT // 4, outcome.peak_kib
