"""The utility kernels of :mod:`negosim.core.utility` agree with each other where the engine
relies on it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from negosim import load_scenario
from negosim.core import utility
from negosim.core.compiled import compile_scenario

SEED = Path(__file__).resolve().parents[2] / "scenarios" / "nato_russia_missile_defence_2012.yaml"


@pytest.fixture(scope="module")
def compiled():
    return compile_scenario(load_scenario(SEED))


def _inputs(compiled, R: int, seed: int):
    rng = np.random.default_rng(seed)
    A = compiled.n_actors
    utilities = [rng.random((R, A, len(v))) for v in compiled.option_values]
    salience = rng.random((R, A, len(compiled.issue_ids)))
    salience[0] = 0.0  # a replicate where nobody cares: equal weights
    return utilities, salience


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_combination_is_valued_exactly_as_in_the_whole_grid(compiled, seed):
    """The settled package's utility (computed alone at the end of a run) is bit for bit the
    entry of the full grid the rounds used."""
    utilities, salience = _inputs(compiled, 200, seed)
    rng = np.random.default_rng(seed + 10)
    for package in compiled.packages:
        grid = utility.package_utility(package, utilities, salience)  # (R, A, C)
        combo = rng.integers(0, len(package.combos), size=200)
        alone = utility.combination_utility(package, utilities, salience, combo)
        np.testing.assert_array_equal(alone, grid[np.arange(200), :, combo])


def test_grid_follows_the_product_order_of_the_options(compiled):
    """Combination c of a package is the c-th element of the Cartesian product of its issues'
    options (row-major), valued as the salience-weighted mean of the option utilities."""
    utilities, salience = _inputs(compiled, 5, 3)
    package = compiled.packages[0]
    grid = utility.package_utility(package, utilities, salience)
    r, a = 4, 1
    w = salience[r, a, list(package.issues)]
    w = w / w.sum()
    for c, options in enumerate(package.combos):
        expected = sum(w[j] * utilities[i][r, a, options[j]] for j, i in enumerate(package.issues))
        assert grid[r, a, c] == pytest.approx(expected, rel=1e-12)


def test_effective_utility_in_place_equals_a_copy(compiled):
    utilities, salience = _inputs(compiled, 50, 4)
    package = compiled.packages[0]
    reservation = np.random.default_rng(5).random((50, compiled.n_actors))
    ratify = np.linspace(0.0, 1.0, 50)
    u = utility.package_utility(package, utilities, salience)
    copied = utility.effective_utility(package, u, reservation, ratify)
    assert not np.isinf(u).any()  # the copy left its input alone
    in_place = utility.effective_utility(package, u, reservation, ratify, in_place=True)
    assert in_place is u
    np.testing.assert_array_equal(in_place, copied)
    # Red lines and the no-deal combination are off the table; ratified options are discounted.
    assert np.isneginf(copied[:, :, package.no_deal]).all()
    for a in range(compiled.n_actors):
        assert np.isneginf(copied[:, a, ~package.allowed[a]]).all()
