"""P(full agreement) counts runs in which every package agreed, not agreed issue rows."""

from __future__ import annotations

import pandas as pd
import pytest

from negosim.errors import UsageError
from negosim.tables import agreement_by_point, agreement_rate


def _runs(agreed: dict[tuple[int, int], tuple[bool, bool, bool]]) -> pd.DataFrame:
    """A sweep-shaped runs table: per (point, run) the flags of three issues in two packages
    (``a`` and ``b`` in package ``p``, ``c`` alone in ``q``)."""
    rows = []
    for (point, run), flags in agreed.items():
        everything = all(flags)
        for issue, package, flag in zip("abc", "ppq", flags, strict=True):
            rows.append(
                {
                    "point": point,
                    "run": run,
                    "issue": issue,
                    "package": package,
                    "agreed": flag,
                    "run_end_reason": "agreement" if everything else "breakdown",
                    "actors.x.fallback.value": 0.3 + 0.1 * point,
                }
            )
    return pd.DataFrame(rows)


def test_one_package_agreed_is_not_full_agreement():
    # Point 0: run 0 agrees everything, run 1 only package p (2 of 3 issues).
    # Point 1: both runs agree only package q (1 of 3 issues).
    runs = _runs(
        {
            (0, 0): (True, True, True),
            (0, 1): (True, True, False),
            (1, 0): (False, False, True),
            (1, 1): (False, False, True),
        }
    )
    table = agreement_by_point(runs)
    # By hand: point 0, 1 of 2 runs; point 1, 0 of 2.  The issue-level means are 5/6 and 1/3.
    assert table["probability"].tolist() == [0.5, 0.0]
    assert table["count"].tolist() == [1, 0]
    assert table["runs"].tolist() == [2, 2]
    assert runs.groupby("point")["agreed"].mean().tolist() == pytest.approx([5 / 6, 1 / 3])
    assert table["actors.x.fallback.value"].tolist() == pytest.approx([0.3, 0.4])
    assert list(table.columns) == [
        "actors.x.fallback.value",
        "runs",
        "count",
        "probability",
        "low",
        "high",
    ]
    # Wilson interval of 0 of 2 at 95%: [0, z^2 / (n + z^2)].
    z2 = 1.959963984540054**2
    assert table.loc[1, "low"] == 0.0
    assert table.loc[1, "high"] == pytest.approx(z2 / (2 + z2))


def test_agreement_rate_pools_runs():
    runs = _runs({(0, 0): (True, True, True), (0, 1): (True, True, False)}).drop(columns="point")
    assert agreement_rate(runs) == 0.5


def test_not_a_sweep_or_empty_is_refused():
    runs = _runs({(0, 0): (True, True, True)})
    with pytest.raises(UsageError, match=r"lacks column.*'point'"):
        agreement_by_point(runs.drop(columns="point"))
    with pytest.raises(UsageError, match="no runs"):
        agreement_rate(runs.iloc[:0])
