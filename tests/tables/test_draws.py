"""draws.parquet: one row per run, one column per sampled input, checked against the scenario
file (read here with a plain YAML parser) and against what the engine did in the same runs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from ruamel.yaml import YAML

import negosim
from negosim.errors import UsageError
from negosim.simulation.stream import run_to_folder

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"
DEAL = ROOT / "tests" / "cli" / "deal.yaml"


def _yaml(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def seed_folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("draws") / "seed"
    run_to_folder(negosim.load_scenario(SEED), out, runs=300, block_size=100)
    return out


def test_one_row_per_run_listed_in_the_manifest(seed_folder):
    draws = negosim.load_draws(seed_folder)
    runs = negosim.load_results(seed_folder).runs
    assert list(draws["run"]) == list(range(300))
    assert set(runs["run"]) == set(draws["run"])
    files = json.loads((seed_folder / "manifest.json").read_text())["files"]
    assert files["draws.parquet"]["rows"] == 300


def test_numbers_lie_in_the_ranges_the_file_declares(seed_folder):
    doc = _yaml(SEED)
    draws = negosim.load_draws(seed_folder)
    low, high = doc["actors"]["russia"]["fallback"]["value"]["uniform"]
    value = draws["actors.russia.fallback.value"]
    assert value.between(low, high).all() and value.std() > 0
    low, high = doc["actors"]["russia"]["stances"]["guarantees"]["utilities"]["political"][
        "uniform"
    ]
    assert draws["actors.russia.stances.guarantees.utilities.political"].between(low, high).all()
    low, _, high = doc["actors"]["nato"]["capability"]["triangular"]
    assert draws["actors.nato.capability"].between(low, high).all()


def test_constant_inputs_are_left_out(seed_folder):
    doc = _yaml(SEED)
    columns = set(negosim.load_draws(seed_folder).columns)
    assert doc["actors"]["nato"]["behaviour"]["risk"] == 0.0
    assert "actors.nato.behaviour.risk" not in columns
    assert doc["actors"]["russia"]["stances"]["guarantees"]["utilities"]["legal"] == 1.0
    assert "actors.russia.stances.guarantees.utilities.legal" not in columns
    # An event with no probability and no condition always happens.
    assert "probability" not in doc["events"]["stavridis_in_moscow"]
    assert "events.stavridis_in_moscow.happens" not in columns
    assert "protocol.proposer" not in columns


def test_events_and_the_head_they_install(seed_folder):
    doc = _yaml(SEED)
    draws = negosim.load_draws(seed_folder)
    outcome = draws["events.election.outcome"]
    assert set(outcome.dropna()) <= set(doc["events"]["election"]["outcomes"])
    assert outcome.notna().all()  # the election has no probability: it always happens
    putin = outcome == "putin_wins"
    # The scenario: Putin is inaugurated on 7 May iff he wins; the head then is the official
    # installed by the inauguration that happened, still in office at the Chicago deadline.
    assert doc["events"]["inauguration_putin"]["condition"]["outcome"] == "putin_wins"
    assert (draws["events.inauguration_putin.happens"] == putin).all()
    assert (draws["events.inauguration_other.happens"] == ~putin).all()
    head = draws["authority.russia.chicago"]
    assert (head[putin] == "putin").all() and (head[~putin] == "other_president").all()
    # The outcome's weights are uniform [0.85, 0.97] and [0.03, 0.15]: P(Putin) is about 0.91.
    assert 0.85 < putin.mean() < 0.97


def test_draws_line_up_with_what_the_engine_did(tmp_path):
    # deal.yaml: Alpha's only deal is worth 0.5 to it, and its fallback is uniform on [0, 1]; a
    # rational Alpha agrees only when the deal is worth more than walking away.
    out = tmp_path / "deal"
    run_to_folder(negosim.load_scenario(DEAL), out, runs=400, block_size=100)
    per_run = negosim.load_results(out).runs.drop_duplicates("run")
    merged = per_run.merge(negosim.load_draws(out), on="run")
    agreed = merged["run_end_reason"] == "agreement"
    below = merged["actors.alpha.fallback.value"] < 0.5
    assert (agreed == below).mean() > 0.97


def test_a_block_draws_the_same_in_any_run_size(tmp_path):
    # Draws come from (seed, block) only: the first two blocks of a 300-run run are a 200-run run.
    scenario = negosim.load_scenario(SEED)
    run_to_folder(scenario, tmp_path / "a", runs=300, block_size=100)
    run_to_folder(scenario, tmp_path / "b", runs=200, block_size=100)
    a, b = negosim.load_draws(tmp_path / "a"), negosim.load_draws(tmp_path / "b")
    pd.testing.assert_frame_equal(a.iloc[:200].reset_index(drop=True), b)


def test_rerun_into_the_same_folder_gives_the_same_bytes(tmp_path, seed_folder):
    out = tmp_path / "again"
    run_to_folder(negosim.load_scenario(SEED), out, runs=300, block_size=100)
    first = (out / "draws.parquet").read_bytes()
    run_to_folder(negosim.load_scenario(SEED), out, runs=300, block_size=100)
    assert (out / "draws.parquet").read_bytes() == first
    assert first == (seed_folder / "draws.parquet").read_bytes()


def test_a_damaged_or_missing_draws_file_is_refused(tmp_path):
    out = tmp_path / "damaged"
    run_to_folder(negosim.load_scenario(DEAL), out, runs=100)
    path = out / "draws.parquet"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(UsageError, match="damaged or replaced"):
        negosim.load_draws(out)
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["files"]["draws.parquet"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(UsageError, match=r"lists no draws\.parquet"):
        negosim.load_draws(out)
    with pytest.raises(UsageError, match=r"no manifest\.json"):
        negosim.load_draws(tmp_path)


def test_a_sweep_has_draws_per_design_point(tmp_path):
    scenario = negosim.load_scenario(SEED)
    grid = {"actors.russia.fallback.value": [0.4, 0.6], "actors.nato.behaviour.risk": [0.0, 0.2]}
    results = negosim.sweep(scenario, grid, runs=100, out=tmp_path / "sweep")
    draws = negosim.load_draws(tmp_path / "sweep")
    assert list(draws.columns[:2]) == ["point", "run"]
    assert len(draws) == 4 * 100
    by_point = draws.groupby("point")
    for point, row in results.design.iterrows():
        # A factor's value holds in every run of its point, a sampled one (the fallback) and a
        # constant one (NATO's risk, 0.0 in the file) alike.
        for factor in grid:
            assert (by_point.get_group(point)[factor] == row[factor]).all()
    # Inputs the factors leave alone are paired across points (common random numbers).
    salience = draws.pivot(index="run", columns="point", values="actors.nato.capability")
    assert (salience.nunique(axis=1) == 1).all()
