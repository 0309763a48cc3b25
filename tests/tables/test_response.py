"""A sweep's outcome against its factors, checked on sweeps built by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from negosim.errors import UsageError
from negosim.tables.response import point_levels, reference_levels, sweep_response, tornado_table

from .helpers import GRID, sweep_table, wilson_by_hand


def test_sweep_response_pools_the_other_factor():
    runs = sweep_table(GRID)
    table = sweep_response(runs, "a")
    assert list(table["a"]) == [1.0, 2.0]
    assert list(table["count"]) == [6, 16] and list(table["runs"]) == [20, 20]
    assert (table["low"].iloc[0], table["high"].iloc[0]) == pytest.approx(wilson_by_hand(6, 20))
    by = sweep_response(runs, "a", by="b")
    assert list(by["count"]) == [2, 4, 6, 10]
    with pytest.raises(UsageError, match="not a factor"):
        sweep_response(runs, "c")


def test_sweep_response_of_every_event_of_the_grammar():
    runs = sweep_table(GRID)
    # Per point: agreements 2, 4, 6, 10 of 10; the rest break down and Russia's fallback plays.
    expected = {
        "agreement": [6, 16],
        "g=political": [6, 16],
        "breakdown": [14, 4],
        "fallback:russia": [14, 4],
    }
    for outcome, counts in expected.items():
        assert list(sweep_response(runs, "a", outcome=outcome)["count"]) == counts, outcome
    with pytest.raises(UsageError, match="not an event"):
        sweep_response(runs, "a", outcome="g:value")


def test_point_levels_bins_a_sampled_factor():
    runs = pd.DataFrame({"point": range(30), "x": np.linspace(0, 1, 30), "y": [1.0, 2.0] * 15})
    levels = point_levels(runs, ["x", "y"], max_levels=3)
    assert levels["x"].nunique() == 3 and levels["y"].nunique() == 2
    assert levels["x"].iloc[0] == pytest.approx(np.median(np.linspace(0, 1, 30)[:10]))


def test_reference_levels_nearest_base_else_median():
    levels = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [5.0, 5.0, 6.0, 6.0]})
    assert reference_levels(levels) == {"a": 2.0, "b": 5.0}
    assert reference_levels(levels, {"a": 3.4, "b": None}) == {"a": 3.0, "b": 5.0}


def test_tornado_holds_the_others_at_their_reference_level():
    runs = sweep_table(GRID)
    table = tornado_table(runs, ["a", "b"])
    assert list(table["factor"]) == ["a", "b"]  # swing 0.4 before 0.2
    a, b = table.iloc[0], table.iloc[1]
    # b held at its median level 10: a = 1 -> 2/10, a = 2 -> 6/10.
    assert (a["at_low"], a["at_high"], a["swing"]) == pytest.approx((0.2, 0.6, 0.4))
    assert (a["at_low_low"], a["at_low_high"]) == pytest.approx(wilson_by_hand(2, 10))
    # a held at its median level 1: b = 10 -> 2/10, b = 20 -> 4/10.
    assert (b["at_low"], b["at_high"]) == pytest.approx((0.2, 0.4))
    assert (table["held"] == "reference").all() and (table["reference"] == 0.2).all()
    assert table.attrs["reference_levels"] == {"a": 1.0, "b": 10.0}
    # The scenario's own value of a (1.9) makes 2 the reference level.
    shifted = tornado_table(runs, ["a", "b"], base={"a": 1.9})
    assert shifted.attrs["reference_levels"] == {"a": 2.0, "b": 10.0}
    shifted = shifted.set_index("factor")
    assert (shifted.loc["b", "at_low"], shifted.loc["b", "at_high"]) == pytest.approx((0.6, 1.0))
    assert shifted.loc["a", "reference"] == 0.6
    with pytest.raises(UsageError, match="at least one factor"):
        tornado_table(runs, [])


def test_tornado_pools_a_sampled_design():
    rng = np.random.default_rng(0)
    points = {(float(a), float(b)): round(float(a) * 10) for a, b in rng.random((12, 2))}
    table = tornado_table(sweep_table(points), ["a", "b"])
    assert (table["held"] == "pooled").all()
    assert (table["reference_held"] == "pooled").all()
    a = table.set_index("factor").loc["a"]
    assert a["at_high"] > a["at_low"]  # more agreement at high a, by construction
    assert a["runs_low"] == a["runs_high"] == 40  # thirds of 12 points x 10 runs
