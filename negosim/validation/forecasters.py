"""The models the DEU III backtest scores, and how a tuned one is tuned on training proposals only.

A backtest model is either

- a :data:`ModelFn`, ``f(data, capability) -> forecasts``: a fixed rule.  It is called once, on the
  data with **every outcome hidden** (NaN in ``data.outcome`` and in ``data.issues["out"]``), so
  it cannot look at what it forecasts; or
- a :class:`Tuned` model: a function returning *candidate* forecasts (a grid of parameters, the
  reading choices of a model), also called once with every outcome hidden, and a selection rule
  that is shown, for each split, only the outcomes of the training proposals
  (:func:`lowest_mae` by default: the candidate with the lowest MAE there).

Because the candidates never see an outcome and the selection sees only the training ones, no
held-out outcome can reach a forecast, whichever split the scoring uses (the odd/even halves of
:func:`~negosim.validation.backtest.run_backtest` or the random splits of
:func:`~negosim.validation.splits.run_splits`), and a split costs a selection, not a re-run.

**Which models.** Every registered decision model that declares a point forecast
(``Supports.point_forecast``, :mod:`negosim.models.registry`) is scored with its default
parameters, through its ``point_forecast`` on DEU III's proposals (the issues of one proposal are
decided together); beside them, :data:`BASELINES` (simple rules, not decision models: the plain
mean and median, the weighted median, the status quo) and :data:`VARIANTS` (studies of a
registered model: other parameters, parameters tuned on the training proposals, other capability
measures), each scored only while its model is registered.  :func:`backtest_models` lists them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any

import numpy as np
from numpy.typing import NDArray

from negosim.errors import UsageError
from negosim.models.compromise import compromise, mean, median, weighted_median
from negosim.models.registry import get_model, model_names
from negosim.validation.deu3 import DEU3, Capability, capabilities

__all__ = [
    "BASELINE",
    "BASELINES",
    "SALIENCE_MAX",
    "VARIANTS",
    "Candidates",
    "Forecast",
    "ModelFn",
    "Prepared",
    "Tuned",
    "Variant",
    "backtest_models",
    "by_proposal",
    "hide_outcomes",
    "lowest_mae",
    "prepare",
    "prepare_models",
    "resolve_models",
]

FloatArray = NDArray[np.float64]
BASELINE = "compromise"
"""The baseline every model is compared with."""
SALIENCE_MAX = 100.0
"""DEU III saliences lie on 0-100."""


@dataclass(frozen=True)
class Forecast:
    """One model's forecasts for every DEU III issue.

    Attributes
    ----------
    values
        Forecast outcome per issue, shape ``(n_issues,)``; NaN leaves the issue out.
    params
        Parameters worth reporting.
    """

    values: FloatArray
    params: str = ""


ModelFn = Callable[[DEU3, FloatArray], "Forecast | FloatArray"]
"""A fixed model for the backtest: ``f(data, capability) -> forecasts``, where ``capability`` has
shape ``(n_issues, n_actors)``.  It is called with every outcome hidden; a model that tunes
anything is a :class:`Tuned`."""

Candidates = Callable[[DEU3, FloatArray], Sequence[tuple[str, FloatArray]]]
"""``f(data, capability) -> [(label, forecasts), ...]``: the forecasts a tuned model chooses among,
each of shape ``(n_issues,)``; called with every outcome hidden."""


def lowest_mae(values: FloatArray, outcome: FloatArray) -> int:
    """The candidate with the lowest MAE on the issues whose outcome is shown.

    Parameters
    ----------
    values
        Candidate forecasts, shape ``(n_candidates, n_issues)``.
    outcome
        Outcomes, shape ``(n_issues,)``: NaN on every held-out issue.

    Returns
    -------
    int
        The row of ``values``; the first of equal scores (the grid's order).
    """
    error = np.abs(values - outcome)
    shown = ~np.isnan(error)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(shown, error, 0.0).sum(axis=1) / shown.sum(axis=1)
    return int(np.argmin(np.where(np.isnan(score), np.inf, score)))


@dataclass(frozen=True)
class Tuned:
    """A model tuned on the training proposals by choosing among candidate forecasts.

    Attributes
    ----------
    candidates
        The candidate forecasts (:data:`Candidates`), computed once with every outcome hidden.
    select
        ``select(values, outcome) -> row``: shown the outcomes of the training issues only (NaN
        elsewhere); :func:`lowest_mae` by default.
    note
        Said beside the chosen candidate's label, e.g. the grid searched (``", 0-5"``).
    """

    candidates: Candidates
    select: Callable[[FloatArray, FloatArray], int] = lowest_mae
    note: str = ""


@dataclass(frozen=True)
class Prepared:
    """A model's forecasts, ready to be scored on any split.

    Attributes
    ----------
    labels
        One label per candidate (one for a fixed model: its reported parameters).
    values
        Shape ``(n_candidates, n_issues)``.
    tuned
        The :class:`Tuned` model, or ``None`` for a fixed one.
    """

    labels: tuple[str, ...]
    values: FloatArray
    tuned: Tuned | None = None

    def choose(self, data: DEU3, train: NDArray[np.bool_]) -> tuple[int, FloatArray, str]:
        """The candidate tuned on the ``train`` issues: its row, its forecasts, its label."""
        if self.tuned is None:
            return 0, self.values[0], self.labels[0]
        row = self.tuned.select(self.values, np.where(train, data.outcome, np.nan))
        return row, self.values[row], self.labels[row]


def hide_outcomes(data: DEU3, shown: NDArray[np.bool_] | None = None) -> DEU3:
    """A copy of ``data`` whose outcomes are NaN except on the ``shown`` issues (none if None)."""
    keep = np.zeros(data.n_issues, bool) if shown is None else np.asarray(shown, bool)
    issues = data.issues.copy()
    issues["out"] = np.where(keep, issues["out"].to_numpy(dtype=np.float64), np.nan)
    return dataclasses.replace(data, issues=issues, outcome=np.where(keep, data.outcome, np.nan))


def prepare(name: str, model: ModelFn | Tuned, data: DEU3, cap: FloatArray) -> Prepared:
    """Run ``model`` once on ``data`` with every outcome hidden.

    Raises
    ------
    UsageError
        If a forecast has the wrong shape or a tuned model has no candidate.
    """
    blind = hide_outcomes(data)
    if isinstance(model, Tuned):
        pairs = list(model.candidates(blind, cap))
        if not pairs:
            raise UsageError(f"tuned model {name!r} has no candidate forecast")
        tuned: Tuned | None = model
    else:
        result = model(blind, cap)
        forecast = result if isinstance(result, Forecast) else Forecast(np.asarray(result))
        pairs, tuned = [(forecast.params, forecast.values)], None
    for _, values in pairs:
        if np.shape(values) != (data.n_issues,):
            raise UsageError(
                f"model {name!r} returned shape {np.shape(values)}, expected ({data.n_issues},)"
            )
    stacked = np.asarray([values for _, values in pairs], dtype=np.float64)
    return Prepared(tuple(label for label, _ in pairs), stacked, tuned)


def by_proposal(
    data: DEU3, capability: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, Callable[[FloatArray], FloatArray]]:
    """Regroup issues by proposal for the multi-issue (exchange) model.

    Returns
    -------
    positions, salience
        Shape ``(n_proposals, n_actors, max_issues)``, padded with NaN / 0.
    capability
        Shape ``(n_proposals, n_actors)``: the capability on the proposal's issues.
    unstack
        Maps an array ``(n_proposals, max_issues)`` back to ``(n_issues,)``.

    Raises
    ------
    UsageError
        If an actor's capability differs between the issues of one proposal (the capability
        measures of :func:`~negosim.validation.deu3.capabilities` never do).
    """
    proposals, index = np.unique(data.proposal, return_inverse=True)
    slot = np.zeros(data.n_issues, dtype=np.int64)
    for p in range(proposals.size):
        members = np.flatnonzero(index == p)
        slot[members] = np.arange(members.size)
    n_actors = len(data.actors)
    shape = (proposals.size, n_actors, int(slot.max()) + 1)
    positions = np.full(shape, np.nan)
    salience = np.zeros(shape)
    positions[index, :, slot] = data.positions
    salience[index, :, slot] = data.salience
    first = np.array([np.flatnonzero(index == p)[0] for p in range(proposals.size)])
    per_proposal = capability[first][index]
    if not np.array_equal(per_proposal, capability, equal_nan=True):
        raise UsageError("capabilities must be the same on every issue of a proposal")

    def unstack(values: FloatArray) -> FloatArray:
        return np.asarray(values[index, slot], dtype=np.float64)

    return positions, salience, capability[first], unstack


# --- the models ---------------------------------------------------------------------------


def _point_forecast(model: str, data: DEU3, cap: FloatArray, **parameters: Any) -> FloatArray:
    """The registered model's ``point_forecast`` on every DEU III issue, proposal by proposal."""
    positions, salience, capability, unstack = by_proposal(data, cap)
    values = get_model(model).point_forecast(  # declared in Supports
        positions, salience, capability, salience_max=SALIENCE_MAX, **parameters
    )
    return unstack(np.asarray(values, dtype=np.float64))


