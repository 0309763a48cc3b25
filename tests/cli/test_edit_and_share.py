"""Edit, run, look: re-running an edited scenario replaces its results and says what changed;
results keep a copy of their scenario, so ``negosim plot`` draws names from any folder."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import matplotlib.text
import pytest

import negosim.plots.all as plots_all
from negosim.cli import main
from negosim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
SEED_NAME = "nato_russia_missile_defence_2012.yaml"
QUOTA_NAME = "two_state_fishing_quota.yaml"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with a copy of the shipped scenarios, to edit."""
    work = tmp_path / "work"
    shutil.copytree(SCENARIOS, work / "scenarios")
    monkeypatch.chdir(work)
    return work


def _edit(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


def test_an_edited_scenario_replaces_its_results_and_says_what_changed(here, capsys):
    quota = Path("scenarios") / QUOTA_NAME
    run = ["run", str(quota), "--runs", "20", "--out", "res"]
    assert main(run) == 0
    before = _sha(quota)
    _edit(quota)
    after = _sha(quota)
    capsys.readouterr()
    assert main(run) == 0
    err = capsys.readouterr().err
    line = (
        "replacing the results in res: scenario 'two_state_fishing_quota' changed, "
        f"sha256 {before[:12]}... -> {after[:12]}..."
    )
    assert line in err.splitlines()
    manifest = json.loads(Path("res/manifest.json").read_text())
    assert manifest["scenario"]["sha256"] == after
    assert Path("res/scenario", QUOTA_NAME).read_bytes() == quota.read_bytes()
    # Another scenario altogether into the same folder: replaced too, naming both.
    seed = Path("scenarios") / SEED_NAME
    assert main(["run", str(seed), "--runs", "20", "--out", "res"]) == 0
    err = capsys.readouterr().err
    assert (
        f"replacing the results in res: scenario 'two_state_fishing_quota' (sha256 "
        f"{after[:12]}...) -> 'nato_russia_missile_defence_2012' (sha256 {_sha(seed)[:12]}...)"
    ) in err
    assert sorted(p.name for p in Path("res/scenario").iterdir()) == [SEED_NAME, "sources"]
    # The same scenario again is no replacement: nothing is said.
    assert main(["run", str(seed), "--runs", "20", "--out", "res"]) == 0
    assert "replacing" not in capsys.readouterr().err


def test_an_edited_scenario_replaces_its_sweep(here, capsys):
    quota = Path("scenarios") / QUOTA_NAME
    sweep = ["sweep", str(quota), "--vary", "actors.northland.fallback.value=0.3,0.5"]
    sweep += ["--runs", "20", "--seed", "1", "--out", "sw"]
    assert main(sweep) == 0
    before = _sha(quota)
    # A real edit (not a comment), so the sweep is another one.
    text = quota.read_text(encoding="utf-8")
    assert "seed: 7" in text
    quota.write_text(text.replace("seed: 7", "seed: 8"), encoding="utf-8")
    capsys.readouterr()
    assert main(sweep) == 0
    err = capsys.readouterr().err
    assert (
        f"replacing the results in sw: scenario 'two_state_fishing_quota' changed, sha256 "
        f"{before[:12]}... -> {_sha(quota)[:12]}..."
    ) in err
    manifest = json.loads(Path("sw/manifest.json").read_text())
    assert manifest["scenario"]["sha256"] == _sha(quota) and manifest["complete"]
    journal = Path("sw/blocks.jsonl").read_text().splitlines()
    assert len(journal) == 2  # the new sweep's two blocks, nothing of the old one
    # The same scenario with other settings is still refused: that is another sweep.
    other = [*sweep[:-4], "--seed", "2", "--out", "sw"]
    assert main(other) == 2
    assert "sw holds a different sweep" in capsys.readouterr().err


def _record_texts(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every text artist of each figure ``negosim plot`` saves, in order."""
    figures: list[list[str]] = []
    original = plots_all.save_figure

    def save(ax, path):
        texts = [t.get_text() for t in ax.figure.findobj(matplotlib.text.Text) if t.get_text()]
        figures.append(texts)
        return original(ax, path)

    monkeypatch.setattr(plots_all, "save_figure", save)
    return figures


def test_plot_from_another_folder_draws_names_from_the_kept_copy(
    here, tmp_path, monkeypatch, capsys
):
    seed = Path("scenarios") / SEED_NAME
    assert main(["run", str(seed), "--runs", "30", "--out", "res"]) == 0
    manifest = json.loads(Path("res/manifest.json").read_text())
    scenario = load_scenario(seed)
    # The manifest lists each source with the SHA-256 of its file.
    for source_id, source in scenario.sources.items():
        entry = manifest["scenario"]["sources"][source_id]
        assert entry["sha256"] == _sha(seed.parent / source.file) and entry["copied"]
    # Shared: the folder goes elsewhere and the scenario files are gone.
    shared = tmp_path / "elsewhere" / "res"
    shutil.copytree("res", shared)
    shutil.rmtree("scenarios")
    away = tmp_path / "another"
    away.mkdir()
    monkeypatch.chdir(away)
    figures = _record_texts(monkeypatch)
    capsys.readouterr()
    assert main(["plot", "../elsewhere/res"]) == 0
    printed = capsys.readouterr()
    assert "note:" not in printed.err  # no "plots use ids"
    assert figures
    texts = [t for figure in figures for t in figure]
    guarantees = scenario.issues["guarantees"]
    assert any(guarantees.label in t for t in texts)
    assert any(option.label in t for option in guarantees.options.values() for t in texts)
    first = next(iter(scenario.sources.values()))
    assert any(t.startswith("Sources: ") and first.outlet in t for t in texts)
    assert "guarantees" not in texts  # the id alone is not a label


def test_plot_without_the_copy_or_the_file_says_so_and_uses_ids(
    here, tmp_path, monkeypatch, capsys
):
    seed = Path("scenarios") / SEED_NAME
    assert main(["run", str(seed), "--runs", "30", "--out", "res"]) == 0
    manifest = json.loads(Path("res/manifest.json").read_text())
    # A manifest may come from anyone: a copy path that leaves the folder is not followed.
    manifest["scenario"]["copy"] = f"scenario/../../scenarios/{SEED_NAME}"
    Path("res/manifest.json").write_text(json.dumps(manifest))
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main(["plot", str(here / "res")]) == 0
    err = capsys.readouterr().err
    assert f"note: scenario file 'scenarios/{SEED_NAME}' not found; plots use ids" in err


def test_a_tampered_copy_is_never_echoed_and_the_named_file_is_used(here, capsys):
    seed = Path("scenarios") / SEED_NAME
    assert main(["run", str(seed), "--runs", "30", "--out", "res"]) == 0
    Path("res/scenario", SEED_NAME).write_text("metadata: hunter2-SECRET\n")
    capsys.readouterr()
    assert main(["plot", "res", "-v"]) == 0
    printed = capsys.readouterr()
    assert "hunter2" not in printed.out + printed.err
    # The copy no longer matches the manifest's SHA-256: the file it names (still here) is used.
    assert f"scenario reloaded from {seed}" in printed.err
