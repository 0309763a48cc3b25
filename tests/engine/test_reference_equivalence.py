"""The vectorised engine and the one-Mesa-model-per-replicate reference agree run by run.

Both consume the same sampled inputs (``sample_block`` with the block's seed), so for a fixed seed
scheme every replicate must end the same way, in the same round, on the same package.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from negosim import load_scenario, load_scenario_text
from negosim.engine.compiled import compile_scenario
from negosim.engine.run import run_block

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from reference_model import run_reference_block  # noqa: E402

VALID = ROOT / "tests" / "scenario" / "fixtures" / "valid"


def _treaty_vote():
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


SCENARIOS = {
    "seed": lambda: load_scenario(ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"),
    "quota": lambda: load_scenario(ROOT / "scenarios" / "two_state_fishing_quota.yaml"),
    "treaty_vote": _treaty_vote,
}


@pytest.mark.parametrize("protocol", ["capability", "alternating"])
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_reference_and_engine_agree_run_by_run(name, protocol):
    compiled = compile_scenario(SCENARIOS[name]())
    args = {"master_seed": 11, "block": 2, "n": 150, "first_run": 300, "protocol": protocol}
    reference = run_reference_block(compiled, **args)
    engine = run_block(compiled, **args)
    np.testing.assert_array_equal(reference.status, engine.status)
    np.testing.assert_array_equal(reference.end_round, engine.end_round)
    np.testing.assert_array_equal(reference.combo, engine.combo)
    # Hence the same outcome distribution on every package.
    for k in range(len(compiled.packages)):
        ref = np.unique(reference.combo[k], return_counts=True)
        eng = np.unique(engine.combo[k], return_counts=True)
        assert all(np.array_equal(a, b) for a, b in zip(ref, eng, strict=True))
    if protocol == "capability":
        # The comparison is not vacuous: replicates differ in how, when or where they end.
        variety = [len(np.unique(a)) for a in (engine.status, engine.end_round, engine.combo)]
        assert max(variety) > 1
