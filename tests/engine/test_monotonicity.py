"""Property: raising an actor's capability or salience never moves the outcome away from it.

Small random scenarios (two or three actors, two linked continuous issues) are played with common
random numbers (the same seed, hence the same proposer draws) before and after the change; the mean
distance of the outcome from the actor's position must not grow.

The statement is exact only on a continuous scale: with linear utilities the equilibrium
approaches the asymmetric Nash solution (Binmore, Rubinstein & Wolinsky 1986), whose point on the
contract curve moves toward an actor as its bargaining weight (recognition probability, raised by
capability and salience) or its weight on an issue grows.  On the engine's grid one rounding step
of a strategic floor can flip an offer, and rounding compounds through backward induction up to
``step / (1 - patience**2)``; both properties allow that bound (Hypothesis found cases off by 0.33
and 2.03 points on a 2-point grid).
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from negosim import load_scenario_text
from negosim.simulation import simulate

RUNS = 150
GRID = 2.0


def _scenario(positions, saliences, capabilities, patience) -> dict:
    actors = {}
    for a, (pos, sal, cap) in enumerate(zip(positions, saliences, capabilities, strict=True)):
        actors[f"a{a}"] = {
            "name": f"Actor {a}",
            "kind": "state",
            "capability": cap,
            "stances": {
                "x": {"position": pos[0], "salience": sal[0], "assumption": "Test."},
                "y": {"position": pos[1], "salience": sal[1], "assumption": "Test."},
            },
            "fallback": {"description": "None", "value": 0.0, "assumption": "Test."},
            "behaviour": {"concession": 1e6, "patience": patience, "assumption": "Test."},
        }
    return {
        "schema_version": 1,
        "metadata": {"id": "mono", "title": "Monotonicity"},
        "calendar": {"start": "2020-01-01", "end": "2020-01-08", "round_length": "1d"},
        "issues": {
            "x": {"label": "X", "kind": "continuous", "status_quo": 50, "package": "p"},
            "y": {"label": "Y", "kind": "continuous", "status_quo": 50, "package": "p"},
        },
        "actors": actors,
        "deadlines": {"d": {"label": "D", "date": "2020-01-08", "assumption": "Test."}},
        "engine": {"model": "bargaining", "parameters": {"grid_step": GRID}, "runs": RUNS},
    }


def _rounding_bound(patience: float) -> float:
    """How far grid rounding can move an equilibrium offer: each level of backward induction
    rounds by under one step and the error is discounted by patience**2 per cycle of proposers,
    so at most ``step / (1 - patience**2)`` (the bound of the Rubinstein test)."""
    return GRID / (1 - patience**2)


def _mean_distance(doc: dict, actor: int, issue: str) -> float:
    scenario = load_scenario_text(json.dumps(doc))
    runs = simulate(scenario, runs=RUNS, seed=11).runs
    position = doc["actors"][f"a{actor}"]["stances"][issue]["position"]
    values = runs.loc[runs["issue"] == issue, "value"]
    return float((values - position).abs().mean())


grid = st.sampled_from([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
weight = st.sampled_from([0.2, 0.4, 0.6, 0.8])
actors = st.integers(2, 3)
SPECS = actors.flatmap(
    lambda n: st.tuples(
        st.lists(st.tuples(grid, grid), min_size=n, max_size=n),
        st.lists(st.tuples(weight, weight), min_size=n, max_size=n),
        st.lists(st.sampled_from([0.2, 0.5, 1.0]), min_size=n, max_size=n),
    )
)
PATIENCE = st.sampled_from([0.8, 0.95])


@settings(max_examples=40, deadline=None)
@given(SPECS, PATIENCE)
def test_more_capability_never_moves_the_outcome_away(spec, patience):
    positions, saliences, capabilities = spec
    doc = _scenario(positions, saliences, capabilities, patience)
    before = _mean_distance(doc, 0, "x") + _mean_distance(doc, 0, "y")
    doc["actors"]["a0"]["capability"] = capabilities[0] * 3
    after = _mean_distance(doc, 0, "x") + _mean_distance(doc, 0, "y")
    assert after <= before + 2 * _rounding_bound(patience)  # two issues


@settings(max_examples=40, deadline=None)
@given(SPECS, PATIENCE)
def test_more_salience_never_moves_the_outcome_away(spec, patience):
    positions, saliences, capabilities = spec
    doc = _scenario(positions, saliences, capabilities, patience)
    before = _mean_distance(doc, 0, "x")
    doc["actors"]["a0"]["stances"]["x"]["salience"] = 1.0
    after = _mean_distance(doc, 0, "x")
    assert after <= before + _rounding_bound(patience)
