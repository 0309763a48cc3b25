"""How replicates are spread over Mesa models changes no number.

The engine treats every replicate on its own row, so stacking blocks into one model
(``run_blocks``, which ``simulate`` uses to pay the per-round overheads once for several blocks)
and cutting a block over several models (for packages too large for memory) must give each block
exactly what it gets alone: checked bit for bit, trajectories and narratives included, on
scenarios with events, effects, ratification, red lines that leave nothing on the table, and both
protocols.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import negosim.models.bargaining.run
from negosim import load_scenario, simulate
from negosim.core.compiled import compile_scenario
from negosim.models.bargaining.run import model_rows, run_block, run_blocks
from negosim.simulation import batches
from tests.models.bargaining.test_reference_equivalence import SCENARIOS

QUOTA = Path(__file__).resolve().parents[3] / "scenarios" / "two_state_fishing_quota.yaml"

FIELDS = ("status", "end_round", "combo", "utility", "fallback", "aspirations", "ideals")
BLOCKS = [(3, 120, 0), (4, 75, 120), (5, 120, 195)]  # uneven sizes, not starting at block 0


@pytest.mark.parametrize("protocol", ["capability", "alternating"])
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_stacked_blocks_equal_blocks_played_alone(name, protocol):
    compiled = compile_scenario(SCENARIOS[name]())
    together = run_blocks(compiled, master_seed=21, blocks=BLOCKS, protocol=protocol, record=True)
    assert [(r.block, r.n, r.first_run) for r in together] == BLOCKS
    for (block, n, first), stacked in zip(BLOCKS, together, strict=True):
        alone = run_block(
            compiled,
            master_seed=21,
            block=block,
            n=n,
            first_run=first,
            protocol=protocol,
            record=True,
        )
        for field in FIELDS:
            np.testing.assert_array_equal(
                getattr(stacked, field), getattr(alone, field), err_msg=f"{name}: {field}"
            )


@pytest.mark.parametrize("rows", [1, 7, 200])  # one replicate per model; blocks cut in pieces
def test_simulate_does_not_depend_on_how_replicates_are_spread_over_models(monkeypatch, rows):
    scenario = SCENARIOS["seed_effects"]()
    batched = simulate(scenario, runs=450, seed=4, block_size=100, trajectories=True)
    monkeypatch.setattr(negosim.models.bargaining.run, "MODEL_ROWS", rows)
    spread = simulate(scenario, runs=450, seed=4, block_size=100, trajectories=True)
    pd.testing.assert_frame_equal(batched.runs, spread.runs)
    assert batched.trajectories is not None and spread.trajectories is not None
    pd.testing.assert_frame_equal(batched.trajectories, spread.trajectories)


@pytest.mark.parametrize("name", ["seed_effects", "treaty_vote"])
def test_a_block_cut_over_several_models_tells_the_same_story(monkeypatch, name):
    compiled = compile_scenario(SCENARIOS[name]())
    args = {"master_seed": 8, "block": 1, "n": 60, "first_run": 60, "explain": True}
    whole = run_block(compiled, explain_at=45, **args)
    monkeypatch.setattr(negosim.models.bargaining.run, "MODEL_ROWS", 16)  # replicate 45: 3rd model
    cut = run_block(compiled, explain_at=45, **args)
    assert cut.narrative == whole.narrative and len(whole.narrative) > 5
    for field in ("status", "end_round", "combo", "utility", "fallback"):
        np.testing.assert_array_equal(getattr(cut, field), getattr(whole, field))


def test_progress_reports_every_batch_up_to_all_runs():
    seen: list[int] = []
    simulate(load_scenario(QUOTA), runs=9_500, seed=1, block_size=1000, progress=seen.append)
    # 10 blocks (the last of 500) in groups of at most 4,000 runs: 4 + 3 + 3 blocks.
    assert seen == [4000, 7000, 9500]


@pytest.mark.parametrize(
    ("sizes", "limit", "expected"),
    [
        ([1000] * 10, 4000, [4, 3, 3]),  # ten blocks: three groups, as even as they can be
        ([1000] * 8, 4000, [4, 4]),
        ([1000] * 3 + [500], 4000, [4]),  # a short last block fits in the group
        ([1000] * 5, 500, [1] * 5),  # blocks larger than the limit go alone
        ([1000], 4000, [1]),
        ([], 4000, []),
    ],
)
def test_batches_group_consecutive_blocks(sizes, limit, expected):
    blocks = [(b, n, sum(sizes[:b])) for b, n in enumerate(sizes)]
    groups = batches(blocks, limit)
    assert [len(g) for g in groups] == expected
    assert [b for g in groups for b in g] == blocks  # every block once, in order


def test_models_carry_fewer_replicates_when_a_package_is_large(monkeypatch):
    """The seed's missile-defence package has 3 x 3 x 2 x 2 x 3 = 108 combinations and 3 actors:
    about eight such grids of floats per replicate, 8 x 108 x 3 x 8 = 20,736 bytes."""
    compiled = compile_scenario(SCENARIOS["seed"]())
    assert max(len(p.combos) for p in compiled.packages) == 108
    assert model_rows(compiled) == negosim.models.bargaining.run.MODEL_ROWS
    monkeypatch.setattr(negosim.models.bargaining.run, "MODEL_BYTES", 20_736 * 1_500)
    assert model_rows(compiled) == 1_500
    monkeypatch.setattr(
        negosim.models.bargaining.run, "MODEL_BYTES", 100
    )  # never below one replicate
    assert model_rows(compiled) == 1


def test_a_released_model_keeps_its_outcomes_but_not_its_grids():
    """Models are freed by the cycle collector, whenever it runs: release() drops the valuation
    grids at once, the agents' and the model's (a 1,000,000-run simulation would otherwise hold
    several models' worth)."""
    from negosim.core.sampling import block_seed, sample_block
    from negosim.models.bargaining.model import NegotiationModel

    compiled = compile_scenario(SCENARIOS["seed"]())
    model = NegotiationModel(compiled, sample_block(compiled, block_seed(1, 0), 50))
    while model.running:
        model.step()
    status = model.status.copy()
    grids = ("utility", "table_utility", "floors", "best", "reservation")
    assert all(getattr(actor, grid) for actor in model.actors for grid in grids)
    assert model.option_u and model.table
    model.release()
    assert not any(getattr(actor, grid) for actor in model.actors for grid in grids)
    assert not (model.option_u or model.table or model.zone or model.share)
    np.testing.assert_array_equal(model.status, status)
