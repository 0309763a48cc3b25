"""Regenerate the golden summary of the seed scenario.

    .venv/bin/python tests/golden/regenerate.py

writes ``seed_summary.csv``: outcome probabilities per issue, how the talks end, and each
fallback's probability, for 2,000 runs at the scenario's own seed (20120520). The test
``tests/golden/test_golden.py`` recomputes it and compares exactly; regenerate only when a change
to the engine or the scenario is meant to move the result, and say so in the commit.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from negosim import load_scenario
from negosim.results.summary import agreement_summary, fallback_probabilities, outcome_probabilities
from negosim.simulation import simulate

ROOT = Path(__file__).resolve().parents[2]
SEED_SCENARIO = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"
GOLDEN = Path(__file__).with_name("seed_summary.csv")
RUNS = 2000


def summary_table() -> pd.DataFrame:
    """The golden summary as one tidy table, rounded to 4 decimals."""
    runs = simulate(load_scenario(SEED_SCENARIO), runs=RUNS).runs
    outcomes = outcome_probabilities(runs)
    outcomes = pd.DataFrame(
        {
            "table": "outcome",
            "key": outcomes["issue"] + ":" + outcomes["outcome"].fillna("value").astype(str),
            "count": outcomes["count"],
            "probability": outcomes["probability"],
            "low": outcomes["low"],
            "high": outcomes["high"],
        }
    )
    ends = agreement_summary(runs)
    ends = pd.DataFrame(
        {
            "table": "end",
            "key": ends["what"],
            "count": ends["count"],
            "probability": ends["probability"],
            "low": ends["low"],
            "high": ends["high"],
        }
    )
    fallbacks = fallback_probabilities(runs)
    fallbacks = pd.DataFrame(
        {
            "table": "fallback",
            "key": fallbacks["actor"],
            "count": fallbacks["count"],
            "probability": fallbacks["probability"],
            "low": fallbacks["low"],
            "high": fallbacks["high"],
        }
    )
    table = pd.concat([outcomes, ends, fallbacks], ignore_index=True)
    for column in ("probability", "low", "high"):
        table[column] = table[column].astype(float).round(4)
    table["key"] = table["key"].astype(str)
    return table


if __name__ == "__main__":
    summary_table().to_csv(GOLDEN, index=False)
    print(f"wrote {GOLDEN}")
