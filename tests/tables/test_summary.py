"""The summaries of one scenario's results, checked numerically on tables built by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from negosim.errors import UsageError
from negosim.tables.summary import (
    agreement_curve,
    agreement_summary,
    fallback_probabilities,
    fan_quantiles,
    mean_outcome_values,
    option_probabilities,
    outcome_probabilities,
    run_level,
    wilson_interval,
)

from .helpers import Z, one_issue, runs_table, two_issues, wilson_by_hand


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
    # 5 runs agree on a political declaration; 5 break down and "none" holds without a deal.
    runs = one_issue([("political", True)] * 5 + [("none", False)] * 5)
    table = option_probabilities(runs, "g", options=["none", "political", "legal"])
    assert list(table["outcome"]) == ["none", "political", "legal", "none"]
    assert list(table["agreed"]) == [True, True, True, False]
    # "none" held 5 times but was never agreed: agreed 0 times, 5 times without a deal.
    assert list(table["count"]) == [0, 5, 0, 5]
    assert table["probability"].sum() == 1.0
    assert (table["runs"] == 10).all()
    for row in table.itertuples():
        assert (row.low, row.high) == pytest.approx(wilson_by_hand(row.count, 10), abs=1e-12)


def test_option_probabilities_lists_the_no_deal_outcomes_asked_for_or_one_pooled_row():
    runs = one_issue([("political", True)] * 4)
    named = option_probabilities(runs, "g", options=["political"], no_deal=["none"])
    assert list(zip(named["outcome"], named["agreed"], named["count"], strict=True)) == [
        ("political", True, 4),
        ("none", False, 0),
    ]
    pooled = option_probabilities(runs, "g", options=["political"])  # none seen, none named
    assert pd.isna(pooled["outcome"].iloc[-1]) and not pooled["agreed"].iloc[-1]
    assert pooled["count"].tolist() == [4, 0]


def test_option_probabilities_by_model_and_default_options():
    a = one_issue([("legal", True)] * 3 + [("none", False)], model="a")
    b = one_issue([("political", True)] * 2, model="b")
    table = option_probabilities(pd.concat([a, b], ignore_index=True), "g", by=["model"])
    assert list(table["outcome"]) == ["legal", "political", "none"] * 2
    assert list(table["agreed"]) == [True, True, False] * 2
    counts = table.set_index(["model", "outcome", "agreed"])["count"]
    assert counts[("a", "legal", True)] == 3 and counts[("a", "none", False)] == 1
    assert counts[("b", "political", True)] == 2 and counts[("b", "legal", True)] == 0
    assert counts[("b", "none", False)] == 0
    assert table.set_index("model")["runs"].to_dict() == {"a": 4, "b": 2}
    with pytest.raises(UsageError, match="no issue 'x'"):
        option_probabilities(a, "x")
    with pytest.raises(UsageError, match="lacks column"):
        option_probabilities(a.drop(columns="agreed"), "g")


def test_outcome_probabilities_lists_what_each_issue_ends_with():
    runs = two_issues()
    table = outcome_probabilities(runs)
    # Issues in the order the runs table has them (g before a); agreed outcomes by probability,
    # then the outcomes that held without a deal.
    assert list(dict.fromkeys(table["issue"])) == ["g", "a"]
    g = table[table["issue"] == "g"]
    assert list(zip(g["outcome"], g["agreed"], strict=True)) == [
        ("political", True),
        ("legal", True),
        ("none", False),
    ]
    assert list(g["count"]) == [2, 1, 1] and (g["runs"] == 4).all()
    a = table[table["issue"] == "a"]
    assert list(zip(a["outcome"], a["agreed"], strict=True)) == [("yes", True), ("no", False)]
    assert list(a["count"]) == [2, 2]
    assert list(a["probability"]) == [0.5, 0.5]
    assert (a["low"].iloc[0], a["high"].iloc[0]) == pytest.approx(wilson_by_hand(2, 4))
    assert table.groupby("issue")["probability"].sum().tolist() == [1.0, 1.0]


def test_one_probability_per_option_whichever_table_reports_it():
    runs = two_issues()
    seen = outcome_probabilities(runs).set_index(["issue", "outcome", "agreed"])
    for issue, options in (("g", ["none", "political", "legal"]), ("a", ["yes", "no"])):
        table = option_probabilities(runs, issue, options=options)
        for _, row in table.iterrows():
            if (issue, row["outcome"], row["agreed"]) in seen.index:
                other = seen.loc[(issue, row["outcome"], row["agreed"])]
                assert (row["probability"], row["low"], row["high"]) == (
                    other["probability"],
                    other["low"],
                    other["high"],
                )
            else:
                assert row["count"] == 0


def test_mean_outcome_values_normal_interval():
    runs = one_issue([("none", True), ("political", True), ("legal", False), ("political", True)])
    row = mean_outcome_values(runs).iloc[0]
    sd = math.sqrt((50**2 + 0 + 50**2 + 0) / 3)
    assert row["mean"] == 50.0 and row["sd"] == pytest.approx(sd)
    assert (row["low"], row["high"]) == pytest.approx((50 - Z * sd / 2, 50 + Z * sd / 2))
    assert row["agreed"] == 0.75 and row["runs"] == 4


def test_run_level_and_agreement_summary_worked_by_hand():
    runs = two_issues()
    per_run = run_level(runs)
    assert list(per_run["full_agreement"]) == [True, True, False, False]
    # The date the last package agreed: 8 March for run 0, 1 March for run 1.
    assert list(per_run["agreement_date"].dt.strftime("%m-%d").fillna("-")) == [
        "03-08",
        "03-01",
        "-",
        "-",
    ]
    summary = agreement_summary(runs).set_index("what")
    assert summary["count"].to_dict() == {
        "full agreement": 2,
        "breakdown": 1,
        "deadline without agreement": 1,
    }
    assert (summary["runs"] == 4).all()
    assert summary.loc["breakdown", "probability"] == 0.25
    assert (summary.loc["breakdown", "low"], summary.loc["breakdown", "high"]) == pytest.approx(
        wilson_by_hand(1, 4)
    )
    # The lower median of 1 and 8 March.
    assert agreement_summary(runs).attrs["median_agreement_date"] == pd.Timestamp("2012-03-01")


def test_full_agreement_is_the_last_point_of_the_agreement_curve():
    runs = two_issues()
    summary = agreement_summary(runs).set_index("what").loc["full agreement"]
    last = agreement_curve(runs).iloc[-1]
    for column in ("count", "runs", "probability", "low", "high"):
        assert last[column] == summary[column], column


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


def test_fallback_probabilities_worked_by_hand():
    table = fallback_probabilities(two_issues())
    assert list(table["actor"]) == ["north", "south"]
    assert list(table["count"]) == [1, 2] and (table["runs"] == 4).all()
    assert list(table["probability"]) == [0.25, 0.5]
    assert (table["low"].iloc[1], table["high"].iloc[1]) == pytest.approx(wilson_by_hand(2, 4))


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
