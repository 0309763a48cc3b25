"""The results container, the tables built from several results, and cheap imports."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pandas as pd
import pytest

from negosim.errors import UsageError
from negosim.tables.results import Results, comparison_runs, sweep_factors


def small_runs(**extra) -> pd.DataFrame:
    return pd.DataFrame({"run": [0, 1], "issue": ["g", "g"], **extra})


def test_results_hold_runs_manifest_trajectories_and_design():
    assert [f.name for f in dataclasses.fields(Results)] == [
        "runs",
        "manifest",
        "trajectories",
        "design",
    ]


def test_comparison_runs_from_a_mapping_one_results_or_a_table():
    a, b = Results(small_runs(), {}), Results(small_runs(), {})
    runs = comparison_runs({"first": a, "second": b})
    assert list(runs["model"]) == ["first", "first", "second", "second"]
    named = Results(small_runs(), {"model": {"name": "nash"}})
    assert set(comparison_runs(named)["model"]) == {"nash"}
    assert set(comparison_runs(Results(small_runs(), {}))["model"]) == {"model"}
    table = small_runs(model=["x", "y"])
    assert comparison_runs(table) is table
    with pytest.raises(UsageError, match="no results to compare"):
        comparison_runs({})
    with pytest.raises(UsageError, match="`model` column"):
        comparison_runs(small_runs())


def test_sweep_factors_from_the_manifest_else_the_design():
    runs = small_runs(x=[1.0, 2.0], y=[3.0, 4.0])
    assert sweep_factors(Results(runs, {"factors": ["y", "x", "gone"]})) == ["y", "x"]
    design = pd.DataFrame({"x": [1.0, 2.0]})
    assert sweep_factors(Results(runs, {}, design=design)) == ["x"]
    assert sweep_factors(Results(runs, {})) == []


def test_the_tables_and_the_engine_load_no_matplotlib():
    """Only plotting entry points import ``negosim.plots`` (and so matplotlib)."""
    modules = "negosim.tables, negosim.core, negosim.models, negosim.simulation, negosim.sweeps"
    code = (
        f"import sys, {modules}, negosim.tables.response, negosim.tables.columns; "
        "print(sorted(m for m in sys.modules if m.startswith(('matplotlib', 'negosim.plots'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
