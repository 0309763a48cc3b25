"""Shared fixtures: small simulations of the seed scenario and a sweep built from simulate calls."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from negosim import load_scenario, simulate

from .helpers import FALLBACK, QUOTA, SALIENCE, SEED, sweep_by_hand


@pytest.fixture(scope="session")
def scenario():
    return load_scenario(SEED)


@pytest.fixture(scope="session")
def quota():
    return load_scenario(QUOTA)


@pytest.fixture(scope="session")
def results(scenario):
    return simulate(scenario, runs=300, seed=3, trajectories=True)


@pytest.fixture(scope="session")
def swept(scenario):
    grid = {FALLBACK: [0.4, 0.55, 0.7], SALIENCE: [0.5, 0.9]}
    return sweep_by_hand(scenario, grid, runs=60, seed=2)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
