"""Run several decision models on one scenario and put their outcomes side by side."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from negosim.errors import UsageError
from negosim.models.registry import model_names
from negosim.scenario.schema import Scenario
from negosim.simulation import build_model, simulate
from negosim.tables.results import Results
from negosim.tables.summary import outcome_probabilities

__all__ = ["compare", "supported_models"]


def supported_models(scenario: Scenario) -> tuple[list[str], dict[str, str]]:
    """Registered models that can run ``scenario``, and why each other one cannot."""
    ok, skipped = [], {}
    for name in model_names():
        try:
            build_model(scenario, name)
        except UsageError as exc:
            skipped[name] = str(exc)
        else:
            ok.append(name)
    return ok, skipped


def compare(
    scenario: Scenario,
    models: Sequence[str] | None = None,
    *,
    runs: int | None = None,
    seed: int | None = None,
) -> tuple[pd.DataFrame, dict[str, Results]]:
    """Outcome probabilities per model per issue (a ``model`` column), and each model's results.

    With ``models=None`` every registered model that supports the scenario runs; a model named
    explicitly that cannot handle the scenario raises :class:`UsageError` naming what it lacks.
    """
    names = list(models) if models is not None else supported_models(scenario)[0]
    if not names:
        raise UsageError("no model to compare")
    results = {name: simulate(scenario, runs, seed, model=name) for name in names}
    table = outcome_probabilities(
        pd.concat([r.runs.assign(model=name) for name, r in results.items()], ignore_index=True),
        by=["model"],
    )
    return table, results
