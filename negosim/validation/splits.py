"""The DEU III backtest over repeated random splits by proposal, the headline of the backtest.

One fixed split (the data README's odd/even halves, :mod:`negosim.validation.backtest`) is one draw:
on DEU III the exchange model gains 1.32 on the even half and loses 1.22 on the odd one.  Here each
of ``n_splits`` seeded splits draws half of the proposals (rounded down) to train on and holds out
the rest; the issues of one proposal always fall on one side.  A tuned model
(:class:`~negosim.validation.forecasters.Tuned`) chooses its candidate on the training proposals of
each split (it is shown no other outcome); every model is scored on the held-out issues by MAE,
paired with the compromise baseline on the same issues.

Per model the summary gives the distribution of the held-out difference from the baseline over the
splits (median, 5 % and 95 % quantiles, the share of splits where the model is better), which says
how much the verdict depends on the split, and, for sampling uncertainty, the **paired bootstrap on
the pooled held-out differences**: each issue's difference is averaged over the splits that held it
out (so it never comes from a model tuned on its own proposal), and the 137 proposals are resampled
with replacement.  Pooled rather than per split because the splits overlap: their intervals are not
independent, no single one is the answer, and the pooled differences use every proposal once.  The
**minimum detectable difference** is ``(z_0.975 + z_0.8) × SE = 2.80 × SE`` (a two-sided 5 % test
with 80 % power), with SE the bootstrap standard deviation; ``split_mdd`` is the median over splits
of the same quantity on one held-out half alone, what a single split can detect.  The bootstrap
leaves out the variability of the tuning itself.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from negosim.errors import UsageError
from negosim.limits import check_memory
from negosim.validation.deu3 import DEU3, Capability, load_deu3
from negosim.validation.forecasters import (
    BASELINE,
    ModelFn,
    Prepared,
    Tuned,
    prepare_models,
    resolve_models,
)

__all__ = [
    "MDD_Z",
    "SplitResults",
    "check_splits_memory",
    "format_splits",
    "proposal_splits",
    "run_splits",
]

FloatArray = NDArray[np.float64]
MDD_Z = 1.959964 + 0.841621
"""z_0.975 + z_0.80: the minimum detectable difference of a two-sided 5 % test with 80 % power,
in standard errors."""
# Independent streams of one seed: the splits, the pooled bootstrap, the per-split bootstraps.
_SPLITS, _POOLED, _PER_SPLIT = 1, 2, 3
_TIE = 1e-9  # a difference this small is a tie (a tuned variant that chose the baseline itself)


def _stream(seed: int, key: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key,)))


def proposal_splits(proposal: NDArray[np.int64], n_splits: int, seed: int) -> NDArray[np.bool_]:
    """Random splits of the issues by proposal, half of the proposals (rounded down) to train on.

    Parameters
    ----------
    proposal
        The proposal of each issue, shape ``(n_issues,)``.
    n_splits
        Number of splits.
    seed
        Seed; the same seed gives the same splits.

    Returns
    -------
    ndarray of bool
        Shape ``(n_splits, n_issues)``: True on the training issues of each split.
    """
    proposals, index = np.unique(proposal, return_inverse=True)
    rng = _stream(seed, _SPLITS)
    train = np.zeros((n_splits, proposals.size), dtype=bool)
    for split in range(n_splits):
        train[split, rng.permutation(proposals.size)[: proposals.size // 2]] = True
    return np.asarray(train[:, index])


@dataclass(frozen=True)
class SplitResults:
    """What :func:`run_splits` measured.

    Attributes
    ----------
    summary
        One row per model: ``n_issues`` (issues it forecasts), ``mae`` (median held-out MAE over
        the splits), ``diff_median``, ``diff_p05``, ``diff_p95`` (held-out MAE minus the
        baseline's on the same issues, over the splits), ``share_better`` (share of splits where
        that difference is negative), ``pooled_diff``, ``pooled_low``, ``pooled_high`` (the
        pooled held-out difference and its 95 % paired bootstrap interval), ``mdd`` (its minimum
        detectable difference), ``split_mdd`` (the median over splits of one half's) and
        ``params`` (a tuned model's most frequent choice).
    by_split
        One row per model and split: ``model``, ``split``, ``mae``, ``diff``, ``params`` (what a
        tuned model chose on that split's training proposals).
    n_splits, n_boot, seed
        As given.
    """

    summary: pd.DataFrame
    by_split: pd.DataFrame
    n_splits: int
    n_boot: int
    seed: int


def _positive(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(f"{name} must be a positive integer (got {value!r})")
    return value


def _cluster_means(weights: FloatArray, members: FloatArray, values: FloatArray) -> FloatArray:
    """Bootstrap means of ``values`` (shape ``(n_models, n_issues)``, NaN left out), one per row
    of ``weights`` (proposal counts, ``(n_boot, n_proposals)``); ``members`` is the issues ×
    proposals indicator.  Shape ``(n_boot, n_models)``."""
    shown = ~np.isnan(values)
    sums = np.where(shown, values, 0.0) @ members  # (models, proposals)
    counts = shown.astype(np.float64) @ members
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((weights @ sums.T) / (weights @ counts.T))


def check_splits_memory(n_models: int, n_splits: int, n_boot: int, data: DEU3) -> None:
    """Refuse, before any work, splits whose arrays pass the memory budget: the held-out
    differences (models × splits × issues, three copies) and the bootstrap weights.

    Raises
    ------
    UsageError
        Naming ``--splits`` and ``--boot``.
    """
    n_props = np.unique(data.proposal).size
    check_memory(
        8 * (3 * n_models * n_splits * data.n_issues + 3 * n_boot * n_props),
        f"{n_splits:,} splits with {n_boot:,} bootstrap replicates",
        "use fewer (--splits, --boot)",
    )


def run_splits(
    models: Iterable[str] | Mapping[str, ModelFn | Tuned] | None = None,
    *,
    capability: Capability = "gdp",
    n_splits: int = 200,
    n_boot: int = 2000,
    seed: int = 0,
    data: DEU3 | None = None,
    prepared: Mapping[str, Prepared] | None = None,
) -> SplitResults:
    """Score models on DEU III over repeated random splits by proposal.

    Parameters
    ----------
    models
        Names from :func:`~negosim.validation.forecasters.backtest_models`, or a mapping
        ``name -> ModelFn | Tuned``; all when ``None``.  The compromise model is the baseline and
        always included (a mapping may give its own under that name).
    capability
        Capability measure handed to every model.
    n_splits
        Random splits (half of the proposals, rounded down, train; the rest are held out).
    n_boot
        Bootstrap replicates (resampling proposals) for the pooled interval and each split's MDD.
    seed
        Seeds the splits and the bootstraps (independent streams).
    data
        The data; :func:`~negosim.validation.deu3.load_deu3` when ``None``.
    prepared
        The models already run (:func:`~negosim.validation.forecasters.prepare_models` on the
        same data and capability), in place of ``models``.

    Returns
    -------
    SplitResults

    Raises
    ------
    UsageError
        On an unknown model, a bad count or a model returning the wrong shape.
    """
    _positive(n_splits, "n_splits")
    _positive(n_boot, "n_boot")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UsageError(f"seed must be a whole number >= 0 (got {seed!r})")
    data = load_deu3() if data is None else data
    n_models = len(resolve_models(models) if prepared is None else prepared)
    _, index = np.unique(data.proposal, return_inverse=True)
    n_props = int(index.max()) + 1
    members = np.zeros((data.n_issues, n_props))
    members[np.arange(data.n_issues), index] = 1.0
    check_splits_memory(n_models, n_splits, n_boot, data)
    if prepared is None:
        prepared = prepare_models(models, data, capability)
    train = proposal_splits(data.proposal, n_splits, seed)
    held = np.where(~train, 1.0, np.nan)
    errors: dict[str, FloatArray] = {}  # held-out errors per split, NaN on training issues
    chosen_labels: dict[str, list[str]] = {}
    notes: dict[str, str] = {}
    for name, model in prepared.items():
        all_errors = np.abs(model.values - data.outcome)  # (candidates, issues)
        rows = [model.choose(data, train[split])[0] for split in range(n_splits)]
        errors[name] = all_errors[rows] * held
        chosen_labels[name] = [model.labels[row] for row in rows]
        notes[name] = "" if model.tuned is None else model.tuned.note
    names = list(errors)
    diffs = np.stack([errors[name] - errors[BASELINE] for name in names])  # (models, splits, n)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        # An issue a model never forecasts (the status quo where it is unknown) is NaN, not news.
        warnings.simplefilter("ignore", RuntimeWarning)
        mae = np.stack([np.nanmean(errors[name], axis=1) for name in names])
        split_diff = np.nanmean(diffs, axis=2)  # (models, splits)
        pooled = np.nanmean(diffs, axis=1)  # (models, issues): each over the splits holding it out

    rng = _stream(seed, _POOLED)
    weights = rng.multinomial(n_props, np.full(n_props, 1.0 / n_props), size=n_boot)
    boot = _cluster_means(weights.astype(np.float64), members, pooled)
    per_split_rng = _stream(seed, _PER_SPLIT)
    split_se = np.full((len(names), n_splits), np.nan)
    for split in range(n_splits):
        props = np.unique(index[~train[split]])
        draws = per_split_rng.multinomial(props.size, np.full(props.size, 1.0 / props.size), n_boot)
        split_weights = np.zeros((n_boot, n_props))
        split_weights[:, props] = draws
        split_boot = _cluster_means(split_weights, members, diffs[:, split])
        split_se[:, split] = np.nanstd(split_boot, axis=0, ddof=1) if n_boot > 1 else np.nan

    rows_out = []
    for m, name in enumerate(names):
        counts = Counter(chosen_labels[name])
        label, times = counts.most_common(1)[0]
        if prepared[name].tuned is not None:
            label = f"{label} ({times}/{n_splits} splits{notes[name]})"
        se = float(np.nanstd(boot[:, m], ddof=1)) if n_boot > 1 else float("nan")
        low, high = np.nanpercentile(boot[:, m], [2.5, 97.5])
        p05, p50, p95 = np.nanpercentile(split_diff[m], [5, 50, 95])
        rows_out.append(
            {
                "model": name,
                "n_issues": int((~np.isnan(pooled[m])).sum()),
                "n_splits": n_splits,
                "mae": float(np.nanmedian(mae[m])),
                "diff_median": float(p50),
                "diff_p05": float(p05),
                "diff_p95": float(p95),
                "share_better": float(np.mean(split_diff[m] < -_TIE)),
                "pooled_diff": float(np.nanmean(pooled[m])),
                "pooled_low": float(low),
                "pooled_high": float(high),
                "mdd": MDD_Z * se,
                # NaN (no warning) when no split had enough proposals for an interval
                "split_mdd": float(MDD_Z * np.nanmedian(split_se[m]))
                if np.isfinite(split_se[m]).any()
                else float("nan"),
                "params": label,
            }
        )
    by_split = pd.DataFrame(
        {
            "model": np.repeat(names, n_splits),
            "split": np.tile(np.arange(n_splits), len(names)),
            "mae": mae.ravel(),
            "diff": split_diff.ravel(),
            "params": [label for name in names for label in chosen_labels[name]],
        }
    )
    return SplitResults(pd.DataFrame(rows_out), by_split, n_splits, n_boot, seed)


def _signed(value: float) -> str:
    return f"{0.0 if abs(value) < 5e-3 else value:+.2f}"


def format_splits(results: SplitResults) -> str:
    """Render :func:`run_splits` output as a Markdown table, one row per model.

    Parameters
    ----------
    results
        From :func:`run_splits`.

    Returns
    -------
    str
        Columns: model; median held-out MAE; held-out difference from the compromise baseline
        over the splits, median [5 %, 95 %]; splits where the model is better; pooled difference
        [95 % paired bootstrap]; its minimum detectable difference; issues; parameters.
    """
    lines = [
        "| model | held-out MAE | − compromise, median [5 %, 95 %] | better in | "
        "pooled − compromise [95 %] | MDD | n | params |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in results.summary.to_dict(orient="records"):
        lines.append(
            "| "
            + " | ".join(
                [
                    str(row["model"]),
                    f"{row['mae']:.2f}",
                    f"{_signed(row['diff_median'])} [{_signed(row['diff_p05'])}, "
                    f"{_signed(row['diff_p95'])}]",
                    f"{row['share_better']:.0%}",
                    f"{_signed(row['pooled_diff'])} [{_signed(row['pooled_low'])}, "
                    f"{_signed(row['pooled_high'])}]",
                    f"{row['mdd']:.2f}",
                    str(row["n_issues"]),
                    str(row["params"]),
                ]
            )
            + " |"
        )
    return "\n".join(lines)
