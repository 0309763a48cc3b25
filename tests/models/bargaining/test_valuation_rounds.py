"""When the engine makes a new plan: the calendar's rule (``rules.valuation_rounds``).

The seed scenario meets weekly on Mondays from 27 February 2012 (rounds 1-12: 27 Feb, 5 Mar, ...,
14 May).  Read from its file by hand: the Stavridis-Makarov talks are dated 27 February (round
1), the election 4 March (due by round 2, 5 March), both inaugurations 7 May (round 11), and
Medvedev's authority ends on 6 May (so it holds on 30 April, round 10, and not on 7 May, round
11).  So plans are made in rounds 1, 2 and 11 (indices 0, 1 and 10), whatever happens in a run,
so that no replicate's story depends on which others share its block.
"""

from __future__ import annotations

from pathlib import Path

from negosim import load_scenario
from negosim.core.compiled import compile_scenario
from negosim.models.bargaining.rules import valuation_rounds

SEED = Path(__file__).resolve().parents[3] / "scenarios" / "nato_russia_missile_defence_2012.yaml"


def test_the_seed_plans_in_rounds_1_2_and_11():
    compiled = compile_scenario(load_scenario(SEED))
    assert len(compiled.round_dates) == 12
    due = valuation_rounds(compiled)
    assert [t for t, d in enumerate(due) if d] == [0, 1, 10]
