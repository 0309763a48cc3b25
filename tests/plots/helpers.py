"""Paths, factor names and a sweep built by hand from ``simulate`` calls, for the plot tests."""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd

from negosim import simulate
from negosim.scenario import apply_overrides
from negosim.tables.results import Results

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"
QUOTA = ROOT / "scenarios" / "two_state_fishing_quota.yaml"

SALIENCE = "actors.russia.stances.guarantees.salience"
FALLBACK = "actors.russia.fallback.value"


def sweep_by_hand(scenario, grid: dict[str, list], *, runs: int, seed: int) -> Results:
    """A sweep's results as the sweep contract describes them, from one ``simulate`` per point:
    runs gain ``point`` and one column per factor; the manifest lists the factors."""
    frames, design = [], []
    for point, values in enumerate(itertools.product(*grid.values())):
        overrides = dict(zip(grid, values, strict=True))
        result = simulate(apply_overrides(scenario, overrides), runs=runs, seed=seed)
        frames.append(result.runs.assign(point=point, **overrides))
        design.append(overrides)
    table = pd.DataFrame(design)
    table.index.name = "point"
    manifest = {
        "kind": "sweep",
        "factors": list(grid),
        "runs_per_point": runs,
        "scenario": {"id": scenario.metadata.id},
    }
    return Results(runs=pd.concat(frames, ignore_index=True), manifest=manifest, design=table)