def _registered(model: str) -> ModelFn:
    def run(data: DEU3, cap: FloatArray) -> FloatArray:
        return _point_forecast(model, data, cap)

    return run


def _mean(data: DEU3, cap: FloatArray) -> FloatArray:
    return mean(data.positions)


def _median(data: DEU3, cap: FloatArray) -> FloatArray:
    return median(data.positions)


def _weighted_median(data: DEU3, cap: FloatArray) -> FloatArray:
    return weighted_median(data.positions, cap * data.salience)


def _status_quo(data: DEU3, cap: FloatArray) -> FloatArray:
    return data.reference_point


BASELINES: dict[str, ModelFn] = {
    "mean": _mean,
    "median": _median,
    "weighted_median": _weighted_median,
    "status_quo": _status_quo,
}
"""Simple rules scored beside the decision models; they are not decision models."""


def _grid(model: str, grid: Mapping[str, Sequence[Any]]) -> Candidates:
    """The registered model at every point of ``grid``, in the grid's order."""

    def run(data: DEU3, cap: FloatArray) -> list[tuple[str, FloatArray]]:
        pairs = []
        for values in product(*grid.values()):
            parameters = dict(zip(grid, values, strict=True))
            label = ", ".join(f"{key}={value}" for key, value in parameters.items())
            pairs.append((label, _point_forecast(model, data, cap, **parameters)))
        return pairs

    return run


