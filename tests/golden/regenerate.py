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
from negosim.simulation import simulate
from negosim.tables.summary import agreement_summary, fallback_probabilities, outcome_probabilities

ROOT = Path(__file__).resolve().parents[2]
SEED_SCENARIO = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"
GOLDEN = Path(__file__).with_name("seed_summary.csv")
RUNS = 2000


def _section(name: str, keys: pd.Series, frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "table": name,
            "key": keys,
            "count": frame["count"],
            "probability": frame["probability"],
            "low": frame["low"],
            "high": frame["high"],
        }
    )


def summary_table() -> pd.DataFrame:
    """The golden summary as one tidy table, rounded to 4 decimals."""
    runs = simulate(load_scenario(SEED_SCENARIO), runs=RUNS).runs
    outcomes = outcome_probabilities(runs)
    # issue:agreed:option or issue:without a deal:option (what a fallback imposes, or the
    # status quo): the outcome each issue ends with, as runs.parquet has it.
    endings = outcomes["agreed"].map({True: "agreed", False: "without a deal"})
    keys = outcomes["issue"] + ":" + endings + ":" + outcomes["outcome"].fillna("value").astype(str)
    ends = agreement_summary(runs)
    fallbacks = fallback_probabilities(runs)
    parts = [
        _section("outcome", keys, outcomes),
        _section("end", ends["what"], ends),
        _section("fallback", fallbacks["actor"], fallbacks),
    ]
    table = pd.concat(parts, ignore_index=True)
    for column in ("probability", "low", "high"):
        table[column] = table[column].astype(float).round(4)
    table["key"] = table["key"].astype(str)
    return table


if __name__ == "__main__":
    summary_table().to_csv(GOLDEN, index=False)
    print(f"wrote {GOLDEN}")
