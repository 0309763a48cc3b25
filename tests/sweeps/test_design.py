"""Designs, --vary parsing, overrides by dotted path, and common random numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from negosim import UsageError, load_scenario
from negosim.core.compiled import compile_scenario
from negosim.core.sampling import block_seed, sample_block
from negosim.scenario import apply_overrides
from negosim.sweeps import Grid, LatinHypercube, as_function, parse_vary

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"


def test_grid_is_full_factorial():
    table = Grid({"a": [1, 2], "b": [10, 20, 30]}).table()
    assert len(table) == 6
    assert table.iloc[0].tolist() == [1, 10] and table.iloc[-1].tolist() == [2, 30]


def test_latin_hypercube_uses_each_stratum_once():
    table = LatinHypercube({"x": (0.0, 1.0), "y": (10.0, 20.0)}, n=8, seed=3).table()
    for column, (low, high) in {"x": (0.0, 1.0), "y": (10.0, 20.0)}.items():
        strata = np.floor((table[column] - low) / (high - low) * 8).astype(int)
        assert sorted(strata) == list(range(8))
    again = LatinHypercube({"x": (0.0, 1.0), "y": (10.0, 20.0)}, n=8, seed=3).table()
    assert table.equals(again)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("a.b=0:1:3", ("a.b", [0.0, 0.5, 1.0])),
        ("a.b=0.2,0.4", ("a.b", [0.2, 0.4])),
        ("a.b=political,legal", ("a.b", ["political", "legal"])),
        ("a.b=3", ("a.b", [3])),
    ],
)
def test_parse_vary(spec, expected):
    assert parse_vary(spec) == expected


@pytest.mark.parametrize(
    ("spec", "written"),
    [
        ("a=0.3:0.7:5", ["0.3", "0.4", "0.5", "0.6", "0.7"]),
        ("a=0.1:0.9:9", ["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"]),
        ("a=-0.2:0.2:5", ["-0.2", "-0.1", "0", "0.1", "0.2"]),
        ("a=0.45:0.45:1", ["0.45"]),
    ],
)
def test_range_levels_are_the_decimals_shown(spec, written):
    # Binary steps give 0.39999999999999997 for the second level of 0.3:0.7:5; each level must be
    # the float of the decimal a user reads, so that ``table[path] == 0.4`` finds its rows.
    _, levels = parse_vary(spec)
    assert levels == [float(w) for w in written]
    assert [repr(v) for v in levels] == [repr(float(w)) for w in written]


@pytest.mark.parametrize(
    "spec", ["a.b", "=1,2", "a.b=1:2", "a.b=x:y:3", "a.b=0:1:0", "a.b=nan:1:3", "a.b=0:1e999:3"]
)
def test_parse_vary_rejects(spec):
    with pytest.raises(UsageError):
        parse_vary(spec)


def test_unknown_override_path_names_nearest_valid():
    scenario = load_scenario(SEED)
    with pytest.raises(UsageError) as exc:
        apply_overrides(scenario, {"actors.russia.salince.guarantees": 0.9})
    assert "unknown scenario path 'actors.russia.salince.guarantees'" in str(exc.value)
    assert "actors.russia.stances.guarantees.salience" in str(exc.value)


def test_shorthand_and_canonical_paths_agree():
    scenario = load_scenario(SEED)
    a = apply_overrides(scenario, {"actors.russia.salience.guarantees": 0.9})
    b = apply_overrides(scenario, {"actors.russia.stances.guarantees.salience": 0.9})
    assert a == b
    assert a.actors["russia"].stances["guarantees"].salience == 0.9
    assert scenario.actors["russia"].stances["guarantees"].salience != 0.9  # original untouched


def test_common_random_numbers_across_design_points():
    """Changing one input leaves every other sampling site's draws as they were."""
    scenario = load_scenario(SEED)
    changed = apply_overrides(scenario, {"actors.russia.fallback.value": 0.5})
    a = sample_block(compile_scenario(scenario), block_seed(3, 0), 200)
    b = sample_block(compile_scenario(changed), block_seed(3, 0), 200)
    assert np.array_equal(a.capability, b.capability)
    assert np.array_equal(a.salience, b.salience)
    assert np.array_equal(a.proposer_draw, b.proposer_draw)
    assert np.array_equal(a.outcome, b.outcome)
    russia = list(scenario.actors).index("russia")
    assert np.all(b.fallback_value[:, russia] == 0.5)
    assert not np.array_equal(a.fallback_value[:, russia], b.fallback_value[:, russia])


def test_as_function_gives_plain_numbers():
    scenario = load_scenario(SEED)
    f = as_function(scenario, ["agreement", "guarantees=political", "fallback:russia"], runs=200)
    low = f(seed=1, **{"actors.russia.fallback.value": 0.3})
    high = f(seed=1, actors__russia__fallback__value=0.75)
    assert set(low) == {"agreement", "guarantees=political", "fallback:russia"}
    assert all(isinstance(v, float) for v in low.values())
    # A better fallback for Russia can only make agreement less likely (same seed: paired).
    assert high["agreement"] <= low["agreement"]
    assert high["fallback:russia"] == pytest.approx(1 - high["agreement"])
