"""The seed scenario's summary at its seed is pinned (regenerate: tests/golden/regenerate.py)."""

from __future__ import annotations

import pandas as pd

from tests.golden.regenerate import GOLDEN, RUNS, summary_table


def test_seed_summary_matches_golden():
    expected = pd.read_csv(GOLDEN, dtype={"table": str, "key": str})
    actual = summary_table()
    pd.testing.assert_frame_equal(
        actual.reset_index(drop=True), expected, check_dtype=False, atol=0, rtol=0
    )


def test_golden_is_internally_consistent():
    """Checks on the pinned numbers that follow from the rules, not from the program's output."""
    g = pd.read_csv(GOLDEN, dtype={"table": str, "key": str}).set_index("key")
    outcomes = g[g["table"] == "outcome"]
    # Each issue's probabilities (options agreed + no agreement) sum to one.
    by_issue = outcomes["probability"].groupby(outcomes.index.str.split(":").str[0]).sum()
    assert (by_issue.round(3) == 1.0).all()
    # Linked issues share one fate: every missile-defence issue has the same no-agreement share.
    linked = ["guarantees", "architecture", "countermeasures", "nrc_chicago", "president_chicago"]
    shares = {outcomes.loc[f"{i}:no agreement", "probability"] for i in linked}
    assert len(shares) == 1
    # NATO's red line rules out the legally binding guarantee in every run.
    assert "guarantees:legal" not in outcomes.index
    ends = g[g["table"] == "end"]
    assert ends["count"].sum() == RUNS
