"""The run summary folded part by part: counts worked out by hand, and folding equal to summing."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from negosim.tables.counts import (
    agreement_of,
    fallbacks_of,
    fold_counts,
    histogram_quantiles,
    merge_counts,
    outcomes_of,
    part_counts,
    run_parts,
)
from negosim.tables.summary import (
    agreement_summary,
    fallback_probabilities,
    outcome_probabilities,
    wilson_interval,
)

from .helpers import two_issues


def test_counts_of_the_four_runs_by_hand():
    # two_issues: run 0 and 1 agree (1 Mar + 8 Mar -> 8 Mar; 1 Mar), run 2 deadline, run 3 breaks
    counts = part_counts(two_issues(), ["g"])
    assert counts.runs == 4
    assert (counts.full, counts.breakdown, counts.deadline) == (2, 1, 1)
    assert counts.agreement_dates == Counter(
        {pd.Timestamp("2012-03-08"): 1, pd.Timestamp("2012-03-01"): 1}
    )
    assert counts.fallbacks == {"north": 1, "south": 2}
    assert counts.agreed_values == {"g": Counter({50.0: 2, 100.0: 1})}
    assert counts.agreed_rows == {"g": 3}
    table = counts.outcomes.set_index(["issue", "outcome", "agreed"])["count"].to_dict()
    assert table == {
        ("a", "yes", True): 2,
        ("a", "no", False): 2,  # what holds without a deal, as the runs table has it
        ("g", "political", True): 2,
        ("g", "legal", True): 1,
        ("g", "none", False): 1,
    }


def test_merged_counts_add_up_and_intervals_come_from_the_sums():
    runs = two_issues()
    first, second = runs[runs["run"] < 2], runs[runs["run"] >= 2]
    counts = merge_counts(part_counts(first), part_counts(second))
    assert (counts.runs, counts.full, counts.breakdown, counts.deadline) == (4, 2, 1, 1)
    ends = agreement_of(counts).set_index("what")
    assert ends.loc["full agreement", "probability"] == 0.5
    low, high = wilson_interval(2, 4)
    assert (ends.loc["full agreement", "low"], ends.loc["full agreement", "high"]) == (low, high)
    # lower median of the agreement dates {1 Mar, 8 Mar} is 1 Mar
    assert agreement_of(counts).attrs["median_agreement_date"] == pd.Timestamp("2012-03-01")
    fallbacks = fallbacks_of(counts).set_index("actor")
    assert fallbacks["count"].to_dict() == {"north": 1, "south": 2}
    assert fallbacks["probability"].to_dict() == {"north": 0.25, "south": 0.5}
    g = outcomes_of(counts).query("issue == 'g'")
    # ordered: agreed options by probability, then what held without a deal
    assert g["outcome"].tolist() == ["political", "legal", "none"]
    assert g["agreed"].tolist() == [True, True, False]
    assert g["count"].tolist() == [2, 1, 1]
    assert (g["runs"] == 4).all()


def _random_runs(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    dates = pd.to_datetime(["2012-03-01", "2012-03-15", "2012-04-02", "2012-05-20"])
    for run in range(n):
        reason = rng.choice(["agreement", "breakdown", "deadline"], p=[0.6, 0.2, 0.2])
        for issue, options in (("g", ["political", "legal"]), ("v", [None])):
            agreed = bool(reason == "agreement" or rng.random() < 0.3)
            rows.append(
                {
                    "run": run,
                    "issue": issue,
                    "outcome": rng.choice(options) if options[0] else None,
                    "value": float(rng.choice([10.0, 12.5, 50.0, 62.0, 99.0])),
                    "agreed": agreed,
                    "end_date": dates[rng.integers(len(dates))],
                    "run_end_reason": reason,
                    "fallback_north": bool(rng.random() < 0.3),
                    "fallback_south": bool(rng.random() < 0.1),
                }
            )
    frame = pd.DataFrame(rows)
    frame["issue"] = frame["issue"].astype("string")
    frame["outcome"] = frame["outcome"].astype("string")
    frame["run_end_reason"] = frame["run_end_reason"].astype("string")
    return frame


@pytest.mark.parametrize("cuts", [[0, 57], [0, 1, 2, 100, 150], [0, 10, 20, 30, 40, 50, 60]])
def test_folding_over_parts_equals_the_summary_of_the_whole_exactly(cuts):
    runs = _random_runs(7, 197)
    bounds = [*cuts, 197]
    parts = [runs[(runs["run"] >= a) & (runs["run"] < b)] for a, b in itertools.pairwise(bounds)]
    counts = fold_counts(parts, ["v"])
    pd.testing.assert_frame_equal(
        outcomes_of(counts), outcome_probabilities(runs), check_exact=True
    )
    whole = agreement_summary(runs)
    folded = agreement_of(counts)
    pd.testing.assert_frame_equal(folded, whole, check_exact=True)
    assert folded.attrs == whole.attrs
    pd.testing.assert_frame_equal(
        fallbacks_of(counts), fallback_probabilities(runs), check_exact=True
    )
    agreed = runs.loc[(runs["issue"] == "v") & runs["agreed"], "value"]
    expected = agreed.quantile([0.05, 0.5, 0.95]).tolist()
    assert histogram_quantiles(counts.agreed_values["v"], [0.05, 0.5, 0.95]) == expected


def test_histogram_quantiles_by_hand_and_as_pandas():
    # values 1, 1, 2, 4: position (n-1)q = 1.5 at the median -> halfway between 1 and 2
    assert histogram_quantiles(Counter({1.0: 2, 2.0: 1, 4.0: 1}), [0.0, 0.5, 1.0]) == [
        1.0,
        1.5,
        4.0,
    ]
    assert math.isnan(histogram_quantiles(Counter(), [0.5])[0])  # no values: NaN, as pandas
    rng = np.random.default_rng(3)
    for n in (1, 2, 3, 19, 20, 101, 1000):
        values = rng.choice([0.1, 3.3, 17.0, 62.5, 99.9], size=n)
        qs = [0.05, 0.25, 0.5, 0.75, 0.95]
        expected = pd.Series(values).quantile(qs).tolist()
        assert histogram_quantiles(Counter(values.tolist()), qs) == expected


@pytest.mark.parametrize("min_rows", [1, 15, 10_000])
def test_run_parts_never_split_a_run(tmp_path, min_rows):
    import pyarrow as pa
    import pyarrow.parquet as pq

    runs = _random_runs(1, 50)
    path = tmp_path / "runs.parquet"
    pq.write_table(pa.Table.from_pandas(runs, preserve_index=False), path, row_group_size=7)
    parts = list(run_parts(path, min_rows=min_rows))
    assert sum(len(p) for p in parts) == len(runs)
    seen = [set(p["run"]) for p in parts]
    assert all(not (a & b) for i, a in enumerate(seen) for b in seen[i + 1 :])
    assert set().union(*seen) == set(range(50))
    if min_rows == 1:  # row groups of 7 rows (3.5 runs): every run cut off waits for the next part
        assert len(parts) > 10
