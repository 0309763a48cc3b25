"""The assumption audit of a scenario: run it (or read its results) and rank what carries it.

The analysis is :func:`negosim.tables.audit.audit_tables`; this module supplies its tables, from
a fresh simulation or from a results or sweep folder written earlier.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from negosim.errors import UsageError
from negosim.scenario.schema import Scenario
from negosim.simulation.simulate import DEFAULT_BLOCK_SIZE, build_model, simulate
from negosim.tables.audit import Audit, audit_tables
from negosim.tables.draws import draws_table, load_draws
from negosim.tables.results import load_results

__all__ = ["audit_folder", "audit_scenario"]

# The runs-table columns an audit reads (a sweep's are read part by part, these only).
_COLUMNS = ["point", "run", "issue", "outcome", "value", "run_end_reason"]


def audit_scenario(
    scenario: Scenario,
    runs: int | None = None,
    seed: int | None = None,
    *,
    model: str | None = None,
    block_size: int = DEFAULT_BLOCK_SIZE,
    bins: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Audit:
    """Simulate ``scenario`` as :func:`negosim.simulate` does and audit the runs.

    Parameters
    ----------
    scenario, runs, seed, model, block_size, progress
        As for :func:`negosim.simulate`.
    bins
        Quantile bins for numeric inputs (default
        :func:`negosim.tables.first_order.n_bins`).
    """
    results = simulate(scenario, runs, seed, model=model, block_size=block_size, progress=progress)
    compiled = build_model(scenario, model).compile()
    draws = draws_table(
        compiled,
        runs=results.manifest["runs"],
        seed=results.manifest["seed"],
        block_size=block_size,
    )
    return audit_tables(results.runs, draws, scenario, bins=bins)


def audit_folder(
    folder: str | os.PathLike[str], scenario: Scenario, *, bins: int | None = None
) -> Audit:
    """Audit the results folder (``negosim run --out``) or sweep folder ``folder``, written
    from ``scenario``.

    Raises
    ------
    UsageError
        If the folder holds results of another scenario (or of another version of its file),
        lists no draws, or is not a results or sweep folder.
    """
    path = Path(folder)
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: not a results or sweep folder (no manifest.json)") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path / 'manifest.json'}: unreadable manifest: {exc}") from None
    theirs = manifest.get("scenario", {}) if isinstance(manifest, dict) else {}
    if scenario.sha256 is not None and theirs.get("sha256") != scenario.sha256:
        raise UsageError(
            f"{path} holds results of another scenario file ({theirs.get('id')!r}, sha256 "
            f"{str(theirs.get('sha256'))[:12]}...), not of {scenario.path}; audit the file they "
            "were run from, or re-run it"
        )
    draws = load_draws(path)
    if manifest.get("kind") == "sweep":
        from negosim.sweeps.sweep import load_sweep

        runs = load_sweep(path, columns=_COLUMNS).runs
    else:
        runs = load_results(path).runs
    return audit_tables(_needed(runs), draws, scenario, bins=bins)


def _needed(runs: pd.DataFrame) -> pd.DataFrame:
    return runs[[c for c in _COLUMNS if c in runs]]
