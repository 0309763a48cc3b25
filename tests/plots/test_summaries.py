"""The pure summaries behind the plots, checked numerically on tables built by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from negosim.errors import UsageError
from negosim.plots.summaries import (
    NO_AGREEMENT,
    agreement_curve,
    fan_quantiles,
    mean_outcome_values,
    option_probabilities,
    outcome_hits,
    point_levels,
    reference_levels,
    sweep_response,
    tornado_table,
)
from negosim.tables.summary import wilson_interval

Z = 1.959963984540054


def wilson_by_hand(k: int, n: int) -> tuple[float, float]:
    """Wilson (1927): (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def runs_table(rows: list[dict]) -> pd.DataFrame:
    """A runs table with the columns the summaries read."""
    frame = pd.DataFrame(rows)
    frame["end_date"] = pd.to_datetime(frame["end_date"])
    return frame


def one_issue(outcomes: list[tuple[str, bool]], issue: str = "g", **extra) -> pd.DataFrame:
    return runs_table(
        [
            {
                "run": i,
                "issue": issue,
                "outcome": outcome,
                "value": {"none": 0.0, "political": 50.0, "legal": 100.0}.get(outcome, 0.0),
                "agreed": agreed,
                "run_end_reason": "agreement" if agreed else "breakdown",
                "end_date": "2012-05-14",
                **extra,
            }
            for i, (outcome, agreed) in enumerate(outcomes)
        ]
    )


@pytest.mark.parametrize(
    ("k", "n", "expected"),
    [(0, 10, (0.0, 0.27753)), (5, 10, (0.23659, 0.76341)), (10, 10, (0.72247, 1.0))],
)
def test_wilson_interval_known_binomial_cases(k, n, expected):
    low, high = wilson_interval(k, n)
    assert (float(low), float(high)) == pytest.approx(wilson_by_hand(k, n), abs=1e-12)
    assert (float(low), float(high)) == pytest.approx(expected, abs=1e-5)
    if k == 0:  # the upper bound of 0 successes is z²/(n + z²)
        assert float(high) == pytest.approx(Z * Z / (n + Z * Z))


def test_option_probabilities_keeps_zero_counts_in_scenario_order():
    # 5 runs agree on a political declaration; 5 break down and "none" holds without agreement.
    runs = one_issue([("political", True)] * 5 + [("none", False)] * 5)
    table = option_probabilities(runs, "g", options=["none", "political", "legal"])
    assert list(table["outcome"]) == ["none", "political", "legal", NO_AGREEMENT]
    assert list(table["agreed"]) == [True, True, True, False]
    # "none" held 5 times but was never agreed: its count is 0, not 5.
    assert list(table["count"]) == [0, 5, 0, 5]
    assert (table["runs"] == 10).all()
    for row in table.itertuples():
        assert (row.low, row.high) == pytest.approx(wilson_by_hand(row.count, 10), abs=1e-12)


def test_option_probabilities_by_model_and_default_options():
    a = one_issue([("legal", True)] * 3 + [("none", False)], model="a")
    b = one_issue([("political", True)] * 2, model="b")
    table = option_probabilities(pd.concat([a, b], ignore_index=True), "g", by=["model"])
    assert list(table["outcome"]) == ["legal", "political", NO_AGREEMENT] * 2
    counts = table.set_index(["model", "outcome"])["count"]
    assert counts[("a", "legal")] == 3 and counts[("a", NO_AGREEMENT)] == 1
    assert counts[("b", "political")] == 2 and counts[("b", "legal")] == 0
    assert table.set_index("model")["runs"].to_dict() == {"a": 4, "b": 2}
    with pytest.raises(UsageError, match="no issue 'x'"):
        option_probabilities(a, "x")


def test_mean_outcome_values_normal_interval():
    runs = one_issue([("none", True), ("political", True), ("legal", False), ("political", True)])
    row = mean_outcome_values(runs).iloc[0]
    sd = math.sqrt((50**2 + 0 + 50**2 + 0) / 3)
    assert row["mean"] == 50.0 and row["sd"] == pytest.approx(sd)
    assert (row["low"], row["high"]) == pytest.approx((50 - Z * sd / 2, 50 + Z * sd / 2))
    assert row["agreed"] == 0.75 and row["runs"] == 4


def test_agreement_curve_counts_full_agreement_by_its_last_date():
    rows = []
    for run, dates, agreed in [
        (0, ["2012-03-01", "2012-03-08"], [True, True]),  # full agreement on 8 March
        (1, ["2012-03-01", "2012-03-01"], [True, True]),  # on 1 March
        (2, ["2012-03-01", "2012-05-20"], [True, False]),  # one issue only: not full
        (3, ["2012-05-20", "2012-05-20"], [False, False]),
    ]:
        for issue, date, ok in zip(["g", "a"], dates, agreed, strict=True):
            rows.append(
                {
                    "run": run,
                    "issue": issue,
                    "agreed": ok,
                    "end_date": date,
                    "run_end_reason": "agreement" if all(agreed) else "deadline",
                }
            )
    curve = agreement_curve(
        runs_table(rows), ["2012-03-15", "2012-02-29", "2012-03-01", "2012-03-08"]
    )
    assert list(curve["date"].dt.strftime("%m-%d")) == ["02-29", "03-01", "03-08", "03-15"]
    assert list(curve["count"]) == [0, 1, 2, 2]
    assert list(curve["probability"]) == [0.0, 0.25, 0.5, 0.5]
    assert (curve["low"].iloc[2], curve["high"].iloc[2]) == pytest.approx(wilson_by_hand(2, 4))


def test_fan_quantiles_match_numpy_and_keep_actor_order():
    values = [1.0, 2.0, 3.0, 4.0, 10.0]
    frame = pd.DataFrame(
        {
            "run": list(range(5)) * 2,
            "actor": ["zeta"] * 5 + ["alpha"] * 5,
            "round": [0] * 10,
            "date": [pd.Timestamp("2020-01-01")] * 10,
            "x": values + [v * 2 for v in values],
        }
    )
    fan = fan_quantiles(frame, "x")
    assert list(fan["actor"]) == ["zeta", "alpha"]
    zeta = fan.iloc[0]
    for column, q in [("q05", 0.05), ("q25", 0.25), ("median", 0.5), ("q75", 0.75), ("q95", 0.95)]:
        assert zeta[column] == pytest.approx(np.quantile(values, q))
    with pytest.raises(UsageError, match="no trajectory column"):
        fan_quantiles(frame, "y")


def sweep_table(hits_per_point: dict[tuple[float, float], int], runs: int = 10) -> pd.DataFrame:
    """Runs of a 2-factor sweep (``a``, ``b``) with a given number of agreements per point."""
    rows = []
    for point, ((a, b), hits) in enumerate(hits_per_point.items()):
        for run in range(runs):
            agreed = run < hits
            rows.append(
                {
                    "point": point,
                    "run": run,
                    "a": a,
                    "b": b,
                    "issue": "g",
                    "outcome": "political" if agreed else "none",
                    "agreed": agreed,
                    "run_end_reason": "agreement" if agreed else "breakdown",
                    "fallback_russia": not agreed,
                    "end_date": "2012-05-14",
                }
            )
    return runs_table(rows)


GRID = {(1.0, 10.0): 2, (1.0, 20.0): 4, (2.0, 10.0): 6, (2.0, 20.0): 10}


def test_outcome_hits_per_point_and_run():
    runs = sweep_table(GRID)
    hits = outcome_hits(runs, "agreement")
    assert hits.index.names == ["point", "run"]
    assert hits.groupby("point").sum().tolist() == [2, 4, 6, 10]
    assert outcome_hits(runs, "g=political").sum() == 22
    assert outcome_hits(runs, "fallback:russia").sum() == 18
    for bad, message in [
        ("nonsense", "unknown outcome"),
        ("g", "unknown outcome"),
        ("x=y", "no issue 'x'"),
        ("fallback:nobody", "no such actor"),
    ]:
        with pytest.raises(UsageError, match=message):
            outcome_hits(runs, bad)


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
    # The scenario's own value of a (1.9) makes 2 the reference level.
    shifted = tornado_table(runs, ["a", "b"], base={"a": 1.9}).set_index("factor")
    assert (shifted.loc["b", "at_low"], shifted.loc["b", "at_high"]) == pytest.approx((0.6, 1.0))
    assert shifted.loc["a", "reference"] == 0.6


def test_tornado_pools_a_sampled_design():
    rng = np.random.default_rng(0)
    points = {(float(a), float(b)): round(float(a) * 10) for a, b in rng.random((12, 2))}
    table = tornado_table(sweep_table(points), ["a", "b"])
    assert (table["held"] == "pooled").all()
    assert (table["reference_held"] == "pooled").all()
    a = table.set_index("factor").loc["a"]
    assert a["at_high"] > a["at_low"]  # more agreement at high a, by construction
    assert a["runs_low"] == a["runs_high"] == 40  # thirds of 12 points x 10 runs
