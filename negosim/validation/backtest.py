"""The DEU III backtest on the data README's fixed split: the odd and even halves.

Protocol (from the data's README): split by proposal, never by issue; tune only on proposals with an
odd ``prnrnmc``; report both halves and quote the even half as the held-out figure; always report
the compromise model beside any other.  One fixed split is one draw of many possible ones: the
headline of ``negosim backtest`` is the distribution over repeated random splits
(:mod:`negosim.validation.splits`); this table is kept as the README's reference protocol.

**Bootstrap.** Issues of one proposal are decided together by the same actors, so their errors are
correlated; resampling issues would understate the uncertainty.  Each replicate draws the half's
proposals with replacement (a cluster bootstrap) and takes the MAE over all issues of the drawn
proposals.  The same draws serve every model, so the interval of the *paired difference* to the
compromise model (``diff_*`` columns) is much narrower than a comparison of two intervals would
suggest.  Intervals are percentile intervals (2.5 % and 97.5 %).

The models are those of :mod:`negosim.validation.forecasters`; a :class:`Tuned` one chooses its
candidate on the odd half.  A model may leave an issue out by forecasting NaN (the status quo is
unknown on 100 issues); its MAE and its difference to the compromise model are then taken over the
issues it does forecast.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from negosim.errors import UsageError
from negosim.limits import check_memory
from negosim.validation.deu3 import DEU3, Capability, load_deu3
from negosim.validation.forecasters import (
    BASELINE,
    BASELINES,
    VARIANTS,
    Forecast,
    ModelFn,
    Prepared,
    Tuned,
    Variant,
    backtest_models,
    by_proposal,
    prepare_models,
)

__all__ = [
    "BASELINES",
    "VARIANTS",
    "Forecast",
    "ModelFn",
    "Tuned",
    "Variant",
    "backtest_models",
    "by_proposal",
    "format_table",
    "run_backtest",
]

FloatArray = NDArray[np.float64]
HALVES = ("odd", "even", "all")


# --- scoring ------------------------------------------------------------------------------


def _interval(samples: FloatArray) -> tuple[float, float]:
    low, high = np.nanpercentile(samples, [2.5, 97.5])
    return float(low), float(high)


def run_backtest(
    models: Iterable[str] | Mapping[str, ModelFn | Tuned] | None = None,
    *,
    capability: Capability = "gdp",
    n_boot: int = 2000,
    rng: np.random.Generator | None = None,
    data: DEU3 | None = None,
    prepared: Mapping[str, Prepared] | None = None,
) -> pd.DataFrame:
    """Score models on DEU III: MAE on the odd half, the held-out even half and overall.

    Parameters
    ----------
    models
        Names from :func:`backtest_models`, or a mapping ``name -> ModelFn | Tuned``; all of
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
    prepared
        The models already run (:func:`~negosim.validation.forecasters.prepare_models` on the
        same data and capability), in place of ``models``.

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
    if prepared is None:
        prepared = prepare_models(models, data, capability)
    forecasts: dict[str, Forecast] = {}
    for name, model in prepared.items():
        _, values, label = model.choose(data, data.odd)
        if model.tuned is not None:
            label = f"{label} (tuned on odd{model.tuned.note})"
        forecasts[name] = Forecast(values, label)

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
