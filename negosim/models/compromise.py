"""The compromise model, and the simple baselines every spatial model is compared with.

The compromise model forecasts the outcome of a decision on a one-dimensional issue as the mean of
the actors' positions weighted by capability × salience:

.. math:: \\hat{o} = \\frac{\\sum_i c_i s_i x_i}{\\sum_i c_i s_i}

It is the Nash bargaining solution of actors with quadratic loss (Achen 2006) and, on the EU data
it was designed for, the model that the more elaborate ones struggle to beat: the baseline every
other model is reported against.  The baselines :func:`mean`, :func:`median` and
:func:`weighted_median` live here too; they are not decision models (nothing registers them).

Conventions shared by the pure functions of the spatial models (this module,
:mod:`~negosim.models.expected_utility`, :mod:`~negosim.models.exchange`): actors lie along the
last axis (or ``axis``), any leading axes are a batch (Monte Carlo replicates, issues); an actor
whose position is NaN is absent and carries no weight; a NaN salience or capability also means
zero weight.  Arguments are validated up front and bad ones raise
:class:`negosim.errors.UsageError`.

As a decision model (:class:`CompromiseModel`, registered as ``compromise``; the shared mapping
from a scenario is in :mod:`negosim.models.spatial`): each issue on its own, the weighted mean of
the actors' stated positions (option values on 0-100) with weights capability x salience, snapped
to the nearest option.  Ordered issues only; the calendar is ignored.

References
----------
Achen, C. H. (2006). "Evaluating political decision-making models." In R. Thomson, F. N. Stokman,
C. H. Achen & T. König (eds.), *The European Union Decides*. Cambridge University Press.

Thomson, R., Stokman, F. N., Achen, C. H. & König, T. (eds.) (2006). *The European Union Decides*.
Cambridge University Press.
"""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from negosim.errors import UsageError
from negosim.models.base import Supports
from negosim.models.registry import register
from negosim.models.spatial import POINT_FORECAST, PointForecastModel

__all__ = [
    "ActorArrays",
    "CompromiseModel",
    "actor_arrays",
    "compromise",
    "mean",
    "median",
    "weighted_mean",
    "weighted_median",
    "weighted_median_of",
]

FloatArray = NDArray[np.float64]


class ActorArrays(NamedTuple):
    """Validated actor inputs, broadcast to one shape with the actor axis last.

    Attributes
    ----------
    positions
        Positions with absent actors filled with 0.0 (use ``present`` to tell them apart).
    salience
        Saliences, 0.0 where absent or missing.
    capability
        Capabilities, 0.0 where absent or missing.
    present
        True where the actor has a position.
    """

    positions: FloatArray
    salience: FloatArray
    capability: FloatArray
    present: NDArray[np.bool_]


def _as_float(name: str, value: ArrayLike) -> FloatArray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"{name} must be numeric (got {type(value).__name__}: {exc})") from None
    if np.isinf(array).any():
        raise UsageError(f"{name} must be finite or NaN (got an infinite value)")
    return array


def _nonnegative(name: str, array: FloatArray) -> None:
    if (array < 0).any():  # NaN compares False, so missing values pass
        raise UsageError(f"{name} must be non-negative (got minimum {np.nanmin(array):g})")


