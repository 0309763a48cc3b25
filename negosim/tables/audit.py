"""Which assumptions carry the forecast: each headline's variance shared out among the inputs.

:func:`audit_tables` reads a runs table and its draws (:mod:`negosim.tables.draws`) and, for each
headline (full agreement, and the outcome each issue ends with, deal or not), ranks the sampled
inputs by their first-order index (:mod:`negosim.tables.first_order`), with the provenance of each
(:mod:`negosim.tables.provenance`) and the split where the headline flips.  The indices of one
headline need not sum to 1: what is left is the inputs' interactions and the protocol's noise.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from negosim.errors import UsageError
from negosim.scenario.schema import Scenario
from negosim.tables.first_order import MIN_RUNS, FirstOrder, Split, best_split, first_order
from negosim.tables.outcomes import run_keys
from negosim.tables.provenance import Provenance, input_provenance

__all__ = ["CLEAR", "DRIVER", "Audit", "HeadlineAudit", "InputScore", "audit_tables", "headlines"]

# Below CLEAR an input's split is not reported (noise); from DRIVER on, an event headline whose
# share crosses one half at the split is said to hold "iff" the input is on one side.
CLEAR = 0.01
DRIVER = 0.05


@dataclass(frozen=True)
class InputScore:
    """One input's share of one headline's variance."""

    path: str
    score: FirstOrder
    split: Split
    provenance: Provenance
    equivalent: tuple[str, ...] = ()  # other columns that split the runs the same way

    def flip(self, headline: HeadlineAudit, *, short: bool = False) -> str:
        """Where the headline flips, in words: "agreement iff actors.russia.fallback.value <
        about 0.56 (92 % below, 8 % above)"; ``short`` leaves out the headline and the input
        ("iff < about 0.56 (92 % below, 8 % above)")."""
        s = self.split
        if self.score.index < CLEAR:
            return ""  # a split of an input that explains nothing would be read as a rule
        if s.threshold is None and s.groups:
            shown = ", ".join(f"{_level(m, headline)} if {k}" for k, m, _ in s.groups[:3])
            return shown if short else f"{headline.name}: {shown}"
        if s.threshold is None:
            return ""
        t = _about(s.threshold)
        lo, hi = _level(s.below, headline), _level(s.above, headline)
        if (
            headline.is_event
            and self.score.index >= DRIVER
            and (s.below - 0.5) * (s.above - 0.5) < 0
        ):
            rule = f"{'<' if s.below > s.above else '>'} about {t} ({lo} below, {hi} above)"
            return f"iff {rule}" if short else f"{headline.name} iff {self.path} {rule}"
        if short:
            return f"{lo} below {t}, {hi} above"
        return f"{headline.name}: {lo} below {self.path} = {t}, {hi} above"


@dataclass(frozen=True)
class HeadlineAudit:
    """One headline and its inputs, largest index first."""

    id: str
    name: str
    kind: str  # "event" (0/1 per run) or "value" (0-100 per run)
    mean: float
    issue: str | None = None
    option: str | None = None
    inputs: tuple[InputScore, ...] = ()
    same: tuple[str, ...] = ()  # later headlines that hold in exactly the same runs

    @property
    def explained(self) -> float:
        """The sum of the inputs' indices: what they explain alone (the rest is interactions
        and the protocol's noise)."""
        return float(sum(s.score.index for s in self.inputs))

    @property
    def is_event(self) -> bool:
        return self.kind == "event"


@dataclass(frozen=True)
class Audit:
    """The audit of one set of results."""

    runs: int
    headlines: tuple[HeadlineAudit, ...]
    sampled: int  # inputs that vary in these draws
    notes: tuple[str, ...] = field(default=())

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        """A JSON-ready document; ``top`` inputs per headline (default all)."""
        out = []
        for h in self.headlines:
            rows = []
            for score in h.inputs[:top]:
                rows.append(
                    {
                        "input": score.path,
                        "index": score.score.index,
                        "raw": score.score.raw,
                        "bins": score.score.bins,
                        "noise": score.score.noise,
                        "flip": score.flip(h),
                        "split": asdict(score.split),
                        "provenance": asdict(score.provenance),
                        "equivalent": list(score.equivalent),
                    }
                )
            out.append(
                {
                    "id": h.id,
                    "name": h.name,
                    "kind": h.kind,
                    "mean": h.mean,
                    "issue": h.issue,
                    "option": h.option,
                    "same_runs": list(h.same),
                    "explained": h.explained,
                    "inputs": rows,
                }
            )
        return {
            "runs": self.runs,
            "sampled_inputs": self.sampled,
            "method": "first-order index by binning, Kelley's epsilon squared (negosim.tables."
            "first_order)",
            "headlines": out,
            "notes": list(self.notes),
        }


