"""Every registered decision model passes the shipped contract
(:func:`negosim.models.contract.check_decision_model`); then what the contract cannot know: the
shipped scenarios, and each model's own promises."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from negosim import UsageError, load_scenario, load_scenario_text, simulate
from negosim.core.status import Status
from negosim.models.contract import check_decision_model
from negosim.models.registry import get_model, model_names

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"
QUOTA = ROOT / "scenarios" / "two_state_fishing_quota.yaml"


@pytest.fixture(scope="module")
def seed_scenario():
    return load_scenario(SEED)


@pytest.mark.parametrize("name", model_names())
def test_every_registered_model_passes_the_contract(name):
    passed = check_decision_model(get_model(name))
    assert {"declarations", "pickling", "reproducibility", "ordinal issue"} <= set(passed)


@pytest.mark.parametrize("name", model_names())
def test_the_registry_finds_each_model_by_its_name(name):
    assert get_model(name).name == name


@pytest.mark.parametrize("name", model_names())
@pytest.mark.parametrize("path", [SEED, QUOTA], ids=["seed", "quota"])
def test_seeded_runs_on_the_shipped_scenarios_are_reproducible(name, path):
    scenario = load_scenario(path)
    a = simulate(scenario, runs=120, seed=5, model=name, block_size=50)
    b = simulate(scenario, runs=120, seed=5, model=name, block_size=50)
    pd.testing.assert_frame_equal(a.runs, b.runs)
    assert a.runs["run"].nunique() == 120
    assert a.manifest["model"]["name"] == name


@pytest.mark.parametrize("name", model_names())
def test_model_objects_pickle(name, seed_scenario):
    model = get_model(name)(seed_scenario)
    clone = pickle.loads(pickle.dumps(model))
    assert clone.options == model.options and clone.name == name


def _nominal_scenario():
    return load_scenario(Path(__file__).resolve().parent / "fixtures" / "nominal_venue.yaml")


@pytest.mark.parametrize("name", model_names())
def test_unsupported_issue_kinds_are_refused_before_running(name):
    scenario = _nominal_scenario()
    cls = get_model(name)
    if "nominal" in cls.supports.issue_kinds:
        assert simulate(scenario, runs=10, seed=1, model=name).runs["outcome"].notna().all()
    else:
        with pytest.raises(UsageError, match=f"model '{name}' cannot handle nominal issues"):
            simulate(scenario, runs=10, seed=1, model=name)


def test_nash_picks_the_weighted_nash_product_maximum():
    """Two actors at 100 and 0 on five options, fallbacks worth 0. Equal clout: the middle option
    (0.5 x 0.5 beats 0.25 x 0.75). A three times B's clout (weights 3/4, 1/4): option 75, since
    0.75 ln 0.75 + 0.25 ln 0.25 = -0.562 beats ln 0.5 = -0.693 (option 50)."""

    def scenario(cap_a: float):
        doc = {
            "schema_version": 1,
            "metadata": {"id": "split", "title": "Split"},
            "calendar": {"start": "2020-01-01", "end": "2020-02-01"},
            "issues": {
                "x": {
                    "label": "X",
                    "kind": "ordinal",
                    "status_quo": "o0",
                    "options": {
                        f"o{v}": {"label": str(v), "value": v} for v in (0, 25, 50, 75, 100)
                    },
                }
            },
            "actors": {
                name: {
                    "name": name,
                    "kind": "state",
                    "capability": cap,
                    "stances": {"x": {"position": pos, "salience": 1.0, "assumption": "Test."}},
                    "fallback": {"description": "N", "value": 0.0, "assumption": "Test."},
                    "behaviour": {"assumption": "Test."},
                }
                for name, cap, pos in (("a", cap_a, "o100"), ("b", 1.0, "o0"))
            },
        }
        return load_scenario_text(json.dumps(doc))

    assert set(simulate(scenario(1.0), runs=5, seed=1, model="nash").runs["outcome"]) == {"o50"}
    assert set(simulate(scenario(3.0), runs=5, seed=1, model="nash").runs["outcome"]) == {"o75"}


@pytest.mark.parametrize("name", model_names())
def test_blocks_are_fixed_whatever_order_they_run_in(name, seed_scenario):
    """A block's results depend on (seed, block) only: played in reverse order, one at a time,
    they give exactly the frame of one simulate call."""
    from negosim.core.frames import runs_frame

    model = get_model(name)(seed_scenario)
    compiled = model.compile()
    frames = [
        runs_frame(
            compiled,
            model.run_block(compiled, master_seed=9, block=block, n=40, first_run=40 * block),
            9,
        )
        for block in (2, 1, 0)
    ]
    reordered = pd.concat(frames[::-1], ignore_index=True)
    expected = simulate(seed_scenario, runs=120, seed=9, model=name, block_size=40).runs
    pd.testing.assert_frame_equal(reordered, expected)


@pytest.mark.parametrize("name", model_names())
def test_block_result_shapes(name, seed_scenario):
    model = get_model(name)(seed_scenario)
    compiled = model.compile()
    result = model.run_block(compiled, master_seed=1, block=0, n=25, first_run=0)
    K, R, A = len(compiled.packages), 25, compiled.n_actors
    assert result.status.shape == result.end_round.shape == result.combo.shape == (K, R)
    assert result.utility.shape == (K, R, A) and result.fallback.shape == (A, R)
    assert np.isfinite(result.utility).all()
    assert ((0 <= result.end_round) & (result.end_round < compiled.n_rounds)).all()
    for k, package in enumerate(compiled.packages):
        assert ((0 <= result.combo[k]) & (result.combo[k] < len(package.combos))).all()
    if not model.supports.deadlines:  # a forecast, dated at the end of the talks
        assert (result.end_round == compiled.n_rounds - 1).all()
        assert set(np.unique(result.status)) <= {Status.FORECAST, Status.BREAKDOWN}


@pytest.mark.parametrize("name", model_names())
def test_unknown_parameters_are_refused(name, seed_scenario):
    with pytest.raises(UsageError, match=f"model '{name}' has no parameter 'bogus'"):
        get_model(name)(seed_scenario, bogus=1)


@pytest.mark.parametrize(
    ("name", "parameters", "message"),
    [
        ("expected_utility", {"conflict": "war"}, "parameter 'conflict' must be one of"),
        ("expected_utility", {"forecast": "mode"}, "parameter 'forecast' must be one of"),
        ("expected_utility", {"q": 1.5}, r"q must be in \[0, 1\]"),
        ("expected_utility", {"max_rounds": -1}, "max_rounds must be from 0 to 1000"),
        ("exchange", {"max_rounds": "3"}, "parameter 'max_rounds' must be int"),
        ("exchange", {"max_rounds": -1}, "max_rounds must be from 0 to 1000"),
    ],
)
def test_bad_parameter_values_are_refused(name, parameters, message, seed_scenario):
    with pytest.raises(UsageError, match=message):
        get_model(name)(seed_scenario, **parameters)


def _without(scenario, **fields):
    """The scenario with some top-level sections emptied (validated fields, nothing else)."""
    return scenario.model_copy(update=fields)


@pytest.mark.parametrize("name", model_names())
def test_a_model_without_events_or_deadlines_ignores_them(name, seed_scenario):
    """``supports.events = False`` and ``supports.deadlines = False`` are promises: the model's
    outcomes do not change when the scenario's events or deadlines are taken away."""
    cls = get_model(name)
    if cls.supports.events and cls.supports.deadlines:
        pytest.skip(f"{name} uses the calendar")
    base = simulate(seed_scenario, runs=60, seed=4, model=name).runs
    columns = ["run", "issue", "outcome", "value", "agreed", "end_reason"]
    columns += [c for c in base if c.startswith(("utility_", "fallback_"))]
    variants = []
    if not cls.supports.events:
        variants.append(_without(seed_scenario, events={}))
    if not cls.supports.deadlines:
        variants.append(_without(seed_scenario, deadlines={}))
    for variant in variants:
        other = simulate(variant, runs=60, seed=4, model=name).runs
        pd.testing.assert_frame_equal(other[columns], base[columns])


