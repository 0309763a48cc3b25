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
    # Each issue's probabilities (options agreed + the outcome without a deal) sum to one.
    by_issue = outcomes["probability"].groupby(outcomes.index.str.split(":").str[0]).sum()
    assert (by_issue.round(3) == 1.0).all()
    # Linked issues share one fate: every missile-defence issue ends without a deal as often,
    # each with what the scenario's fallbacks impose there.
    imposed = {
        "guarantees": "none",  # NATO's fallback
        "architecture": "nato_alone",  # NATO's fallback
        "countermeasures": "missiles_and_new_start",  # Russia's fallback
        "nrc_chicago": "cancelled",  # NATO's fallback
        "president_chicago": "stays_away",  # Russia's fallback
    }
    shares = {outcomes.loc[f"{i}:without a deal:{o}", "probability"] for i, o in imposed.items()}
    assert len(shares) == 1
    without = outcomes[outcomes.index.str.contains(":without a deal:")]
    assert len(without) == len(imposed)  # nothing else holds without a deal
    # NATO's red line rules out the legally binding guarantee in every run.
    assert "guarantees:agreed:legal" not in outcomes.index
    ends = g[g["table"] == "end"]
    assert ends["count"].sum() == RUNS
