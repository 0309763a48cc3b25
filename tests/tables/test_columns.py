"""The documented column schema is what a simulation writes, name for name and dtype for dtype."""

from __future__ import annotations

from pathlib import Path

import pytest

from negosim import load_scenario, simulate
from negosim.tables.columns import (
    RUNS_COLUMNS,
    TRAJECTORY_COLUMNS,
    expected_columns,
    trajectory_variables,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def seed_results():
    scenario = load_scenario(ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml")
    return scenario, simulate(scenario, runs=4, seed=1, trajectories=True)


def _ids(scenario):
    return {
        "actors": list(scenario.actors),
        "packages": list(dict.fromkeys(i.package for i in scenario.issues.values())),
        "issues": list(scenario.issues),
    }


def test_runs_columns_match_a_simulation(seed_results):
    scenario, results = seed_results
    actual = {str(c): str(t) for c, t in results.runs.dtypes.items()}
    assert actual == expected_columns(RUNS_COLUMNS, **_ids(scenario))
    assert list(actual) == list(expected_columns(RUNS_COLUMNS, **_ids(scenario)))


def test_trajectory_columns_match_a_simulation(seed_results):
    scenario, results = seed_results
    actual = {str(c): str(t) for c, t in results.trajectories.dtypes.items()}
    assert list(actual.items()) == list(
        expected_columns(TRAJECTORY_COLUMNS, **_ids(scenario)).items()
    )
    ids = _ids(scenario)
    assert trajectory_variables(results.trajectories) == [
        *(f"aspiration_{p}" for p in ids["packages"]),
        *(f"ideal_{i}" for i in ids["issues"]),
    ]
    assert trajectory_variables(None) == []


def test_a_forecasting_model_writes_the_same_runs_columns():
    scenario = load_scenario(ROOT / "scenarios" / "two_state_fishing_quota.yaml")
    runs = simulate(scenario, runs=3, seed=1, model="nash").runs
    actual = {str(c): str(t) for c, t in runs.dtypes.items()}
    assert actual == expected_columns(RUNS_COLUMNS, **_ids(scenario))


def test_every_column_has_a_meaning():
    for column in (*RUNS_COLUMNS, *TRAJECTORY_COLUMNS):
        assert column.meaning and column.dtype, column.name
