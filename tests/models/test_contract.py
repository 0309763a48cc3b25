"""One contract suite that every registered decision model passes (Axelrod-style)."""

from __future__ import annotations

import json
import pickle
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from negosim import UsageError, load_scenario, load_scenario_text, simulate
from negosim.cli import main
from negosim.models.registry import get_model, model_names

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"
QUOTA = ROOT / "scenarios" / "two_state_fishing_quota.yaml"
COLUMNS = {
    "run",
    "block",
    "replicate",
    "seed",
    "issue",
    "package",
    "outcome",
    "value",
    "agreed",
    "end_reason",
    "end_round",
    "end_date",
    "run_end_reason",
}


@pytest.fixture(scope="module")
def seed_scenario():
    return load_scenario(SEED)


def test_registry_lists_the_models():
    assert set(model_names()) == {
        "bargaining",
        "compromise",
        "expected_utility",
        "exchange",
        "nash",
    }


@pytest.mark.parametrize("name", model_names())
def test_declares_name_reference_and_supports(name):
    cls = get_model(name)
    assert cls.name == name
    assert cls.reference and any(ch.isdigit() for ch in cls.reference)  # cites a dated paper
    assert cls.supports.issue_kinds <= {"ordinal", "nominal", "continuous"}


@pytest.mark.parametrize("name", model_names())
@pytest.mark.parametrize("path", [SEED, QUOTA], ids=["seed", "quota"])
def test_seeded_runs_are_reproducible_and_well_formed(name, path):
    scenario = load_scenario(path)
    a = simulate(scenario, runs=120, seed=5, model=name, block_size=50)
    b = simulate(scenario, runs=120, seed=5, model=name, block_size=50)
    pd.testing.assert_frame_equal(a.runs, b.runs)
    runs = a.runs
    assert COLUMNS <= set(runs.columns)
    assert runs["run"].nunique() == 120
    for issue_id, issue in scenario.issues.items():
        rows = runs[runs["issue"] == issue_id]
        if issue.kind == "continuous":
            assert rows["value"].between(0, 100).all()
        else:
            assert set(rows["outcome"].dropna()) <= set(issue.options)
    assert a.manifest["model"]["name"] == name


@pytest.mark.parametrize("name", model_names())
def test_model_objects_pickle(name, seed_scenario):
    model = get_model(name)(seed_scenario)
    clone = pickle.loads(pickle.dumps(model))
    assert clone.options == model.options and clone.name == name


def _nominal_scenario():
    text = textwrap.dedent("""
    schema_version: 1
    metadata: {id: venue, title: Where to meet}
    calendar: {start: 2020-01-01, end: 2020-02-01, round_length: 1w}
    issues:
      venue:
        label: Venue
        kind: nominal
        status_quo: geneva
        options: {geneva: {label: Geneva}, vienna: {label: Vienna}, oslo: {label: Oslo}}
    actors:
      a: {name: A, kind: state, capability: 1, stances: {venue: {position: geneva, salience: 1,
          assumption: Test.}}, fallback: {description: None, assumption: Test.},
          behaviour: {assumption: Test.}}
      b: {name: B, kind: state, capability: 1, stances: {venue: {position: oslo, salience: 1,
          assumption: Test.}}, fallback: {description: None, assumption: Test.},
          behaviour: {assumption: Test.}}
    """)
    return load_scenario_text(text)


@pytest.mark.parametrize("name", model_names())
def test_unsupported_issue_kinds_are_refused_before_running(name):
    scenario = _nominal_scenario()
    cls = get_model(name)
    if "nominal" in cls.supports.issue_kinds:
        assert simulate(scenario, runs=10, seed=1, model=name).runs["outcome"].notna().all()
    else:
        with pytest.raises(UsageError, match=f"model '{name}' cannot handle nominal issues"):
            simulate(scenario, runs=10, seed=1, model=name)


def test_compromise_forecast_lies_in_the_convex_hull(seed_scenario):
    from negosim.engine.params import sample_block
    from negosim.engine.run import block_seed
    from negosim.models.compromise import CompromiseModel
    from negosim.models.spatial_adapter import stated_positions

    model = CompromiseModel(seed_scenario)
    compiled = model.compile()
    params = sample_block(compiled, block_seed(1, 0), 200)
    positions = np.broadcast_to(stated_positions(compiled), params.salience.shape)
    values = model.forecast(positions, params.salience, params.capability)
    assert (values >= np.nanmin(positions, axis=1) - 1e-9).all()
    assert (values <= np.nanmax(positions, axis=1) + 1e-9).all()


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


def test_compare_cli(tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(
        [
            "compare",
            str(SEED),
            "--models",
            "bargaining,compromise,nash",
            "--runs",
            "100",
            "--seed",
            "1",
            "--out",
            str(out),
        ]
    )
    text = capsys.readouterr().out
    assert code == 0
    assert "Outcome by model" in text and "bargaining" in text and "nash" in text
    table = pd.read_parquet(out / "compare.parquet")
    assert set(table["model"]) == {"bargaining", "compromise", "nash"}
    assert (out / "compare_guarantees.png").stat().st_size > 1000
    assert main(["compare", str(SEED), "--models", "oracle"]) == 2
    assert "unknown model 'oracle'" in capsys.readouterr().err


def test_backtest_cli(tmp_path, capsys):
    out = tmp_path / "bt"
    assert main(["backtest", "deu3", "--boot", "50", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "| compromise | 20.48" in text  # the reference figure for the odd half
    assert "26.07" in text  # and for the held-out even half
    table = pd.read_csv(out / "backtest.csv")
    assert {"compromise", "expected_utility", "exchange"} <= set(table["model"])
    assert (out / "backtest.png").exists()
    assert main(["backtest", "deu4"]) == 2
    assert "unknown data set 'deu4' (known: deu3)" in capsys.readouterr().err
