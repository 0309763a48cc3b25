"""First-order variance-based sensitivity from Monte Carlo draws, and where an outcome flips.

The first-order (Sobol') index of an input ``X`` for an outcome ``Y`` is the share of the variance
of ``Y`` that ``X`` explains alone, ``S = Var(E[Y | X]) / Var(Y)``.  From a plain Monte Carlo
sample it is estimated by binning (the correlation ratio of Pearson 1903, eta squared): ``X`` is cut
into bins of equal counts, and ``S`` is the share of the total sum of squares of ``Y`` that lies
between the bins' means.

That raw share is biased upwards: an input unrelated to ``Y`` still gets ``(B - 1) / (n - 1)`` on
average with ``B`` bins of ``n`` runs.  :func:`first_order` reports Kelley's (1935) epsilon
squared, ``(SS_between - (B - 1) MS_within) / SS_total``, which removes that bias (and may fall
below zero by chance: it is clipped at 0), beside the raw share.  Bins of numbers are
``round(sqrt(n) / 2)`` quantile bins, at most :data:`MAX_BINS` (an input with no more distinct
values than that gets one bin per value); a category or a flag gets one bin per value.  Fewer than
:data:`MIN_RUNS` runs are refused.

:func:`best_split` finds where the outcome flips: the one split of ``X`` (a threshold, or for a
category its values) that explains most of the variance of ``Y``, a depth-one regression tree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from negosim.errors import UsageError

__all__ = [
    "MAX_BINS",
    "MIN_RUNS",
    "FirstOrder",
    "Split",
    "best_split",
    "bin_codes",
    "first_order",
    "n_bins",
]

MIN_RUNS = 100
MAX_BINS = 50
# A split leaves at least this share of the runs on each side, so that a handful of extreme
# draws cannot make the threshold.
MIN_SIDE = 0.05


@dataclass(frozen=True)
class FirstOrder:
    """An estimated first-order index.

    Attributes
    ----------
    index
        Kelley's epsilon squared, clipped at 0: the bias-corrected share of ``Var(Y)``.
    raw
        The uncorrected share (eta squared).
    bins
        The number of non-empty bins.
    noise
        ``(bins - 1) / (n - 1)``: what ``raw`` averages for an input unrelated to ``Y``.
    """

    index: float
    raw: float
    bins: int
    noise: float


@dataclass(frozen=True)
class Split:
    """The one split of an input that explains most of an outcome's variance.

    Attributes
    ----------
    threshold
        For a number, the cut: the midpoint between the largest value below and the smallest
        above; ``None`` for a category.
    below, above
        Mean outcome (a probability for a 0/1 outcome) below and above the threshold.
    share_below
        The share of runs below it.
    groups
        For a category: its values with their mean outcome and share of runs, most runs first.
    """

    threshold: float | None
    below: float
    above: float
    share_below: float
    groups: tuple[tuple[str, float, float], ...] = ()


def n_bins(n: int) -> int:
    """The number of quantile bins for ``n`` runs: ``round(sqrt(n) / 2)``, from 2 to
    :data:`MAX_BINS`."""
    return max(2, min(MAX_BINS, round(math.sqrt(n) / 2)))


def _is_number(x: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x)


def bin_codes(x: pd.Series, bins: int | None = None) -> np.ndarray:
    """Bin index of every value of ``x``: quantile bins for a number with more distinct values
    than ``bins``, else one bin per value (missing is a value of its own)."""
    values = x.to_numpy()
    if _is_number(x):
        numbers = values.astype(float)
        distinct = np.unique(numbers)
        count = bins or n_bins(len(numbers))
        if len(distinct) > count:
            edges = np.quantile(numbers, np.linspace(0, 1, count + 1)[1:-1])
            codes: np.ndarray = np.searchsorted(edges, numbers, side="right")
            return codes
        return np.searchsorted(distinct, numbers)
    codes, _ = pd.factorize(x.astype("object").where(x.notna(), "<missing>"), sort=True)
    return np.asarray(codes)


def first_order(x: pd.Series, y: np.ndarray | pd.Series, *, bins: int | None = None) -> FirstOrder:
    """The first-order index of input ``x`` for outcome ``y`` (see the module docstring).

    Parameters
    ----------
    x
        One input per run: numbers, flags or categories.
    y
        The outcome per run (0/1 for an event), in the same order.
    bins
        Quantile bins for a number (default :func:`n_bins`).

    Raises
    ------
    UsageError
        For fewer than :data:`MIN_RUNS` runs, or ``x`` and ``y`` of different lengths.
    """
    outcome = np.asarray(y, dtype=float)
    n = len(outcome)
    if len(x) != n:
        raise UsageError(f"x and y differ in length ({len(x)} and {n})")
    if n < MIN_RUNS:
        raise UsageError(
            f"a first-order index needs at least {MIN_RUNS} runs (got {n}); use more --runs"
        )
    codes = bin_codes(x, bins)
    _, codes = np.unique(codes, return_inverse=True)
    groups = int(codes.max()) + 1
    counts = np.bincount(codes, minlength=groups)
    sums = np.bincount(codes, weights=outcome, minlength=groups)
    total = float(((outcome - outcome.mean()) ** 2).sum())
    noise = (groups - 1) / (n - 1)
    if total <= 0 or groups < 2:
        return FirstOrder(0.0, 0.0, groups, noise)
    between = float((sums**2 / counts).sum() - outcome.sum() ** 2 / n)
    within = total - between
    corrected = (between - (groups - 1) * within / (n - groups)) / total
    return FirstOrder(max(0.0, corrected), between / total, groups, noise)


def best_split(x: pd.Series, y: np.ndarray | pd.Series) -> Split:
    """The depth-one regression tree of ``y`` on ``x``: the split that explains most variance.

    A number is split at a threshold leaving at least 5 % of the runs on each side (the
    midpoint between neighbouring distinct values); a category or flag is reported by value
    (``groups``), the split being its values of mean outcome above and below the overall mean.
    """
    outcome = np.asarray(y, dtype=float)
    if not _is_number(x):
        labels = x.astype("object").where(x.notna(), "<missing>").astype(str)
        frame = pd.DataFrame({"x": labels.to_numpy(), "y": outcome})
        stats = frame.groupby("x")["y"].agg(["mean", "size"]).sort_values("size", ascending=False)
        n = len(outcome)
        groups = tuple((str(k), float(m), float(s) / n) for k, (m, s) in stats.iterrows())
        high = stats["mean"] > outcome.mean()
        share = float(stats.loc[~high, "size"].sum()) / n
        below = float(np.average(stats.loc[~high, "mean"], weights=stats.loc[~high, "size"]))
        above_rows = stats.loc[high]
        above = (
            float(np.average(above_rows["mean"], weights=above_rows["size"]))
            if len(above_rows)
            else below
        )
        return Split(None, below, above, share, groups)
    values = x.to_numpy(dtype=float)
    order = np.argsort(values, kind="stable")
    xs, ys = values[order], outcome[order]
    n = len(xs)
    cum = np.cumsum(ys)
    left_n = np.arange(1, n)
    left_sum = cum[:-1]
    right_sum = cum[-1] - left_sum
    # Between-group sum of squares of each cut, up to a constant.
    gain = left_sum**2 / left_n + right_sum**2 / (n - left_n)
    smallest = max(1, math.ceil(MIN_SIDE * n))
    allowed = (xs[1:] > xs[:-1]) & (left_n >= smallest) & (n - left_n >= smallest)
    if not allowed.any():
        mean = float(outcome.mean())
        return Split(None, mean, mean, 1.0)
    cut = int(np.flatnonzero(allowed)[np.argmax(gain[allowed])])
    threshold = float((xs[cut] + xs[cut + 1]) / 2)
    k = cut + 1
    return Split(threshold, float(left_sum[cut] / k), float(right_sum[cut] / (n - k)), k / n)