def _eum_choices(data: DEU3, cap: FloatArray) -> list[tuple[str, FloatArray]]:
    """The expected utility model under each reading choice, in the order conflict, offer rule,
    forecast.  One run per pair of reading choices gives both forecasts, the median voter
    position and the weighted mean, so the study costs four runs, not eight."""
    from negosim.models.expected_utility import expected_utility

    positions, salience, capability, unstack = by_proposal(data, cap)
    by_issue = np.swapaxes(positions, 1, 2)  # actors last, as the model's point_forecast does
    pairs = []
    for conflict, rule in product(("loser_moves", "no_move"), ("enforceable", "least_move")):
        run = expected_utility(
            by_issue,
            np.swapaxes(salience, 1, 2),
            np.broadcast_to(capability[:, None, :], by_issue.shape),
            conflict=conflict,  # type: ignore[arg-type]  # one of the model's literals
            offer_rule=rule,  # type: ignore[arg-type]
            salience_max=SALIENCE_MAX,
        )
        for output, values in (("median", run.forecast), ("mean", run.mean_forecast)):
            label = f"conflict={conflict}, offer_rule={rule}, forecast={output}"
            pairs.append((label, unstack(np.asarray(values, dtype=np.float64))))
    return pairs


def _eum_mean(data: DEU3, cap: FloatArray) -> FloatArray:
    return _point_forecast("expected_utility", data, cap, forecast="mean")


def _eum_scholz_code(data: DEU3, cap: FloatArray) -> Forecast:
    """The expected utility model under the reading of the authors' code, the one that
    reproduces Scholz et al.'s Table 2 (the default row is the paper's equations)."""
    values = _point_forecast("expected_utility", data, cap, reading="scholz_code")
    return Forecast(values, "reading=scholz_code, median voter forecast")


def _exchange(data: DEU3, cap: FloatArray) -> Forecast:
    return Forecast(_point_forecast("exchange", data, cap), "max_rounds=3 (the default)")


def _with_capability(kind: Capability) -> ModelFn:
    def model(data: DEU3, cap: FloatArray) -> Forecast:
        return Forecast(
            _point_forecast(BASELINE, data, capabilities(data, kind)), f"capability={kind}"
        )

    return model


def _compromise_exponents(data: DEU3, cap: FloatArray) -> list[tuple[str, FloatArray]]:
    grid = product(np.arange(0.0, 3.01, 0.25), np.arange(0.0, 2.01, 0.25))
    return [
        (
            f"weights c^{beta:g} * s^{alpha:g}",
            compromise(data.positions, data.salience, cap**beta, salience_exponent=alpha),
        )
        for alpha, beta in grid
    ]


