"""Blocks played together in one model give each block exactly what it gets alone.

The engine treats every replicate on its own row, so stacking blocks (``run_blocks``, which
``simulate`` uses to pay the per-round overheads once for several blocks) must not change a
single number: this is checked bit for bit, trajectories included, on scenarios with events,
effects, ratification, red lines that leave nothing on the table, and both protocols.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import negosim.simulation
from negosim import load_scenario, simulate
from negosim.engine.compiled import compile_scenario
from negosim.engine.run import run_block, run_blocks
from negosim.simulation import batches
from tests.engine.test_reference_equivalence import SCENARIOS

QUOTA = Path(__file__).resolve().parents[2] / "scenarios" / "two_state_fishing_quota.yaml"

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


def test_simulate_does_not_depend_on_how_blocks_are_batched(monkeypatch):
    scenario = SCENARIOS["seed_effects"]()
    batched = simulate(scenario, runs=900, seed=4, block_size=200, trajectories=True)
    monkeypatch.setattr(negosim.simulation, "BATCH_RUNS", 1)  # every block alone
    alone = simulate(scenario, runs=900, seed=4, block_size=200, trajectories=True)
    pd.testing.assert_frame_equal(batched.runs, alone.runs)
    assert batched.trajectories is not None and alone.trajectories is not None
    pd.testing.assert_frame_equal(batched.trajectories, alone.trajectories)


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


def test_batches_shrink_when_a_package_is_large(monkeypatch):
    """The seed's missile-defence package has 3 x 3 x 2 x 2 x 3 = 108 combinations and 3 actors:
    a few such grids of floats per replicate, 3 x 108 x 3 x 8 = 7,776 bytes."""
    compiled = compile_scenario(SCENARIOS["seed"]())
    assert max(len(p.combos) for p in compiled.packages) == 108
    assert negosim.simulation.batch_runs(compiled) == negosim.simulation.BATCH_RUNS
    monkeypatch.setattr(negosim.simulation, "BATCH_BYTES", 7_776 * 1_500)
    assert negosim.simulation.batch_runs(compiled) == 1_500
    monkeypatch.setattr(negosim.simulation, "BATCH_BYTES", 100)  # never below one replicate
    assert negosim.simulation.batch_runs(compiled) == 1
