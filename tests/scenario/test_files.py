"""Reading user files: only regular files inside the allowed folders, never more than the limit."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from negosim import ScenarioError, load_scenario
from negosim.scenario.files import FileRefused, read_user_file
from negosim.scenario.provenance import HINT_BUDGET, closest_passage
from negosim.scenario.schema import Calendar

VALID = Path(__file__).parent / "fixtures" / "valid"


def test_a_regular_file_inside_the_root_is_read(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"hello")
    assert read_user_file(tmp_path / "a.txt", roots=[tmp_path], limit=5) == b"hello"


def test_the_limit_is_exact(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"hello!")
    with pytest.raises(FileRefused, match="6 bytes, over the 5-byte limit") as exc:
        read_user_file(tmp_path / "a.txt", roots=[tmp_path], limit=5)
    assert exc.value.reason == "size"


def test_a_file_that_claims_size_zero_is_read_only_to_the_limit():
    """/proc files report st_size 0 whatever they hold: the read itself is bounded."""
    assert os.stat("/proc/self/status").st_size == 0
    with pytest.raises(FileRefused, match="over the 10-byte limit") as exc:
        read_user_file("/proc/self/status", roots=["/proc"], limit=10)
    assert exc.value.reason == "size"


def test_outside_is_refused_before_the_target_is_looked_at(tmp_path):
    """A missing file outside the root is 'outside', not 'missing': no probing for existence."""
    inside = tmp_path / "in"
    inside.mkdir()
    for target in (tmp_path / "secret.txt", tmp_path / "nonexistent.txt"):
        with pytest.raises(FileRefused) as exc:
            read_user_file(inside / ".." / target.name, roots=[inside], limit=100)
        assert exc.value.reason == "outside"


def test_a_fifo_swapped_in_after_the_check_is_refused_without_blocking(tmp_path, monkeypatch):
    """The race: stat sees a regular file, then a FIFO is opened. The open descriptor is checked
    (O_NONBLOCK keeps the open itself from waiting for a writer)."""
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "plain").write_bytes(b"x")
    real_stat = os.stat
    monkeypatch.setattr(
        os,
        "stat",
        lambda path, *a, **k: (
            real_stat(tmp_path / "plain") if "pipe" in str(path) else real_stat(path, *a, **k)
        ),
    )
    with pytest.raises(FileRefused, match="changed while it was being opened"):
        read_user_file(tmp_path / "pipe", roots=[tmp_path], limit=100)


def _scenario(folder: Path, source: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = (VALID / "minimal.yaml").read_text(encoding="utf-8")
    path = folder / "s.yaml"
    path.write_text(text.replace("file: memo.txt", f"file: {source}"), encoding="utf-8")
    return path


def test_sources_root_allows_a_shared_library(tmp_path):
    library = tmp_path / "library"
    library.mkdir()
    shutil.copy(VALID / "memo.txt", library / "memo.txt")
    path = _scenario(tmp_path / "scenarios", "../library/memo.txt")
    with pytest.raises(ScenarioError, match="lies outside"):
        load_scenario(path)
    scenario = load_scenario(path, sources_root=library)
    assert "Alpha wants" in scenario.source_texts["memo"]


def test_scenario_symlink_inside_its_folder_is_followed(tmp_path):
    shutil.copy(VALID / "memo.txt", tmp_path / "memo.txt")
    shutil.copy(VALID / "minimal.yaml", tmp_path / "real.yaml")
    (tmp_path / "link.yaml").symlink_to("real.yaml")
    assert load_scenario(tmp_path / "link.yaml").metadata.id == "minimal"


def test_round_dates_near_the_end_of_time_do_not_overflow():
    calendar = Calendar(start=dt.date(9000, 1, 1), end=dt.date(9999, 12, 31), round_length="520w")
    dates = calendar.round_dates()
    assert dates[0] == dt.date(9000, 1, 1) and dates[-1] <= dt.date(9999, 12, 31)
    assert len(dates) == (dt.date(9999, 12, 31) - dt.date(9000, 1, 1)).days // 3640 + 1


def test_closest_passage_stays_within_its_budget():
    words = [f"w{i % 997}" for i in range(200_000)]
    quote = " ".join(words[5000:5040]).replace("w15 ", "x15 ", 1)
    passage, ratio, spent = closest_passage(quote, " ".join(words), budget=HINT_BUDGET)
    assert spent <= HINT_BUDGET
    assert ratio > 0.9 and passage.split(" ")[1:] == quote.split(" ")[1:]
    assert closest_passage(quote, " ".join(words), budget=10) == ("", 0.0, 0)


def test_a_file_opened_outside_the_roots_is_refused_by_the_kernels_account(tmp_path, monkeypatch):
    """A parent folder swapped for a symlink between resolving and opening: simulated by
    resolving against one folder and letting the open land in another (review finding)."""
    import negosim.scenario.files as files

    inside = tmp_path / "inside"
    outside = tmp_path / "outside"
    inside.mkdir()
    outside.mkdir()
    (inside / "memo.txt").write_text("harmless")
    (outside / "memo.txt").write_text("secret")

    def elsewhere(path):  # the race: after resolving, the folder points elsewhere
        return str(path).replace(str(inside), str(outside))

    class SwappedOs:  # this module's view of os only; everything else sees the real one
        def __getattr__(self, name):
            return getattr(os, name)

        def open(self, path, flags, *args):
            return os.open(elsewhere(path), flags, *args)

        def stat(self, path, **kwargs):
            return os.stat(elsewhere(path), **kwargs)

    monkeypatch.setattr(files, "os", SwappedOs())
    with pytest.raises(files.FileRefused, match="changed while it was being opened"):
        files.read_user_file(inside / "memo.txt", roots=[inside], limit=1000)
