"""The vectorised engine and the one-Mesa-model-per-replicate reference agree run by run.

Both consume the same sampled inputs (``sample_block`` and ``sample_particles`` with the block's
seed), so for a fixed seed scheme every replicate must end the same way, in the same round, on the
same package, with the same inefficient-failure flag, under private and under complete
information; hence the outcome distributions (the probability of each outcome of each issue) are
equal too.  The reference writes the rules again with loops over types, combinations and rounds
(``negosim.models.bargaining.reference``), so agreement checks the engine's vectorisation, not the
rules themselves (the theory tests do that).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import negosim.models.bargaining.run as engine_run
from negosim import Scenario, load_scenario, load_scenario_text
from negosim.core.compiled import Compiled, compile_scenario
from negosim.core.status import END_REASONS, Status
from negosim.models.bargaining import reference as reference_model
from negosim.models.bargaining.reference import run_reference_block
from negosim.models.bargaining.run import run_block

ROOT = Path(__file__).resolve().parents[3]

VALID = ROOT / "tests" / "scenario" / "fixtures" / "valid"
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"
BELIEFS = ROOT / "tests" / "scenario" / "fixtures" / "beliefs"
FIELDS = ("status", "end_round", "combo", "inefficient")


def _treaty_vote() -> Scenario:
    """The minimal fixture where both want the treaty and a parliament passes it 4 times in 5."""
    text = (
        (VALID / "minimal.yaml")
        .read_text()
        .replace("position: political", "position: legal")
        .replace("acceptable: [none, political]", "acceptable: [none, political, legal]")
        .replace('quote: Beta prefers a "political declaration"', "quote: Beta prefers a")
        .replace("pass_probability: 0.5", "pass_probability: 0.8")
    )
    return load_scenario_text(text, base_dir=VALID)


def _deadlock() -> Scenario:
    """The minimal fixture where Alpha will sign nothing but the treaty Beta's red line excludes:
    no combination is inside every red line, so nothing is ever on the table."""
    text = (VALID / "minimal.yaml").read_text()
    text = _insert(
        text,
        "        position: legal\n",
        "        red_line:\n"
        "          acceptable: [legal]\n"
        "          evidence:\n"
        "            - source: memo\n"
        "              quote: Alpha wants a legally binding treaty.\n",
    )
    return load_scenario_text(text, base_dir=VALID)


def _insert(text: str, anchor: str, addition: str) -> str:
    assert text.count(anchor) == 1, anchor
    return text.replace(anchor, anchor + addition)


def _seed_with_effects() -> Scenario:
    """The seed scenario with salience, capability and position effects on the election outcomes
    (the seed itself only moves authority), and a likelier upset so both outcomes occur."""
    text = SEED.read_text()
    text = _insert(
        text,
        "      putin_wins:\n        label: Putin wins\n",
        "        effects:\n"
        "          - {type: salience, actor: russia, issue: guarantees,"
        " add: {uniform: [-0.6, 0.2], assumption: Test.}}\n"
        "          - {type: capability, actor: nato, multiply: {uniform: [0.3, 1.5],"
        " assumption: Test.}}\n",
    )
    text = _insert(
        text,
        "      other_wins:\n        label: Someone else wins\n",
        "        effects:\n"
        "          - {type: position, actor: nato, issue: architecture, to: nato_alone}\n"
        "          - {type: salience, actor: united_states, issue: active_endeavour, set: 0.0}\n",
    )
    upset = "{uniform: [0.03, 0.15], assumption: The complement of Putin's expected win.}"
    assert text.count(upset) == 1
    text = text.replace(upset, "{uniform: [0.03, 0.5], assumption: Test.}")
    return load_scenario_text(text, base_dir=SEED.parent)


SCENARIOS = {
    "seed": lambda: load_scenario(SEED),
    "seed_effects": _seed_with_effects,
    "quota": lambda: load_scenario(ROOT / "scenarios" / "two_state_fishing_quota.yaml"),
    "minimal": lambda: load_scenario(VALID / "minimal.yaml"),
    "treaty_vote": _treaty_vote,
    "deadlock": _deadlock,
    # Declared beliefs (misperceptions) beside the common priors.
    "misperception": lambda: load_scenario(BELIEFS / "valid.yaml"),
}


def outcome_distribution(compiled: Compiled, combo: np.ndarray) -> dict[tuple[str, int], float]:
    """Share of runs ending on each option of each issue, from ``(K, R)`` combinations."""
    shares = {}
    for k, package in enumerate(compiled.packages):
        options = package.combos[combo[k]]  # (R, issues of the package)
        for j, i in enumerate(package.issues):
            values, counts = np.unique(options[:, j], return_counts=True)
            for option, count in zip(values.tolist(), counts.tolist(), strict=True):
                shares[compiled.issue_ids[i], option] = count / combo.shape[1]
    return shares


def test_reference_uses_the_engine_status_codes():
    """The reference ends packages with the same Status members as the engine (so ``status``
    arrays compare directly), and every one of them names an ``end_reason``."""
    compiled = compile_scenario(_treaty_vote())
    result = reference_model.run_reference_block(
        compiled, master_seed=1, block=0, n=40, first_run=0
    )
    seen = set(result.status.ravel().tolist())
    assert seen <= {s.value for s in Status if s not in (Status.OPEN, Status.FORECAST)}
    assert {END_REASONS[s] for s in seen} <= {"agreement", "ratification_failed"}


def assert_same_runs(reference, engine) -> None:
    """Every replicate ends alike in both: status, combination, end round, inefficient flag."""
    for field in FIELDS:
        np.testing.assert_array_equal(getattr(reference, field), getattr(engine, field), field)


@pytest.mark.parametrize("information", ["private", "complete"])
@pytest.mark.parametrize("protocol", ["capability", "alternating"])
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_reference_and_engine_agree_run_by_run(name, protocol, information):
    compiled = compile_scenario(SCENARIOS[name]())
    args = {
        "master_seed": 11,
        "block": 2,
        "n": 30,
        "first_run": 400,
        "protocol": protocol,
        "information": information,
    }
    reference = run_reference_block(compiled, **args)
    engine = run_block(compiled, **args)
    assert_same_runs(reference, engine)
    # Hence the same outcome distribution on every issue.
    assert outcome_distribution(compiled, reference.combo) == outcome_distribution(
        compiled, engine.combo
    )
    if name == "deadlock":  # nothing is on the table: every run breaks down, none agrees
        assert set(engine.status.ravel().tolist()) == {Status.BREAKDOWN}
    elif protocol == "capability" and name.startswith("seed"):
        # The comparison is not vacuous: replicates differ in how, when or where they end.
        variety = [len(np.unique(a)) for a in (engine.status, engine.end_round, engine.combo)]
        assert max(variety) > 1


def test_private_information_reaches_every_ending_on_the_seed():
    """On the seed under private information the compared runs include agreements, breakdowns
    (walk-aways) and inefficient failures, so equality covers the walk-away rule and the flag
    (under complete information no run is flagged: agreement comes whenever a deal exists)."""
    compiled = compile_scenario(SCENARIOS["seed"]())
    args = {"master_seed": 11, "block": 2, "n": 60, "first_run": 0}
    reference = run_reference_block(compiled, **args)
    engine = run_block(compiled, **args)
    assert_same_runs(reference, engine)
    endings = set(engine.status.ravel().tolist())
    assert {Status.AGREED, Status.BREAKDOWN} <= endings
    assert engine.inefficient.any()
    complete = run_reference_block(compiled, information="complete", **args)
    assert not complete.inefficient.any()


def test_engine_played_one_replicate_per_model_agrees(monkeypatch):
    """The engine's results do not depend on how many replicates one Mesa model carries
    (``run.MODEL_ROWS``): played one replicate per model it still agrees with the reference."""
    compiled = compile_scenario(SCENARIOS["seed"]())
    args = {"master_seed": 11, "block": 2, "n": 40, "first_run": 0}
    reference = run_reference_block(compiled, **args)
    monkeypatch.setattr(engine_run, "MODEL_ROWS", 1)
    engine = run_block(compiled, **args)
    assert_same_runs(reference, engine)


def test_every_round_revaluation_changes_nothing_under_complete_information():
    """Re-valuing in every round (the tutorial way) gives what re-valuing on change gives when
    every type is known: the plan does not depend on when it is made.  (Under private
    information it does, since a later plan uses what has been learnt.)"""
    compiled = compile_scenario(_seed_with_effects())
    args = {"master_seed": 3, "block": 0, "n": 30, "first_run": 0, "information": "complete"}
    lazy = run_reference_block(compiled, **args)
    eager = run_reference_block(compiled, every_round=True, **args)
    for field in FIELDS:
        np.testing.assert_array_equal(getattr(lazy, field), getattr(eager, field))
