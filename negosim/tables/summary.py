"""Pure summaries of a runs table: probabilities with 95% intervals, agreement timing, fallbacks.

Every function reads only the tidy runs table (one row per run x issue) and returns a DataFrame.
Intervals are Wilson score intervals (Wilson 1927), which stay inside [0, 1] and behave at 0 and n.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "Z95",
    "agreement_summary",
    "fallback_probabilities",
    "outcome_probabilities",
    "run_level",
    "wilson_interval",
]

Z95 = 1.959963984540054


def wilson_interval(
    successes: np.ndarray | int, trials: np.ndarray | int, z: float = Z95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion; returns ``(low, high)``."""
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    safe = np.where(n > 0, n, 1.0)
    p = k / safe
    denom = 1.0 + z**2 / safe
    centre = (p + z**2 / (2 * safe)) / denom
    half = z * np.sqrt(p * (1 - p) / safe + z**2 / (4 * safe**2)) / denom
    low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high


def outcome_probabilities(runs: pd.DataFrame, *, by: list[str] | None = None) -> pd.DataFrame:
    """Probability of each agreed option per issue, and of no agreement, with 95% intervals.

    Columns: ``[*by, issue, outcome, agreed, runs, count, probability, low, high]``; ``outcome`` is
    the option id (or ``<NA>`` for a continuous issue's agreed values, pooled) and rows with
    ``agreed == False`` give the probability of no agreement (the no-deal outcome holds).
    """
    keys = [*(by or []), "issue"]
    frame = runs.assign(outcome=runs["outcome"].where(runs["agreed"], "no agreement"))
    totals = frame.groupby(keys, observed=True).size().rename("runs")
    counts = frame.groupby([*keys, "outcome", "agreed"], observed=True, dropna=False).size()
    out = counts.rename("count").reset_index().merge(totals.reset_index(), on=keys)
    out["probability"] = out["count"] / out["runs"]
    out["low"], out["high"] = wilson_interval(out["count"].to_numpy(), out["runs"].to_numpy())
    return out.sort_values(
        [*keys, "agreed", "probability"],
        ascending=[True] * len(keys) + [False, False],
        ignore_index=True,
    )


def run_level(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per run: end reason, whether every package agreed and when the last one did."""
    grouped = runs.groupby("run", sort=True)
    out = pd.DataFrame(
        {
            "run_end_reason": grouped["run_end_reason"].first(),
            "full_agreement": grouped["agreed"].all(),
            "agreement_date": grouped["end_date"].max(),
        }
    )
    out.loc[~out["full_agreement"], "agreement_date"] = pd.NaT
    return out


def agreement_summary(runs: pd.DataFrame) -> pd.DataFrame:
    """Probability (with interval) of full agreement and of breakdown, and the median date of
    full agreement among the runs that reach it."""
    per_run = run_level(runs)
    n = len(per_run)
    rows = []
    for label, hits in (
        ("full agreement", int(per_run["full_agreement"].sum())),
        ("breakdown", int((per_run["run_end_reason"] == "breakdown").sum())),
        ("deadline without agreement", int((per_run["run_end_reason"] == "deadline").sum())),
    ):
        low, high = wilson_interval(hits, n)
        rows.append(
            {
                "what": label,
                "count": hits,
                "runs": n,
                "probability": hits / n if n else np.nan,
                "low": float(low),
                "high": float(high),
            }
        )
    out = pd.DataFrame(rows)
    dates = per_run["agreement_date"].dropna()
    out.attrs["median_agreement_date"] = (
        dates.sort_values().iloc[(len(dates) - 1) // 2] if len(dates) else None
    )
    return out


def fallback_probabilities(runs: pd.DataFrame) -> pd.DataFrame:
    """Probability that each actor's fallback plays out, from the ``fallback_<actor>`` columns."""
    columns = [c for c in runs.columns if c.startswith("fallback_")]
    per_run = runs.groupby("run")[columns].first()
    n = len(per_run)
    hits = per_run.sum().astype(int)
    low, high = wilson_interval(hits.to_numpy(), np.full(len(hits), n))
    return pd.DataFrame(
        {
            "actor": [c.removeprefix("fallback_") for c in columns],
            "count": hits.to_numpy(),
            "runs": n,
            "probability": hits.to_numpy() / n if n else np.nan,
            "low": low,
            "high": high,
        }
    )