def actor_arrays(
    positions: ArrayLike,
    salience: ArrayLike | None = None,
    capability: ArrayLike | None = None,
    *,
    axis: int = -1,
) -> ActorArrays:
    """Validate and broadcast positions, saliences and capabilities.

    Parameters
    ----------
    positions
        Actor positions, shape ``(..., n_actors)`` along ``axis``; NaN marks an absent actor.
    salience, capability
        Non-negative weights broadcastable to ``positions`` (numpy rules, before ``axis`` is
        moved); ``None`` means 1 for every actor.  NaN counts as 0.
    axis
        The actor axis.

    Returns
    -------
    ActorArrays
        The four arrays, all of the broadcast shape with the actor axis moved last.

    Raises
    ------
    UsageError
        If an argument is not numeric, infinite, negative, does not broadcast, or has no actor axis.
    """
    x = _as_float("positions", positions)
    s = np.ones_like(x) if salience is None else _as_float("salience", salience)
    c = np.ones_like(x) if capability is None else _as_float("capability", capability)
    _nonnegative("salience", s)
    _nonnegative("capability", c)
    try:
        x, s, c = np.broadcast_arrays(x, s, c)
    except ValueError:
        raise UsageError(
            "positions, salience and capability must broadcast to one shape "
            f"(got {np.shape(positions)}, {np.shape(s)}, {np.shape(c)})"
        ) from None
    if x.ndim == 0:
        raise UsageError("positions need an actor axis (got a scalar)")
    if not -x.ndim <= axis < x.ndim:
        raise UsageError(f"axis {axis} is out of range for arrays of {x.ndim} dimension(s)")
    x, s, c = (np.moveaxis(a, axis, -1) for a in (x, s, c))
    present = ~np.isnan(x)
    s = np.where(present & ~np.isnan(s), s, 0.0)
    c = np.where(present & ~np.isnan(c), c, 0.0)
    return ActorArrays(np.where(present, x, 0.0), s, c, present)


def _mean_of(x: FloatArray, w: FloatArray) -> FloatArray:
    """Weighted mean along the last axis, NaN where the weights sum to zero."""
    # Scale the weights to a maximum of 1 first: subnormal or huge weights stay exact.
    top = w.max(axis=-1, keepdims=True, initial=0.0)
    w = w / np.where(top > 0, top, 1.0)
    return _ratio((w * x).sum(-1), w.sum(-1))


def _ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """numerator / denominator, NaN where the denominator is zero (no weight at all)."""
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.where(denominator > 0, numerator / safe, np.nan)


def weighted_mean(positions: ArrayLike, weights: ArrayLike, *, axis: int = -1) -> FloatArray:
    """Weighted mean of positions along the actor axis, ignoring absent (NaN) actors.

    Parameters
    ----------
    positions
        Shape ``(..., n_actors)``; NaN marks an absent actor.
    weights
        Non-negative weights broadcastable to ``positions``.
    axis
        The actor axis.

    Returns
    -------
    ndarray
        Shape ``(...)``; NaN where no present actor has positive weight.
    """
    a = actor_arrays(positions, weights, None, axis=axis)
    return _mean_of(a.positions, a.salience)


def compromise(
    positions: ArrayLike,
    salience: ArrayLike,
    capability: ArrayLike,
    *,
    axis: int = -1,
    salience_exponent: float = 1.0,
) -> FloatArray:
    """Forecast of the compromise model: the capability × salience weighted mean position.

    Parameters
    ----------
    positions
        Actor positions, shape ``(..., n_actors)``, on any real scale; NaN marks an absent actor.
    salience
        Non-negative saliences (0–1 or 0–100: the result does not depend on the scale).
    capability
        Non-negative capabilities, e.g. shape ``(n_actors,)`` shared by every batch element.
    axis
        The actor axis.
    salience_exponent
        Weight actors by ``capability * salience**salience_exponent``; 1 is the compromise model,
        other values are the variant tuned in :mod:`negosim.validation.backtest`.

    Returns
    -------
    ndarray
        The forecast, shape ``(...)``; NaN where no present actor has positive weight.

    Examples
    --------
    >>> compromise([0.0, 100.0], [50, 100], [1.0, 1.0]).item()
    66.66666666666667
    """
    if not np.isfinite(salience_exponent) or salience_exponent < 0:
        raise UsageError(f"salience_exponent must be finite and >= 0 (got {salience_exponent})")
    a = actor_arrays(positions, salience, capability, axis=axis)
    # 0**0 would give absent actors weight 1: keep them at zero.
    s = np.where(a.salience > 0, a.salience**salience_exponent, 0.0)
    return _mean_of(a.positions, a.capability * s)


