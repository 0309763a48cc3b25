"""Run several decision models on one scenario and put their outcomes side by side.

Every model runs through :func:`negosim.simulate` with the same seed, so each replicate samples
the same saliences, capabilities and utilities under every model (the draws are paired).  The
models come from the registry (:mod:`negosim.models.registry`): by default, every registered model
that can run the scenario.  The comparison table is computed here, from the tables of
:mod:`negosim.tables` (the runs of every model in one table, then outcome probabilities per
model); :mod:`negosim.plots.compare` draws from the same tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from negosim.errors import UsageError
from negosim.models.registry import get_model, model_names
from negosim.scenario.schema import Scenario
from negosim.simulation.simulate import (
    DEFAULT_BLOCK_SIZE,
    build_model,
    check_counts,
    check_in_memory,
    simulate,
)
from negosim.tables.results import Comparable, Results, comparison_runs
from negosim.tables.summary import outcome_probabilities, proportions

__all__ = [
    "compare",
    "comparison_table",
    "red_line_breaches",
    "run_models",
    "supported_models",
]


def supported_models(scenario: Scenario) -> tuple[list[str], dict[str, str]]:
    """Registered models that can run ``scenario``, and why each other one cannot.

    Parameters
    ----------
    scenario
        A loaded scenario.

    Returns
    -------
    tuple
        The names of the models that can run it, and a mapping from every other model's name to
        the message saying what it lacks.
    """
    ok, skipped = [], {}
    for name in model_names():
        try:
            build_model(scenario, name)
        except UsageError as exc:
            skipped[name] = str(exc)
        else:
            ok.append(name)
    return ok, skipped


def _names(scenario: Scenario, models: Sequence[str] | None) -> list[str]:
    if isinstance(models, str):
        raise UsageError(f"models must be a list of names (got the string {models!r})")
    names = list(dict.fromkeys(models)) if models is not None else supported_models(scenario)[0]
    if not names:
        raise UsageError("no model to compare")
    for name in names:
        get_model(name)  # an unknown name fails here, before any model runs
    return names


def run_models(
    scenario: Scenario,
    models: Sequence[str] | None = None,
    *,
    runs: int | None = None,
    seed: int | None = None,
) -> dict[str, Results]:
    """Simulate ``scenario`` under each model.

    Parameters
    ----------
    scenario
        A loaded scenario.
    models
        Registered model names; ``None`` runs every model that supports the scenario.
    runs, seed
        Runs per model and master seed (default: the scenario's ``engine.runs`` and
        ``engine.seed``).

    Returns
    -------
    dict
        Model name -> :class:`~negosim.tables.results.Results`, in the order given.

    Raises
    ------
    UsageError
        On an unknown model, or a model named explicitly that cannot handle the scenario (the
        message names what it lacks), a package larger than a model enumerates (the message
        names the model), or tables that would pass the memory budget
        (:mod:`negosim.limits`); every model is checked before any runs.
    """
    names = _names(scenario, models)
    n_runs = scenario.engine.runs if runs is None else runs
    check_counts(n_runs, scenario.engine.seed if seed is None else seed, DEFAULT_BLOCK_SIZE)
    for name in names:
        # Compiling names the model whose limit a package passes, before any model runs.
        compiled = build_model(scenario, name).compile()
    # Every model's tables are held at once.
    check_in_memory(compiled, n_runs * len(names))
    return {name: simulate(scenario, runs, seed, model=name) for name in names}


def comparison_table(results: Comparable) -> pd.DataFrame:
    """Outcome probabilities per model per issue: the comparison table.

    Parameters
    ----------
    results
        :func:`run_models`' mapping model name -> results, or anything
        :func:`~negosim.tables.results.comparison_runs` accepts (a runs table with a ``model``
        column, say).

    Returns
    -------
    pandas.DataFrame
        :func:`~negosim.tables.summary.outcome_probabilities` with a leading ``model`` column:
        ``model, issue, outcome, agreed, runs, count, probability, low, high``; models in the
        order given.
    """
    runs = comparison_runs(results)
    table = outcome_probabilities(runs, by=["model"])
    order = {name: k for k, name in enumerate(dict.fromkeys(runs["model"]))}
    return table.sort_values("model", key=lambda m: m.map(order), kind="stable", ignore_index=True)


def compare(
    scenario: Scenario,
    models: Sequence[str] | None = None,
    *,
    runs: int | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """Outcome probabilities of each issue under each model, side by side.

    Parameters
    ----------
    scenario
        A loaded scenario.
    models
        Registered model names, e.g. ``["bargaining", "compromise", "nash"]``; ``None`` runs every
        model that supports the scenario (:func:`supported_models`).
    runs, seed
        Runs per model and master seed (default: the scenario's).

    Returns
    -------
    pandas.DataFrame
        One row per model, issue and outcome (see :func:`comparison_table`); pivot it with
        ``table.pivot_table(index=["issue", "outcome"], columns="model", values="probability")``.

    Raises
    ------
    UsageError
        On an unknown model, or a model that cannot handle the scenario.

    Examples
    --------
    >>> table = compare(scenario, ["bargaining", "compromise"], runs=500, seed=1)  # doctest: +SKIP
    """
    return comparison_table(run_models(scenario, models, runs=runs, seed=seed))


def red_line_breaches(scenario: Scenario, results: Comparable) -> pd.DataFrame:
    """How often each model agrees on something an actor's stated red line excludes.

    A red line is what an actor never agrees to; the forecasting models know nothing of red
    lines, so their forecasts can land outside one.  Only agreed outcomes count: what a fallback
    imposes without a deal is nobody's agreement.

    Parameters
    ----------
    scenario
        The scenario, for the red lines.
    results
        What :func:`comparison_table` accepts (a mapping model name -> results, say).

    Returns
    -------
    pandas.DataFrame
        ``[model, count, runs, probability, low, high, breaches]``, one row per model in order:
        ``count`` runs agreed on at least one outcome outside a red line; ``breaches`` lists
        ``(actor_id, issue_id, outcome)`` from the most frequent down (the outcome is the
        option id, or the value for a continuous issue).
    """
    runs = comparison_runs(results)
    keys = ["model", "point", "run"] if "point" in runs else ["model", "run"]
    outside = pd.Series(False, index=runs.index)
    seen: dict[tuple[str, str, str], pd.Series] = {}
    for actor_id, actor in scenario.actors.items():
        for issue_id, stance in actor.stances.items():
            line = stance.red_line
            if line is None:
                continue
            rows = runs["agreed"].to_numpy(dtype=bool) & (runs["issue"] == issue_id).to_numpy()
            if line.acceptable is not None:
                bad = rows & ~runs["outcome"].isin(list(line.acceptable)).to_numpy(dtype=bool)
                what = runs["outcome"].astype(str)
            else:
                low, high = line.range  # type: ignore[misc]
                value = runs["value"].to_numpy(dtype=float)
                bad = rows & ((value < low) | (value > high))
                what = runs["value"].map(lambda v: f"{v:g}")
            for outcome in sorted(set(what[bad])):
                seen[(actor_id, issue_id, outcome)] = pd.Series(bad & (what == outcome).to_numpy())
            outside |= bad
    per_run = outside.groupby([runs[k] for k in keys], sort=False).any()
    table = per_run.groupby(level="model", sort=False).agg(["sum", "count"]).reset_index()
    table.columns = ["model", "count", "runs"]
    table = proportions(table.astype({"count": "int64", "runs": "int64"}))
    models = runs["model"].to_numpy()
    listed: list[list[tuple[str, str, str]]] = []
    for model in table["model"]:
        mine = {key: int(hit[models == model].sum()) for key, hit in seen.items()}
        listed.append(sorted((k for k, n in mine.items() if n), key=lambda k: -mine[k]))
    table["breaches"] = pd.Series(listed, index=table.index, dtype=object)
    return table
