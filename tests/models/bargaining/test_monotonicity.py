"""Property: raising an actor's clout never moves the outcome away from it.

Small random scenarios (two or three actors, two linked continuous issues) are played with common
random numbers (the same seed, hence the same proposer draws) before and after the change; the mean
distance of the outcome from the actor's position must not grow.

Clout (capability x mean salience on the package) is the actor's recognition probability, its
bargaining weight; its utilities are untouched when capability rises, or when both of its
saliences are scaled by the same factor (a package's utility is the mean weighted by saliences
normalised to sum to one).  With linear utilities the equilibrium then approaches the asymmetric
Nash solution (Binmore, Rubinstein & Wolinsky 1986), whose point on the contract curve moves
toward an actor as its weight grows.  On the engine's grid one rounding step of a strategic floor
can flip an offer, and rounding compounds through backward induction up to
``step / (1 - patience**2)``; both properties allow that bound (Hypothesis found cases off by 0.33
and 2.03 points on a 2-point grid).

Raising the salience of ONE issue is not such a change: it also changes the actor's trade-off
between the issues, hence what its threat point is worth in terms of that issue, and the outcome
may move away from it by far more than any rounding bound.  The pinned case below shows it (the
excess does not shrink as the grid is refined, so it is model behaviour, not rounding).
"""

from __future__ import annotations

import json

from hypothesis import example, given, settings
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


@settings(max_examples=40, deadline=None, derandomize=True)
@given(SPECS, PATIENCE)
def test_more_capability_never_moves_the_outcome_away(spec, patience):
    positions, saliences, capabilities = spec
    doc = _scenario(positions, saliences, capabilities, patience)
    before = _mean_distance(doc, 0, "x") + _mean_distance(doc, 0, "y")
    doc["actors"]["a0"]["capability"] = capabilities[0] * 3
    after = _mean_distance(doc, 0, "x") + _mean_distance(doc, 0, "y")
    assert after <= before + 2 * _rounding_bound(patience)  # two issues


@settings(max_examples=40, deadline=None, derandomize=True)
@given(SPECS, PATIENCE)
@example(
    # Hypothesis's first counterexample to the old one-issue salience property: the proposer's
    # indifference between tied packages is broken by round-off there; scaling both saliences
    # keeps every utility, so the property holds.
    (([(0, 0), (0, 10), (10, 90)], [(0.2, 0.8), (0.2, 0.8), (0.2, 0.8)], [0.2, 0.2, 1.0])),
    0.8,
)
def test_more_salience_on_every_issue_never_moves_the_outcome_away(spec, patience):
    positions, saliences, capabilities = spec
    doc = _scenario(positions, saliences, capabilities, patience)
    before = _mean_distance(doc, 0, "x") + _mean_distance(doc, 0, "y")
    stances = doc["actors"]["a0"]["stances"]
    k = 1.0 / max(stances["x"]["salience"], stances["y"]["salience"])
    for issue in ("x", "y"):
        stances[issue]["salience"] = min(1.0, stances[issue]["salience"] * k)
    after = _mean_distance(doc, 0, "x") + _mean_distance(doc, 0, "y")
    assert after <= before + 2 * _rounding_bound(patience)  # two issues


def test_more_salience_on_one_issue_can_move_the_outcome_away():
    """Not a property: raising a0's salience on x from 0.2 to 1.0 (its weight on x, against 0.4
    on y, from 1/3 to 5/7) moves the outcome on x away from a0 by about 10 points, on any grid
    (found by an exhaustive search after Hypothesis flagged the old property).

    Derivation in the continuous limit (shapes of the equilibrium offers).  When a1 proposes, it
    keeps y at 0 (its own ideal, a0's worst) and pays a0 its floor ``f0`` on x alone:
    ``w_x (1 - |x - 50| / 100) >= f0``, so ``|x - 50| <= 100 (1 - f0 / w_x)``.  Much of a0's
    floor comes from y (a2 offers (70, 30); a0's own offer keeps y near its ideal 100), so when
    w_x rises from 1/3 to 5/7 the floor in x terms, ``f0 / w_x``, falls (0.966 -> 0.747 measured
    by the independent analysis) and the gap a1 may open on x grows from about 3 to about 25
    points, more than the extra recognition wins back.  The mean distance on x therefore grows
    by several times the rounding bound ``step / (1 - 0.8**2) = 5.6``.
    """
    positions = [(50, 100), (80, 0), (70, 30)]
    saliences = [(0.2, 0.4), (0.2, 0.6), (0.8, 0.4)]
    for grid in (2.0, 1.0):
        doc = _scenario(positions, saliences, [0.5, 1.0, 0.2], 0.8)
        doc["engine"]["parameters"]["grid_step"] = grid
        before = _mean_distance(doc, 0, "x")
        doc["actors"]["a0"]["stances"]["x"]["salience"] = 1.0
        after = _mean_distance(doc, 0, "x")
        assert after > before + GRID / (1 - 0.8**2)  # beyond the 2-point grid's bound, on any grid
