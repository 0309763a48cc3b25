"""Small runs tables built by hand, and the Wilson interval worked out from its formula."""

from __future__ import annotations

import math

import pandas as pd

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
    """One row per run on one issue: ``(outcome, agreed)`` per run; a run that does not agree
    breaks down."""
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


def two_issues() -> pd.DataFrame:
    """Four runs on issues ``g`` (options) and ``a`` (options), two actors' fallbacks:

    ====  ===================  ===================  ==============  =========  =========
    run   g                    a                    run ends        fb north   fb south
    ====  ===================  ===================  ==============  =========  =========
    0     political, 1 Mar     yes, 8 Mar           agreement       no         no
    1     legal, 1 Mar         yes, 1 Mar           agreement       no         no
    2     political, 1 Mar     (none) no deal       deadline        no         yes
    3     (none) breakdown     (none) breakdown     breakdown       yes        yes
    ====  ===================  ===================  ==============  =========  =========
    """
    table = [
        (0, [("political", True, "2012-03-01"), ("yes", True, "2012-03-08")], "agreement"),
        (1, [("legal", True, "2012-03-01"), ("yes", True, "2012-03-01")], "agreement"),
        (2, [("political", True, "2012-03-01"), ("no", False, "2012-05-20")], "deadline"),
        (3, [("none", False, "2012-04-02"), ("no", False, "2012-04-02")], "breakdown"),
    ]
    fallbacks = {0: (False, False), 1: (False, False), 2: (False, True), 3: (True, True)}
    rows = []
    for run, issues, reason in table:
        for issue, (outcome, agreed, date) in zip(["g", "a"], issues, strict=True):
            rows.append(
                {
                    "run": run,
                    "issue": issue,
                    "outcome": outcome,
                    "value": {"none": 0.0, "political": 50.0, "legal": 100.0, "no": 0.0}.get(
                        outcome, 100.0
                    ),
                    "agreed": agreed,
                    "end_date": date,
                    "run_end_reason": reason,
                    "fallback_north": fallbacks[run][0],
                    "fallback_south": fallbacks[run][1],
                }
            )
    return runs_table(rows)


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
                    "value": 50.0 if agreed else 0.0,
                    "agreed": agreed,
                    "run_end_reason": "agreement" if agreed else "breakdown",
                    "fallback_russia": not agreed,
                    "end_date": "2012-05-14",
                }
            )
    return runs_table(rows)


GRID = {(1.0, 10.0): 2, (1.0, 20.0): 4, (2.0, 10.0): 6, (2.0, 20.0): 10}