POINT_FORECASTERS = [n for n in model_names() if get_model(n).supports.point_forecast]


@pytest.mark.parametrize("name", POINT_FORECASTERS)
@pytest.mark.parametrize("path", [SEED, QUOTA], ids=["seed", "quota"])
def test_point_forecasts_lie_in_the_convex_hull_of_positions(name, path):
    """Every point-forecasting model stays between the lowest and highest stated position."""
    from negosim.core.sampling import block_seed, sample_block
    from negosim.models.spatial import stated_positions

    model = get_model(name)(load_scenario(path))
    compiled = model.compile()
    params = sample_block(compiled, block_seed(2, 0), 100)
    positions = np.broadcast_to(stated_positions(compiled), params.salience.shape)
    values = model.point_forecast(positions, params.salience, params.capability, **model.options)
    assert values.shape == (100, len(compiled.issue_ids))
    assert (values >= np.nanmin(positions, axis=1) - 1e-9).all()
    assert (values <= np.nanmax(positions, axis=1) + 1e-9).all()


def test_ordinal_forecasts_snap_to_the_nearest_option(seed_scenario):
    from negosim.models.spatial import snap_to_options

    compiled = get_model("compromise")(seed_scenario).compile()
    i = compiled.issue_ids.index("guarantees")
    values = np.zeros((4, len(compiled.issue_ids)))
    grid = compiled.option_values[i]  # 0, 50, 100
    values[:, i] = [grid[0] + 1, (grid[0] + grid[1]) / 2, grid[1] + 26, grid[2] - 1]
    assert snap_to_options(compiled, values)[:, i].tolist() == [0, 0, 2, 2]


