"""Backtest the spatial models on DEU III: mean absolute error per half with bootstrap intervals.

Protocol (from the data's README): split by proposal, never by issue; tune only on proposals with an
odd ``prnrnmc``; report both halves and quote the even half as the held-out figure; always report
the compromise model beside any other.

**Bootstrap.** Issues of one proposal are decided together by the same actors, so their errors are
correlated; resampling issues would understate the uncertainty.  Each replicate draws the half's
proposals with replacement (a cluster bootstrap) and takes the MAE over all issues of the drawn
proposals.  The same draws serve every model, so the interval of the *paired difference* to the
compromise model (``diff_*`` columns) is much narrower than a comparison of two intervals would
suggest.  Intervals are percentile intervals (2.5 % and 97.5 %).

**Which models.** Every registered decision model that declares a point forecast
(``Supports.point_forecast``, :mod:`negosim.models.registry`) is scored with its default
parameters, through its ``point_forecast`` on DEU III's proposals (the issues of one proposal are
decided together); beside them, :data:`BASELINES` (simple rules, not decision models: the plain
mean and median, the weighted median, the status quo) and :data:`VARIANTS` (studies of a
registered model: other parameters, parameters tuned on the odd half, other capability measures),
each scored only while its model is registered.  :func:`backtest_models` lists them all.

A model may leave an issue out by forecasting NaN (the status quo is unknown on 100 issues); its MAE
and its difference to the compromise model are then taken over the issues it does forecast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from negosim.errors import UsageError
from negosim.limits import check_memory
from negosim.models.compromise import compromise, mean, median, weighted_median
from negosim.models.registry import get_model, model_names
from negosim.validation.deu3 import DEU3, Capability, capabilities, load_deu3

__all__ = [
    "BASELINES",
    "SALIENCE_MAX",
    "VARIANTS",
    "Forecast",
    "ModelFn",
    "Variant",
    "backtest_models",
    "by_proposal",
    "format_table",
    "run_backtest",
]

FloatArray = NDArray[np.float64]
BASELINE = "compromise"
HALVES = ("odd", "even", "all")


@dataclass(frozen=True)
class Forecast:
    """One model's forecasts for every DEU III issue.

    Attributes
    ----------
    values
        Forecast outcome per issue, shape ``(n_issues,)``; NaN leaves the issue out.
    params
        Parameters worth reporting, e.g. what was tuned on the odd half.
    """

    values: FloatArray
    params: str = ""


ModelFn = Callable[[DEU3, FloatArray], "Forecast | FloatArray"]
"""A model for the backtest: ``f(data, capability) -> forecasts``, where ``capability`` has
shape ``(n_issues, n_actors)``.  A model that tunes anything must look only at ``data.odd``."""


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


def _mae(forecast: FloatArray, data: DEU3, mask: NDArray[np.bool_]) -> float:
    return float(np.abs(forecast - data.outcome)[mask].mean())


# --- the models ---------------------------------------------------------------------------

SALIENCE_MAX = 100.0
"""DEU III saliences lie on 0-100."""


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


def _tuned(model: str, grid: Mapping[str, Sequence[Any]], label: str = "") -> ModelFn:
    """The registered model with the parameters of ``grid`` scoring best on the odd half (the
    first of equal scores, in the grid's order)."""

    def run(data: DEU3, cap: FloatArray) -> Forecast:
        best: tuple[float, FloatArray, dict[str, Any]] | None = None
        for values in product(*grid.values()):
            parameters = dict(zip(grid, values, strict=True))
            forecast = _point_forecast(model, data, cap, **parameters)
            score = _mae(forecast, data, data.odd)
            if best is None or score < best[0]:
                best = (score, forecast, parameters)
        assert best is not None, "an empty grid"
        chosen = ", ".join(f"{key}={value}" for key, value in best[2].items())
        return Forecast(best[1], f"{chosen} (tuned on odd{label})")

    return run


def _eum_tuned(data: DEU3, cap: FloatArray) -> Forecast:
    """The expected utility model with the reading choices scoring best on the odd half (the
    first of equal scores in the order conflict, offer rule, forecast).  One run per pair of
    reading choices gives both forecasts, the median voter position and the weighted mean, so
    the study costs four runs, not eight."""
    from negosim.models.expected_utility import expected_utility

    positions, salience, capability, unstack = by_proposal(data, cap)
    by_issue = np.swapaxes(positions, 1, 2)  # actors last, as the model's point_forecast does
    best: tuple[float, FloatArray, str] | None = None
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
            forecast = unstack(np.asarray(values, dtype=np.float64))
            score = _mae(forecast, data, data.odd)
            if best is None or score < best[0]:
                label = f"conflict={conflict}, offer_rule={rule}, forecast={output}"
                best = (score, forecast, label)
    assert best is not None
    return Forecast(best[1], best[2] + " (tuned on odd)")


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


def _compromise_exponents(data: DEU3, cap: FloatArray) -> Forecast:
    grid = product(np.arange(0.0, 3.01, 0.25), np.arange(0.0, 2.01, 0.25))
    scored = []
    for alpha, beta in grid:
        values = compromise(data.positions, data.salience, cap**beta, salience_exponent=alpha)
        scored.append((_mae(values, data, data.odd), float(alpha), float(beta), values))
    _, alpha, beta, values = min(scored, key=lambda t: t[0])
    return Forecast(values, f"weights c^{beta:g} * s^{alpha:g} (tuned on odd)")


def _compromise_mean_blend(data: DEU3, cap: FloatArray) -> Forecast:
    base = _point_forecast(BASELINE, data, cap)
    plain = _mean(data, cap)
    scored = [
        (_mae((1 - share) * base + share * plain, data, data.odd), float(share))
        for share in np.linspace(0.0, 1.0, 11)
    ]
    share = min(scored)[1]
    return Forecast((1 - share) * base + share * plain, f"{share:g} x mean (tuned on odd)")


@dataclass(frozen=True)
class Variant:
    """A study of a registered model in the backtest.

    Attributes
    ----------
    model
        The registered model it studies; the variant is scored only while that model is
        registered and declares a point forecast.
    run
        The study itself, a :data:`ModelFn`.
    """

    model: str
    run: ModelFn


VARIANTS: dict[str, Variant] = {
    "expected_utility_mean": Variant("expected_utility", _eum_mean),
    "expected_utility_tuned": Variant("expected_utility", _eum_tuned),
    "expected_utility_scholz_code": Variant("expected_utility", _eum_scholz_code),
    "exchange_tuned": Variant("exchange", _tuned("exchange", {"max_rounds": range(6)}, ", 0-5")),
    "compromise_council": Variant(BASELINE, _with_capability("council")),
    "compromise_shapley_shubik": Variant(BASELINE, _with_capability("shapley_shubik")),
    "compromise_exponents_tuned": Variant(BASELINE, _compromise_exponents),
    "compromise_mean_blend_tuned": Variant(BASELINE, _compromise_mean_blend),
}
"""Studies of registered models.  ``*_tuned`` variants pick their parameters on the odd half."""

# What a registered model reports beside its score (its parameters worth naming).
_NOTES: dict[str, ModelFn] = {"exchange": _exchange}


def backtest_models() -> dict[str, ModelFn]:
    """Every model the backtest knows by name, in the order of its table.

    Returns
    -------
    dict
        Name -> :data:`ModelFn`: the compromise baseline first, then :data:`BASELINES`, then
        every other registered model declaring ``Supports.point_forecast`` (registry order),
        then the :data:`VARIANTS` whose model is among them.
    """
    registered = [name for name in model_names() if get_model(name).supports.point_forecast]
    if BASELINE not in registered:
        raise UsageError(f"the backtest needs the {BASELINE!r} model, which is not registered")
    chosen: dict[str, ModelFn] = {BASELINE: _registered(BASELINE), **BASELINES}
    for name in registered:
        if name != BASELINE:
            chosen[name] = _NOTES.get(name, _registered(name))
    for name, variant in VARIANTS.items():
        if variant.model in registered:
            chosen[name] = variant.run
    return chosen


# --- scoring ------------------------------------------------------------------------------


def _resolve(models: Iterable[str] | Mapping[str, ModelFn] | None) -> dict[str, ModelFn]:
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


def _interval(samples: FloatArray) -> tuple[float, float]:
    low, high = np.nanpercentile(samples, [2.5, 97.5])
    return float(low), float(high)


def run_backtest(
    models: Iterable[str] | Mapping[str, ModelFn] | None = None,
    *,
    capability: Capability = "gdp",
    n_boot: int = 2000,
    rng: np.random.Generator | None = None,
    data: DEU3 | None = None,
) -> pd.DataFrame:
    """Score models on DEU III: MAE on the odd half, the held-out even half and overall.

    Parameters
    ----------
    models
        Names from :func:`backtest_models`, or a mapping ``name -> ModelFn``; all of
        :func:`backtest_models` when ``None``.  The compromise model is always included, as the
        baseline.
    capability
        Capability measure handed to every model (see :func:`negosim.validation.deu3.capabilities`).
    n_boot
        Bootstrap replicates (resampling proposals).
    rng
        Random generator for the bootstrap; ``np.random.default_rng(0)`` when ``None``.
    data
        The data; :func:`negosim.validation.deu3.load_deu3` when ``None``.

    Returns
    -------
    pandas.DataFrame
        One row per model and half (``odd``, ``even``, ``all``) with ``n_issues``,
        ``n_proposals``, ``mae``, ``mae_low``, ``mae_high`` (95 % bootstrap interval), ``diff``
        (MAE minus the compromise model's on the same issues), ``diff_low``, ``diff_high`` and
        ``params``.

    Raises
    ------
    UsageError
        On an unknown model, a bad ``n_boot`` or a model returning the wrong shape.
    """
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 1:
        raise UsageError(f"n_boot must be a positive integer (got {n_boot!r})")
    data = load_deu3() if data is None else data
    # The bootstrap's weights and draws are (n_boot, proposals) arrays: refused before any work
    # when they pass the memory budget, not as a MemoryError after the models ran.
    check_memory(
        24 * n_boot * np.unique(data.proposal).size,
        f"{n_boot:,} bootstrap replicates",
        "use fewer (--boot)",
    )
    rng = np.random.default_rng(0) if rng is None else rng
    cap = capabilities(data, capability)
    forecasts: dict[str, Forecast] = {}
    for name, model in _resolve(models).items():
        result = model(data, cap)
        forecast = result if isinstance(result, Forecast) else Forecast(np.asarray(result))
        if forecast.values.shape != (data.n_issues,):
            raise UsageError(
                f"model {name!r} returned shape {forecast.values.shape}, "
                f"expected ({data.n_issues},)"
            )
        forecasts[name] = forecast

    _, proposal_index = np.unique(data.proposal, return_inverse=True)
    n_props_total = int(proposal_index.max()) + 1
    baseline_error = np.abs(forecasts[BASELINE].values - data.outcome)
    rows = []
    for half in HALVES:
        in_half = {"odd": data.odd, "even": ~data.odd, "all": np.ones(data.n_issues, bool)}[half]
        props = np.unique(proposal_index[in_half])
        draws = rng.multinomial(props.size, np.full(props.size, 1.0 / props.size), size=n_boot)
        weights = np.zeros((n_boot, n_props_total))
        weights[:, props] = draws

        def per_proposal(values: FloatArray, mask: NDArray[np.bool_]) -> FloatArray:
            sums = np.bincount(proposal_index[mask], values[mask], minlength=n_props_total)
            return np.asarray(sums, dtype=np.float64)

        for name, forecast in forecasts.items():
            error = np.abs(forecast.values - data.outcome)
            mask = in_half & ~np.isnan(error)
            count = per_proposal(np.ones(data.n_issues), mask)
            with np.errstate(invalid="ignore", divide="ignore"):
                boot = weights @ per_proposal(error, mask) / (weights @ count)
                delta = (error - baseline_error)[mask]
                boot_diff = weights @ per_proposal(error - baseline_error, mask) / (weights @ count)
            rows.append(
                {
                    "model": name,
                    "half": half,
                    "n_issues": int(mask.sum()),
                    "n_proposals": int(np.unique(proposal_index[mask]).size),
                    "mae": float(error[mask].mean()),
                    "mae_low": _interval(boot)[0],
                    "mae_high": _interval(boot)[1],
                    "diff": float(delta.mean()),
                    "diff_low": _interval(boot_diff)[0],
                    "diff_high": _interval(boot_diff)[1],
                    "params": forecast.params,
                }
            )
    return pd.DataFrame(rows)


def format_table(results: pd.DataFrame) -> str:
    """Render :func:`run_backtest` output as a Markdown table, one row per model.

    Parameters
    ----------
    results
        The frame returned by :func:`run_backtest`.

    Returns
    -------
    str
        Columns: model, then for each half the MAE with its 95 % interval, then the even-half
        difference to the compromise model with its interval, and the parameters.
    """
    lines = [
        "| model | odd (tuning) | even (held out) | all | even − compromise | n | params |",
        "|---|---|---|---|---|---|---|",
    ]
    for model, group in results.groupby("model", sort=False):
        cells = group.set_index("half").to_dict("index")

        def cell(half: str, column: str, cells: dict[Any, dict[Any, Any]] = cells) -> float:
            value = float(cells[half][column])
            return 0.0 if abs(value) < 1e-9 else value  # no "-0.00" from rounding noise

        row = [str(model)]
        for half in HALVES:
            row.append(
                f"{cell(half, 'mae'):.2f} [{cell(half, 'mae_low'):.2f}, "
                f"{cell(half, 'mae_high'):.2f}]"
            )
        row.append(
            f"{cell('even', 'diff'):+.2f} [{cell('even', 'diff_low'):+.2f}, "
            f"{cell('even', 'diff_high'):+.2f}]"
        )
        row.append(str(round(cell("all", "n_issues"))))
        row.append(str(cells["even"]["params"]))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)