def _compromise_mean_blend(data: DEU3, cap: FloatArray) -> list[tuple[str, FloatArray]]:
    base = _point_forecast(BASELINE, data, cap)
    plain = _mean(data, cap)
    return [
        (f"{share:g} x mean", (1 - share) * base + share * plain)
        for share in np.linspace(0.0, 1.0, 11)
    ]


@dataclass(frozen=True)
class Variant:
    """A study of a registered model in the backtest.

    Attributes
    ----------
    model
        The registered model it studies; the variant is scored only while that model is
        registered and declares a point forecast.
    run
        The study itself, a fixed :data:`ModelFn` or a :class:`Tuned` model.
    """

    model: str
    run: ModelFn | Tuned


VARIANTS: dict[str, Variant] = {
    "expected_utility_mean": Variant("expected_utility", _eum_mean),
    "expected_utility_tuned": Variant("expected_utility", Tuned(_eum_choices)),
    "expected_utility_scholz_code": Variant("expected_utility", _eum_scholz_code),
    "exchange_tuned": Variant(
        "exchange", Tuned(_grid("exchange", {"max_rounds": range(6)}), note=", 0-5")
    ),
    "compromise_council": Variant(BASELINE, _with_capability("council")),
    "compromise_shapley_shubik": Variant(BASELINE, _with_capability("shapley_shubik")),
    "compromise_exponents_tuned": Variant(BASELINE, Tuned(_compromise_exponents)),
    "compromise_mean_blend_tuned": Variant(BASELINE, Tuned(_compromise_mean_blend)),
}
"""Studies of registered models.  The ``*_tuned`` variants are :class:`Tuned`: they choose their
parameters on the training proposals of each split."""

# What a registered model reports beside its score (its parameters worth naming).
_NOTES: dict[str, ModelFn] = {"exchange": _exchange}


def backtest_models() -> dict[str, ModelFn | Tuned]:
    """Every model the backtest knows by name, in the order of its table.

    Returns
    -------
    dict
        Name -> :data:`ModelFn` or :class:`Tuned`: the compromise baseline first, then
        :data:`BASELINES`, then every other registered model declaring ``Supports.point_forecast``
        (registry order), then the :data:`VARIANTS` whose model is among them.
    """
    registered = [name for name in model_names() if get_model(name).supports.point_forecast]
    if BASELINE not in registered:
        raise UsageError(f"the backtest needs the {BASELINE!r} model, which is not registered")
    chosen: dict[str, ModelFn | Tuned] = {BASELINE: _registered(BASELINE), **BASELINES}
    for name in registered:
        if name != BASELINE:
            chosen[name] = _NOTES.get(name, _registered(name))
    for name, variant in VARIANTS.items():
        if variant.model in registered:
            chosen[name] = variant.run
    return chosen


def resolve_models(
    models: Iterable[str] | Mapping[str, ModelFn | Tuned] | None,
) -> dict[str, ModelFn | Tuned]:
    """The models to score, the compromise baseline first (added when missing).

    Parameters
    ----------
    models
        Names from :func:`backtest_models`, a mapping ``name -> model``, or ``None`` for all.

    Raises
    ------
    UsageError
        On an unknown name.
    """
    known = backtest_models()
    if models is None:
        chosen = dict(known)
    elif isinstance(models, Mapping):
        chosen = dict(models)
    else:
        chosen = {}
        for name in models:
            if name not in known:
                raise UsageError(f"unknown backtest model {name!r} (known: {', '.join(known)})")
            chosen[name] = known[name]
    chosen.setdefault(BASELINE, known[BASELINE])
    return {BASELINE: chosen.pop(BASELINE), **chosen}


def prepare_models(
    models: Iterable[str] | Mapping[str, ModelFn | Tuned] | None,
    data: DEU3,
    capability: Capability = "gdp",
) -> dict[str, Prepared]:
    """Every model of :func:`resolve_models` run once (:func:`prepare`), the baseline first.

    Hand the result to :func:`~negosim.validation.backtest.run_backtest` and
    :func:`~negosim.validation.splits.run_splits` (``prepared=``) to score the same forecasts on
    both protocols without running the models twice.
    """
    cap = capabilities(data, capability)
    return {name: prepare(name, model, data, cap) for name, model in resolve_models(models).items()}
