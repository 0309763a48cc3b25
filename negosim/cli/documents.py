"""The ``--json`` documents of ``run``, ``sweep``, ``compare`` and ``backtest``: the numbers their
tables print, as plain mappings (printed by :meth:`negosim.cli.options.Output.document`).

Probabilities are shares in [0, 1] (not percentages), intervals are 95% Wilson intervals, ids
are the scenario's ids and labels its labels.  Pandas is imported by the callers, not here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from negosim.scenario.schema import Scenario
    from negosim.tables.counts import RunCounts

__all__ = ["backtest_document", "comparison_document", "run_document", "sweep_document"]


def _share(row: dict[str, Any]) -> dict[str, float]:
    return {k: float(row[k]) for k in ("probability", "low", "high")}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict(orient="records")]


def run_document(
    scenario: Scenario,
    counts: RunCounts,
    manifest: dict[str, Any],
    folder: Path,
    files: list[str],
) -> dict[str, Any]:
    """What ``negosim run`` prints: outcomes per issue, how the talks end, fallbacks, files."""
    from negosim.cli.report import issue_order
    from negosim.tables.counts import (
        agreement_of,
        fallbacks_of,
        histogram_quantiles,
        outcomes_of,
    )
    from negosim.tables.outcomes import ending_words, no_deal_reason
    from negosim.tables.summary import ending

    outcomes = []
    table = _records(outcomes_of(counts))
    for issue_id in issue_order(scenario):
        for row in (r for r in table if str(r["issue"]) == issue_id):
            agreed = bool(row["agreed"])
            option = row["outcome"] if isinstance(row["outcome"], str) else None
            reason = None if agreed else no_deal_reason(scenario, issue_id, option)
            outcomes.append(
                {"issue": issue_id, "outcome": option, "agreed": agreed, "ending": ending(agreed)}
                | {"label": ending_words(scenario, issue_id, option, agreed), "reason": reason}
                | {"runs": int(row["runs"]), "count": int(row["count"])}
                | _share(row)
            )
    values = {}
    for issue_id, issue in scenario.issues.items():
        if issue.kind == "continuous" and counts.agreed_rows.get(issue_id):
            low, mid, high = histogram_quantiles(counts.agreed_values[issue_id], [0.05, 0.5, 0.95])
            values[issue_id] = {"median": mid, "q05": low, "q95": high}
    summary = agreement_of(counts)
    median = summary.attrs.get("median_agreement_date")
    fallbacks = [
        {"actor": str(row["actor"])}
        | {"fallback": scenario.actors[str(row["actor"])].fallback.description}
        | {"count": int(row["count"])}
        | _share(row)
        for row in _records(fallbacks_of(counts))
    ]
    return {
        "command": "run",
        "scenario": {"id": scenario.metadata.id, "title": scenario.metadata.title}
        | {"sha256": manifest["scenario"]["sha256"]},
        "runs": counts.runs,
        "seed": manifest["seed"],
        "model": manifest["model"]["name"],
        "outcomes": outcomes,
        "agreed_values": values,
        "ends": [
            {"what": str(row["what"]), "count": int(row["count"])} | _share(row)
            for row in _records(summary)
        ],
        "median_agreement_date": None if median is None else str(median.date()),
        "fallbacks": fallbacks,
        "folder": str(folder),
        "files": [str(folder / name) for name in files],
    }


def sweep_document(
    scenario: Scenario,
    manifest: dict[str, Any],
    folder: Path,
    *,
    ends: pd.DataFrame,
    design: pd.DataFrame,
) -> dict[str, Any]:
    """What ``negosim sweep`` prints: per design point, its factor values, P(full agreement) with
    its interval and P(breakdown), for every point (the table shows the first 40)."""
    from negosim.tables.summary import wilson_interval

    points = []
    for point, n, agree, broke in zip(
        ends.index.tolist(),
        ends["runs"].tolist(),
        ends["agreements"].tolist(),
        ends["breakdowns"].tolist(),
        strict=True,
    ):
        low, high = wilson_interval(agree, n)
        factors = {str(k): v for k, v in design.loc[int(point)].to_dict().items()}
        points.append(
            {"point": int(point), "factors": factors, "runs": n, "agreements": agree}
            | {"p_agreement": agree / n, "low": float(low), "high": float(high)}
            | {"breakdowns": broke, "p_breakdown": broke / n}
        )
    return {
        "command": "sweep",
        "scenario": {"id": scenario.metadata.id, "title": scenario.metadata.title}
        | {"sha256": manifest["scenario"]["sha256"]},
        "factors": [str(c) for c in design.columns],
        "runs_per_point": manifest["runs_per_point"],
        "seed": manifest["seed"],
        "model": manifest["model"]["name"],
        "points": points,
        "folder": str(folder),
    }


def comparison_document(
    scenario: Scenario, table: pd.DataFrame, *, runs: int, seed: int, files: list[str]
) -> dict[str, Any]:
    """What ``negosim compare`` prints: each model's probability of each way an issue ends."""

    def issue_options(issue_id: str) -> dict[str, Any]:
        return dict(scenario.issues[issue_id].options or {})

    from negosim.tables.outcomes import ending_words
    from negosim.tables.summary import ending

    rows = []
    for record in table.to_dict(orient="records"):
        issue_id = str(record["issue"])
        agreed = bool(record["agreed"])
        outcome = record.get("outcome")
        option = (
            outcome if isinstance(outcome, str) and outcome in issue_options(issue_id) else None
        )
        rows.append(
            {"model": str(record["model"]), "issue": issue_id, "outcome": option}
            | {"agreed": agreed, "ending": ending(agreed)}
            | {"label": ending_words(scenario, issue_id, option, agreed)}
            | {k: float(record[k]) for k in ("probability", "low", "high") if k in record}
        )
    return {
        "command": "compare",
        "scenario": {"id": scenario.metadata.id, "title": scenario.metadata.title},
        "models": list(dict.fromkeys(str(m) for m in table["model"])),
        "runs": runs,
        "seed": seed,
        "outcomes": rows,
        "files": files,
    }


def backtest_document(
    table: pd.DataFrame, *, dataset: str, capability: str, boot: int, files: list[str]
) -> dict[str, Any]:
    """What ``negosim backtest`` prints: per model and half, the MAE with its interval, the
    paired difference to the compromise baseline and the issues scored."""
    rows = []
    for record in table.to_dict(orient="records"):
        rows.append(
            {str(k): (str(v) if k in ("model", "half", "params") else v) for k, v in record.items()}
        )
    return {
        "command": "backtest",
        "dataset": dataset,
        "capability": capability,
        "bootstrap_replicates": boot,
        "scores": rows,
        "files": files,
    }
