"""The vectorised engine and the one-Mesa-model-per-replicate reference agree run by run.

Both consume the same sampled inputs (``sample_block`` with the block's seed), so for a fixed seed
scheme every replicate must end the same way, in the same round, on the same package; hence the
outcome distributions (the probability of each outcome of each issue) are equal too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from negosim import Scenario, load_scenario, load_scenario_text
from negosim.core.compiled import Compiled, compile_scenario
from negosim.core.status import END_REASONS, Status
from negosim.models.bargaining import reference as reference_model
from negosim.models.bargaining.reference import run_reference_block
from negosim.models.bargaining.run import run_block

ROOT = Path(__file__).resolve().parents[3]

VALID = ROOT / "tests" / "scenario" / "fixtures" / "valid"
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"


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


@pytest.mark.parametrize("protocol", ["capability", "alternating"])
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_reference_and_engine_agree_run_by_run(name, protocol):
    compiled = compile_scenario(SCENARIOS[name]())
    args = {"master_seed": 11, "block": 2, "n": 200, "first_run": 400, "protocol": protocol}
    reference = run_reference_block(compiled, **args)
    engine = run_block(compiled, **args)
    np.testing.assert_array_equal(reference.status, engine.status)
    np.testing.assert_array_equal(reference.end_round, engine.end_round)
    np.testing.assert_array_equal(reference.combo, engine.combo)
    # Hence the same outcome distribution on every issue.
    assert outcome_distribution(compiled, reference.combo) == outcome_distribution(
        compiled, engine.combo
    )
    if name == "deadlock":  # nothing is on the table: every run breaks down, none agrees
        assert set(engine.status.ravel().tolist()) == {Status.BREAKDOWN}
    elif protocol == "capability" and name != "minimal":
        # The comparison is not vacuous: replicates differ in how, when or where they end (the
        # plain minimal fixture settles on the political declaration in the same round every run).
        variety = [len(np.unique(a)) for a in (engine.status, engine.end_round, engine.combo)]
        assert max(variety) > 1


def test_every_round_revaluation_changes_nothing():
    """Re-valuing in every round (the tutorial way) gives what re-valuing on change gives."""
    compiled = compile_scenario(_seed_with_effects())
    args = {"master_seed": 3, "block": 0, "n": 30, "first_run": 0}
    lazy = run_reference_block(compiled, **args)
    eager = run_reference_block(compiled, every_round=True, **args)
    for field in ("status", "end_round", "combo"):
        np.testing.assert_array_equal(getattr(lazy, field), getattr(eager, field))