def weighted_median(positions: ArrayLike, weights: ArrayLike, *, axis: int = -1) -> FloatArray:
    """Lower weighted median along the actor axis: the median voter position.

    The smallest position at which the cumulative weight of the actors at or below it reaches
    half the total weight.  With single-peaked (distance-based) preferences this is the position
    that beats every other actor's position in a pairwise weighted vote (Black 1948), which is how
    Bueno de Mesquita's model defines its forecast.

    Parameters
    ----------
    positions
        Shape ``(..., n_actors)``; NaN marks an absent actor.
    weights
        Non-negative weights broadcastable to ``positions`` (e.g. capability × salience).
    axis
        The actor axis.

    Returns
    -------
    ndarray
        Shape ``(...)``; NaN where no present actor has positive weight.
    """
    a = actor_arrays(positions, weights, None, axis=axis)
    return weighted_median_of(a.positions, a.salience, a.present)


def weighted_median_of(x: FloatArray, w: FloatArray, present: NDArray[np.bool_]) -> FloatArray:
    """The weighted median along the last axis of already validated arrays (see
    :func:`actor_arrays`): the lowest position at which the cumulative weight of the present
    actors reaches half the total; NaN where no present actor has positive weight."""
    order = np.argsort(np.where(present, x, np.inf), axis=-1, kind="stable")
    xs = np.take_along_axis(x, order, axis=-1)
    cw = np.cumsum(np.take_along_axis(w, order, axis=-1), axis=-1)
    total = cw[..., -1:]
    # A relative tolerance keeps an exact half (e.g. weights 1 and 1) on the lower position.
    index = (cw < 0.5 * total * (1.0 - 1e-12)).sum(axis=-1, keepdims=True)
    index = np.minimum(index, x.shape[-1] - 1)
    result = np.take_along_axis(xs, index, axis=-1)[..., 0]
    return np.where(total[..., 0] > 0, result, np.nan)


def mean(positions: ArrayLike, *, axis: int = -1) -> FloatArray:
    """Unweighted mean of the present actors' positions (NaN if none is present)."""
    a = actor_arrays(positions, None, None, axis=axis)
    weight = a.present.astype(np.float64)
    return _ratio((weight * a.positions).sum(-1), weight.sum(-1))


def median(positions: ArrayLike, *, axis: int = -1) -> FloatArray:
    """Unweighted median of the present actors' positions (NaN if none is present).

    With an even number of actors this is the midpoint of the two central positions, as in
    :func:`numpy.median`.
    """
    a = actor_arrays(positions, None, None, axis=axis)
    xs = np.sort(np.where(a.present, a.positions, np.inf), axis=-1)
    count = a.present.sum(-1, keepdims=True)
    lower = np.take_along_axis(xs, np.maximum((count - 1) // 2, 0), axis=-1)[..., 0]
    upper = np.take_along_axis(xs, np.minimum(count // 2, xs.shape[-1] - 1), axis=-1)[..., 0]
    return np.where(count[..., 0] > 0, 0.5 * (lower + upper), np.nan)


@register
class CompromiseModel(PointForecastModel):
    """Capability x salience weighted mean of the actors' positions, per issue."""

    name: ClassVar[str] = "compromise"
    reference: ClassVar[str] = "Achen 2006; Thomson, Stokman, Achen & König 2006"
    supports: ClassVar[Supports] = POINT_FORECAST

    @classmethod
    def point_forecast(
        cls,
        positions: np.ndarray,
        salience: np.ndarray,
        capability: np.ndarray,
        *,
        salience_max: float = 1.0,
        **parameters: Any,
    ) -> np.ndarray:
        """``(R, I)`` weighted means from ``(R, A, I)`` positions and saliences, ``(R, A)``
        capabilities (any salience scale: the weighted mean does not depend on it)."""
        cls.check_parameters(parameters)
        # The spatial functions take actors along the last axis: (R, I, A).
        return np.asarray(
            compromise(
                np.swapaxes(positions, 1, 2),
                np.swapaxes(salience, 1, 2),
                capability[:, None, :],
            )
        )