def test_exchange_without_rounds_is_the_compromise_model(seed_scenario):
    exchange = simulate(
        seed_scenario, runs=80, seed=2, model="exchange", parameters={"max_rounds": 0}
    )
    compromise = simulate(seed_scenario, runs=80, seed=2, model="compromise")
    pd.testing.assert_frame_equal(exchange.runs, compromise.runs)


def test_models_share_the_draws_of_each_replicate(seed_scenario):
    """Paired comparisons: every model sees the same sampled inputs for the same run, so where
    two models settle a package of a run on the same options, every actor values it the same."""
    a = simulate(seed_scenario, runs=50, seed=8, model="compromise").runs
    b = simulate(seed_scenario, runs=50, seed=8, model="nash").runs
    same = (a["outcome"] == b["outcome"]) & b["agreed"]
    package_same = same.groupby([a["run"], a["package"]]).transform("all")
    assert package_same.any() and not package_same.all()
    utility = [c for c in a if c.startswith("utility_")]
    pd.testing.assert_frame_equal(a.loc[package_same, utility], b.loc[package_same, utility])


def _two_actor_scenario(*, fallback: float, ratify: float | None = None):
    """Actors at 100 and 0 on five options, equal clout; with ``ratify``, the option 50 needs
    ratification by A's legislature, which passes it with that probability."""
    options = {f"o{v}": {"label": str(v), "value": v} for v in (0, 25, 50, 75, 100)}
    if ratify is not None:
        options["o50"]["requires_ratification"] = True
    doc = {
        "schema_version": 1,
        "metadata": {"id": "split", "title": "Split"},
        "calendar": {"start": "2020-01-01", "end": "2020-02-01"},
        "issues": {"x": {"label": "X", "kind": "ordinal", "status_quo": "o0", "options": options}},
        "actors": {
            name: {
                "name": name,
                "kind": "state",
                "capability": 1.0,
                "stances": {"x": {"position": pos, "salience": 1.0, "assumption": "Test."}},
                "fallback": {"description": "N", "value": fallback, "assumption": "Test."},
                "behaviour": {"assumption": "Test."},
            }
            for name, pos in (("a", "o100"), ("b", "o0"))
        },
    }
    if ratify is not None:
        doc["actors"]["a"]["ratification"] = {
            "body": "Senate",
            "pass_probability": ratify,
            "assumption": "Test.",
        }
    return load_scenario_text(json.dumps(doc))


def test_nash_breaks_down_where_no_option_beats_both_fallbacks():
    """Fallbacks worth 0.6 to each: A needs an option >= 50 + 10, B one <= 50 - 10 (utilities
    1 - |x - ideal| / 100), so no option is strictly better for both."""
    runs = simulate(_two_actor_scenario(fallback=0.6), runs=5, seed=1, model="nash").runs
    assert set(runs["end_reason"]) == {"breakdown"}
    assert not runs["agreed"].any()
    assert runs["fallback_a"].all() and runs["fallback_b"].all()
    # Fallbacks worth 0.4: option 50 gives each 0.1 more, the largest product.
    runs = simulate(_two_actor_scenario(fallback=0.4), runs=5, seed=1, model="nash").runs
    assert set(runs["outcome"]) == {"o50"} and set(runs["end_reason"]) == {"forecast"}
    assert not runs["fallback_a"].any()


def test_nash_anticipates_ratification():
    """Fallbacks worth 0; option 50 passes A's legislature with probability 1/2, so each values
    it at 0.5 x 0.5 + 0.5 x 0 = 0.25 and its Nash product is 0.0625, below 0.25 x 0.75 = 0.1875
    for options 25 and 75; the tie goes to the first.  With certain ratification, option 50."""
    runs = simulate(_two_actor_scenario(fallback=0.0, ratify=0.5), runs=5, seed=1, model="nash")
    assert set(runs.runs["outcome"]) == {"o25"}
    runs = simulate(_two_actor_scenario(fallback=0.0, ratify=1.0), runs=5, seed=1, model="nash")
    assert set(runs.runs["outcome"]) == {"o50"}