def _about(value: float) -> str:
    """Two significant digits: 0.56, 38, 120."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    digits = max(0, 1 - math.floor(math.log10(abs(value))))
    return f"{round(value, digits):.{digits}f}"


def _level(mean: float, headline: HeadlineAudit) -> str:
    return f"{100 * mean:.0f} %" if headline.is_event else f"{mean:.1f}"


def headlines(runs: pd.DataFrame, scenario: Scenario) -> list[tuple[HeadlineAudit, pd.Series]]:
    """The headlines of a runs table with their value per run (indexed by run keys):
    ``agreement``, then per issue in file order the options it ends at (deal or not) for an
    option issue, one fewer than those that occur (the no-deal one left out), or its value."""
    keys = run_keys(runs)
    per_run = runs.drop_duplicates(keys).set_index(keys)
    agreed = (per_run["run_end_reason"] == "agreement").astype(float)
    out = [(HeadlineAudit("agreement", "agreement", "event", float(agreed.mean())), agreed)]
    for issue_id, issue in scenario.issues.items():
        rows = runs[runs["issue"] == issue_id].set_index(keys)
        if rows.empty:
            continue
        if issue.kind == "continuous":
            value = rows["value"].astype(float)
            h = HeadlineAudit(f"{issue_id}:value", f"{issue_id} value", "value", value.mean())
            out.append((h, value))
            continue
        ends = rows["outcome"].astype("object")
        shares = ends.value_counts(normalize=True)
        occurring = [k for k in issue.options if 0 < shares.get(k, 0.0) < 1]
        if len(occurring) < 2:
            continue
        no_deal = _no_deal(scenario, issue_id)
        drop = no_deal if no_deal in occurring else occurring[-1]
        for option_id in occurring:
            if option_id == drop:
                continue
            hit = (ends == option_id).astype(float)
            name = f"{issue_id} ends at {option_id}"
            h = HeadlineAudit(
                f"{issue_id}->{option_id}", name, "event", float(hit.mean()), issue_id, option_id
            )
            out.append((h, hit))
    return out


def _no_deal(scenario: Scenario, issue_id: str) -> Any:
    for actor in scenario.actors.values():
        if issue_id in actor.fallback.outcomes:
            return actor.fallback.outcomes[issue_id]
    return scenario.issues[issue_id].status_quo


def _partition_key(column: pd.Series) -> bytes | None:
    """A canonical labelling of the runs by a flag or category (None for numbers)."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return None
    codes, _ = pd.factorize(column.astype("object").where(column.notna(), "<missing>"))
    _, first = np.unique(codes, return_index=True)
    relabel = np.empty(len(first), dtype=np.int64)
    relabel[np.argsort(np.argsort(first))] = np.arange(len(first))
    return bytes(relabel[codes].tobytes())


def audit_tables(
    runs: pd.DataFrame,
    draws: pd.DataFrame,
    scenario: Scenario,
    *,
    bins: int | None = None,
) -> Audit:
    """Rank the sampled inputs of ``draws`` for every headline of ``runs``.

    Parameters
    ----------
    runs
        A runs table (of one scenario, or of a sweep with ``point``).
    draws
        Its draws table (:func:`negosim.load_draws`, or :func:`negosim.tables.draws.draws_table`).
    scenario
        The scenario the runs come from, for the headlines' options and the provenance.
    bins
        Quantile bins for numeric inputs (default: :func:`negosim.tables.first_order.n_bins`).

    Raises
    ------
    UsageError
        For fewer than 100 runs, or draws that do not cover the runs.
    """
    keys = run_keys(runs)
    missing = [k for k in keys if k not in draws]
    if missing:
        raise UsageError(f"the draws have no {', '.join(missing)} column to join the runs on")
    table = draws.set_index(keys)
    inputs = [c for c in table.columns if table[c].nunique(dropna=False) > 1]
    # One row per distinct way of splitting the runs: the first column in table order stands for
    # the others (an election's outcome, the inauguration it triggers, the head it installs).
    seen: dict[bytes, str] = {}
    equivalent: dict[str, list[str]] = {}
    kept = []
    for column in inputs:
        key = _partition_key(table[column])
        if key is not None and key in seen:
            equivalent[seen[key]].append(column)
            continue
        if key is not None:
            seen[key] = column
        equivalent[column] = []
        kept.append(column)
    provenance = {c: input_provenance(scenario, c) for c in kept}
    found = headlines(runs, scenario)
    n = len(found[0][1]) if found else 0
    if n < MIN_RUNS:
        raise UsageError(f"an audit needs at least {MIN_RUNS} runs (got {n}); use more --runs")
    audited = []
    # A headline that holds in exactly the runs of an earlier one (every issue of a package
    # agreed together) is named beside it, not audited again.
    first: dict[bytes, int] = {}
    same: dict[int, list[str]] = {}
    unique = []
    for i, (headline, y) in enumerate(found):
        digest = y.to_numpy(dtype=float).tobytes()
        if digest in first:
            same[first[digest]].append(headline.name)
            continue
        first[digest], same[i] = i, []
        unique.append((i, headline, y))
    for i, headline, y in unique:
        if not y.index.isin(table.index).all():
            raise UsageError("the draws do not cover every run of the runs table")
        aligned = table.reindex(y.index)
        # A headline the same in every run has no variance to share out: no inputs.
        varies = y.nunique() > 1
        scores = [
            InputScore(
                column,
                first_order(aligned[column], y.to_numpy(), bins=bins),
                best_split(aligned[column], y.to_numpy()),
                provenance[column],
                tuple(equivalent[column]),
            )
            for column in (kept if varies else [])
        ]
        scores.sort(key=lambda s: -s.score.index)
        audited.append(
            HeadlineAudit(
                headline.id,
                headline.name,
                headline.kind,
                headline.mean,
                headline.issue,
                headline.option,
                tuple(scores),
                tuple(same[i]),
            )
        )
    notes: tuple[str, ...] = ()
    if "point" in keys:
        notes = ("a sweep: each design point's factor values are part of the inputs' draws",)
    return Audit(n, tuple(audited), len(inputs), notes)
