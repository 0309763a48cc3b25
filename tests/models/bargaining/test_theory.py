"""The engine's mechanics against answers known from bargaining theory."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from negosim import load_scenario, load_scenario_text
from negosim.models.bargaining import rules
from negosim.simulation import simulate
from tests.models.bargaining.scenarios import bilateral

ROOT = Path(__file__).resolve().parents[3]
VALID = ROOT / "tests" / "scenario" / "fixtures" / "valid"


def _agreed_share(scenario) -> float:
    runs = simulate(scenario, runs=1, seed=0).runs
    assert bool(runs["agreed"].iloc[0])
    return float(runs["value"].iloc[0])


def _stahl_first_proposer(rounds: int, d_first: float, d_second: float) -> float:
    """Exact share of the first proposer in the T-round alternating-offers game (Stahl 1972),
    computed backward and continuously, independently of the engine: the last proposer takes
    everything; earlier, the proposer leaves the responder exactly its discounted value of
    proposing next round."""
    value = 1.0
    for k in range(rounds - 1, 0, -1):
        # Round k-1's proposer is A if k-1 is even; its responder is the other player, whose
        # discount applies to the value it would get proposing in round k.
        responder_discount = d_second if (k - 1) % 2 == 0 else d_first
        value = 1.0 - responder_discount * value
    return value


@pytest.mark.parametrize(("d1", "d2"), [(0.9, 0.8), (0.95, 0.95), (0.7, 0.9)])
def test_split_approaches_rubinstein_share_as_rounds_grow(d1, d2):
    """Rubinstein (1982): the first proposer gets (1 - d2) / (1 - d1 d2).

    With alternating offers, a horizon of T rounds and players who go straight to their strategic
    floor, agreement is immediate at the T-round game's equilibrium split (Stahl 1972), which
    converges to Rubinstein's as T grows; fallbacks are worth 0.
    """
    rubinstein = 100 * (1 - d2) / (1 - d1 * d2)
    step = 0.1
    # On a grid each level of backward induction rounds the offer by less than one step, and the
    # error is discounted by d1 * d2 per pair of rounds: at most step / (1 - d1 d2) in all.
    grid_error = step / (1 - d1 * d2)
    errors = []
    for rounds in (2, 6, 200):
        share = _agreed_share(bilateral(rounds=rounds, patience=(d1, d2), grid_step=step))
        assert share == pytest.approx(100 * _stahl_first_proposer(rounds, d1, d2), abs=grid_error)
        errors.append(abs(share - rubinstein))
    assert errors[-1] <= grid_error + 1e-6
    assert errors[0] > errors[-1]


def test_stahl_recursion_converges_to_rubinstein():
    assert _stahl_first_proposer(1, 0.9, 0.8) == 1.0
    assert _stahl_first_proposer(2, 0.9, 0.8) == pytest.approx(1 - 0.8)
    assert _stahl_first_proposer(500, 0.9, 0.8) == pytest.approx(0.2 / (1 - 0.72), abs=1e-9)


def test_two_round_game_matches_backward_induction():
    """T = 2: B proposes last and would take everything, so A must offer B d2 now: A gets 1 - d2."""
    share = _agreed_share(bilateral(rounds=2, patience=(0.9, 0.8)))
    assert share == pytest.approx(100 * (1 - 0.8), abs=0.5)


def test_boulware_concedes_later_than_conceder():
    beta = np.array([0.2, 1.0, 5.0])
    alpha = rules.concession_alpha(beta, 10)
    # Half way through, a Boulware actor has conceded least and a conceder most (Faratin et al.).
    assert alpha[4, 0] < alpha[4, 1] < alpha[4, 2]
    assert np.allclose(alpha[-1], 1.0)
    # With patience 0.9 and proposers drawn 50/50, each floor is about 0.9 * 0.5, leaving a slack
    # of about 0.1 that aspirations must fit into: alpha >= ~0.91 for both. A conceder
    # (beta = 5) gets there near round 12 of 20, a Boulware actor (beta = 0.2) only at the last.
    rounds = {}
    for style in ("boulware", "conceder"):
        scenario = bilateral(
            rounds=20, patience=(0.9, 0.9), concession=(style, style), protocol="capability"
        )
        runs = simulate(scenario, runs=200, seed=3).runs
        assert runs["agreed"].all()
        rounds[style] = runs["end_round"].mean()  # 1-based: round 20 is the last
    assert rounds["boulware"] >= 19
    assert rounds["conceder"] <= 15


def test_actor_whose_fallback_beats_every_package_never_agrees():
    # B's best package is worth 1.0 to it; a fallback worth 1.0 ties it, so use explicit
    # utilities that cap every package below the fallback.
    scenario = bilateral(rounds=10, fallback=(0.0, 0.6))
    text = scenario.model_dump_json()
    data = __import__("json").loads(text)
    data["actors"]["b"]["stances"]["share"]["position"] = 0
    data["issues"]["share"] = {
        "label": "Share to A",
        "kind": "ordinal",
        "status_quo": "half",
        "options": {
            "none": {"label": "None to A", "value": 0},
            "half": {"label": "Half", "value": 50},
            "all": {"label": "All to A", "value": 100},
        },
    }
    data["actors"]["a"]["stances"]["share"]["position"] = "all"
    data["actors"]["b"]["stances"]["share"]["position"] = "none"
    data["actors"]["b"]["stances"]["share"]["utilities"] = {"none": 0.5, "half": 0.4, "all": 0.0}
    import json

    s = load_scenario_text(json.dumps(data))
    runs = simulate(s, runs=50, seed=1).runs
    assert not runs["agreed"].any()
    assert (runs["end_reason"] == "breakdown").all()
    assert (runs["end_round"] == 1).all()  # no event can change it, so B walks away at once


def _minimal_text() -> str:
    return (VALID / "minimal.yaml").read_text()


def test_ratification_veto_blocks_a_legally_binding_option():
    # Both want the legally binding treaty; Beta's parliament must ratify it.
    text = (
        _minimal_text()
        .replace("position: political", "position: legal")
        .replace("acceptable: [none, political]", "acceptable: [none, political, legal]")
        .replace('quote: Beta prefers a "political declaration"', "quote: Beta prefers a")
    )
    vetoed = load_scenario_text(
        text.replace("pass_probability: 0.5", "pass_probability: 0.0"), base_dir=VALID
    )
    runs = simulate(vetoed, runs=300, seed=2).runs
    assert not (runs["outcome"] == "legal").any()
    assert runs["agreed"].any()  # they settle for the declaration instead
    certain = load_scenario_text(
        text.replace("pass_probability: 0.5", "pass_probability: 1.0"), base_dir=VALID
    )
    runs = simulate(certain, runs=300, seed=2).runs
    assert (runs["outcome"] == "legal").all()
    # With a coin-flip parliament some treaties are agreed and then fail at home.
    half = load_scenario_text(text, base_dir=VALID)
    runs = simulate(half, runs=300, seed=2).runs
    reasons = set(runs["end_reason"])
    assert "ratification_failed" in reasons or (runs["outcome"] != "legal").any()


def test_event_changes_the_stance_from_its_date_on():
    scenario = load_scenario(ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml")
    result = simulate(scenario, runs=400, seed=5, trajectories=True)
    traj = result.trajectories
    russia = traj[traj["actor"] == "russia"]
    pivot = russia.pivot(index="run", columns="date", values="ideal_president_chicago")
    inauguration = np.datetime64("2012-05-07")
    before = pivot.loc[:, pivot.columns < inauguration]
    after = pivot.loc[:, pivot.columns >= inauguration]
    # Before the inauguration Medvedev (no stated position on travelling) leaves Russia's own
    # position, travels (100); Prime Minister Putin (stays away, 0, influence 1) pulls it by
    # 1 * (0 - 100) / (1 + 1) = -50, capped at the 25-point pull limit: 75. The hypothetical other
    # winner has no say before taking office.
    assert (before == 75).all().all()
    # From 7 May, where Putin won, his position (0) decides and nobody else with a stated position
    # pulls; where the other winner took office, its position (100) decides and Putin pulls: 75.
    first_after = after.iloc[:, 0]
    assert set(np.unique(after.to_numpy())) == {0.0, 75.0}
    share_putin = (first_after == 0).mean()
    assert 0.8 < share_putin < 0.99  # the election's outcome probabilities: ~0.91 / (0.91 + 0.09)
    assert (after.nunique(axis=1) == 1).all()  # the stance holds from its date on


def test_an_event_that_can_never_fire_does_not_hold_off_breakdown():
    """Alpha's fallback is worth 1.0 and only the treaty (outside Beta's red line) gives it that:
    no package beats every fallback, so the talks break down once no event that can still fire
    is due.  An effect dated after the last round (9 March) but before the deadline (15 March)
    never fires, so it must not turn the breakdown into a deadline ending."""
    base = _minimal_text().replace(
        "outcomes: {treaty: none}\n      assumption: Without a deal nothing changes.\n"
        "    behaviour:\n      concession: linear",
        "outcomes: {treaty: none}\n      value: 1.0\n      assumption: Without a deal nothing "
        "changes.\n    behaviour:\n      concession: linear",
    )
    late = base.replace(
        "deadlines:",
        "  late_shift:\n    label: Late shift\n    date: 2020-03-14\n    effects:\n"
        "      - {type: salience, actor: beta, issue: treaty, set: 0.9}\n"
        "    assumption: Dated after the last round.\ndeadlines:",
    )
    assert late != base and "value: 1.0" in base
    for text in (base, late):
        runs = simulate(load_scenario_text(text, base_dir=VALID), runs=50, seed=1).runs
        assert (runs["end_reason"] == "breakdown").all()
