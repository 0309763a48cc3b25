"""Analytical bargaining references: the (asymmetric) Nash bargaining solution and Rubinstein's
alternating-offers equilibrium.

**Nash bargaining solution.**  Among the feasible agreements that give every player more than its
disagreement utility :math:`d_i`, the solution maximises the weighted Nash product
:math:`\\prod_i (u_i - d_i)^{w_i}` (Nash 1950; asymmetric weights: Kalai 1977; Roth 1979).  For a
surplus :math:`S` divided with linear utilities the maximiser is closed form:
:math:`u_i = d_i + \\frac{w_i}{\\sum_k w_k}(S - \\sum_k d_k)`.

**Rubinstein (1982).**  Two players alternate offers on how to split a unit pie; player *i*
discounts each round of delay by :math:`\\delta_i`.  In the unique subgame perfect equilibrium
the first proposer gets :math:`(1 - \\delta_2)/(1 - \\delta_1 \\delta_2)` at once.  With
:math:`\\delta_i = e^{-\\rho_i \\Delta}` and :math:`\\Delta \\to 0` this tends to
:math:`\\rho_2 / (\\rho_1 + \\rho_2)`: the asymmetric Nash split with weights
:math:`w_i \\propto 1/\\rho_i`, i.e. :math:`w_1 / w_2 = \\ln \\delta_2 / \\ln \\delta_1`
(Binmore, Rubinstein & Wolinsky 1986).

As a decision model (:class:`NashModel`, registered as ``nash``; the shared mapping from a
scenario is in :mod:`negosim.models.spatial`), per package and replicate: the feasible set is
every combination of the package's options, valued as the bargaining engine's negotiators value
it (:func:`~negosim.core.utility.effective_utility`: ratification anticipated, red lines and the
no-deal combination excluded); the disagreement point is each actor's reservation utility (its
fallback's stated value on the packages the fallback acts on, else its utility of the no-deal
combination); bargaining weights are clout, capability x mean salience on the package.  Where no
combination is strictly better than disagreement for every actor the package ends in
``breakdown`` and the no-deal outcome holds.  The calendar is ignored.

References
----------
Nash, J. F. (1950). "The bargaining problem." *Econometrica* 18(2), 155–162.

Kalai, E. (1977). "Nonsymmetric Nash solutions and replications of 2-person bargaining."
*International Journal of Game Theory* 6(3), 129–133.

Rubinstein, A. (1982). "Perfect equilibrium in a bargaining model." *Econometrica* 50(1), 97–109.

Binmore, K., Rubinstein, A. & Wolinsky, A. (1986). "The Nash bargaining solution in economic
modelling." *RAND Journal of Economics* 17(2), 176–188.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from negosim.core import utility
from negosim.core.compiled import Compiled
from negosim.core.fallbacks import package_in_fallback
from negosim.core.sampling import BlockParams
from negosim.core.status import Status
from negosim.errors import UsageError
from negosim.models.base import Supports
from negosim.models.registry import register
from negosim.models.spatial import SpatialModel

__all__ = [
    "NashChoice",
    "NashModel",
    "nash_bargaining",
    "nash_split",
    "rubinstein_limit_weights",
    "rubinstein_share",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class NashChoice:
    """What :func:`nash_bargaining` returns.

    Attributes
    ----------
    index
        Index of the chosen package, shape ``(...)``; -1 where no package gives every player
        more than its disagreement utility (no agreement).
    log_nash_product
        :math:`\\sum_i w_i \\ln(u_i - d_i)` for each package, shape ``(..., n_packages)``;
        ``-inf`` for packages that are not individually rational.
    utilities
        Utilities of the chosen package, shape ``(..., n_actors)``; the disagreement utilities
        where there is no agreement.
    """

    index: NDArray[np.int64]
    log_nash_product: FloatArray
    utilities: FloatArray


def _floats(name: str, value: ArrayLike) -> FloatArray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise UsageError(f"{name} must be numeric (got {type(value).__name__})") from None
    if not np.isfinite(array).all():
        raise UsageError(f"{name} must be finite (got NaN or infinity)")
    return array


def _weights(weights: ArrayLike | None, n: int) -> FloatArray:
    if weights is None:
        return np.ones(n)
    w = _floats("weights", weights)
    if (w <= 0).any():
        raise UsageError(f"bargaining weights must be positive (got minimum {w.min():g})")
    return w


def nash_bargaining(
    utilities: ArrayLike,
    disagreement: ArrayLike,
    *,
    weights: ArrayLike | None = None,
) -> NashChoice:
    """Asymmetric Nash bargaining solution over a finite set of packages.

    Parameters
    ----------
    utilities
        Utility of each package to each actor, shape ``(..., n_packages, n_actors)``.
    disagreement
        Disagreement (no-deal, BATNA) utilities, broadcastable to ``(..., n_actors)``.
    weights
        Positive bargaining weights broadcastable to ``(..., n_actors)``; equal when ``None``.

    Returns
    -------
    NashChoice
        The package maximising :math:`\\prod_i (u_i - d_i)^{w_i}` among those strictly better
        than disagreement for every actor (ties go to the lowest index).

    Raises
    ------
    UsageError
        On non-finite input, non-positive weights or shapes that do not broadcast.
    """
    u = _floats("utilities", utilities)
    if u.ndim < 2:
        raise UsageError(f"utilities must have shape (..., n_packages, n_actors) (got {u.shape})")
    d = _floats("disagreement", disagreement)
    w = _weights(weights, u.shape[-1])
    try:
        surplus = u - np.expand_dims(d, -2)
        shape = np.broadcast_shapes(surplus.shape, np.expand_dims(w, -2).shape)
        w_ = np.broadcast_to(np.expand_dims(w, -2), shape)
        surplus = np.broadcast_to(surplus, shape)
    except ValueError:
        raise UsageError(
            "utilities, disagreement and weights do not broadcast "
            f"(got {u.shape}, {d.shape}, {w.shape})"
        ) from None
    rational = (surplus > 0).all(-1)
    logs = np.log(np.where(surplus > 0, surplus, 1.0))
    log_product = np.where(rational, (w_ * logs).sum(-1), -np.inf)
    best = log_product.argmax(-1)
    found = np.take_along_axis(rational, best[..., None], -1)[..., 0]
    index = np.where(found, best, -1).astype(np.int64)
    u_full = np.broadcast_to(u, surplus.shape)
    chosen = np.take_along_axis(u_full, best[..., None, None], -2)[..., 0, :]
    d_full = np.broadcast_to(d, chosen.shape)
    return NashChoice(index, log_product, np.where(found[..., None], chosen, d_full))


def nash_split(
    disagreement: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    size: ArrayLike = 1.0,
) -> FloatArray:
    """Asymmetric Nash bargaining split of a surplus with linear utilities.

    Parameters
    ----------
    disagreement
        What each player gets without agreement, shape ``(..., n_players)``.
    weights
        Positive bargaining weights, broadcastable to ``disagreement``; equal when ``None``.
    size
        The surplus to divide, broadcastable to ``(...)``.

    Returns
    -------
    ndarray
        Shares :math:`d_i + \\frac{w_i}{\\sum_k w_k}(S - \\sum_k d_k)`, shape
        ``(..., n_players)``; they sum to ``size``.

    Raises
    ------
    UsageError
        If the disagreement points use up the surplus (:math:`\\sum_k d_k \\ge S`): there is
        nothing to bargain over.
    """
    d = _floats("disagreement", disagreement)
    if d.ndim < 1:
        raise UsageError("disagreement needs a player axis (got a scalar)")
    w = _weights(weights, d.shape[-1])
    total = _floats("size", size)
    gains = total - d.sum(-1)
    if (gains <= 0).any():
        raise UsageError("the disagreement utilities leave no surplus to divide (sum(d) >= size)")
    share = w / np.sum(w, axis=-1, keepdims=True)
    return d + share * np.expand_dims(gains, -1)


def _discounts(name: str, value: ArrayLike) -> FloatArray:
    delta = _floats(name, value)
    if ((delta < 0) | (delta >= 1)).any():
        raise UsageError(f"{name} must lie in [0, 1) (got {delta.min():g} to {delta.max():g})")
    return delta


def rubinstein_share(delta_proposer: ArrayLike, delta_responder: ArrayLike) -> FloatArray:
    """The first proposer's share in Rubinstein's alternating-offers equilibrium.

    Parameters
    ----------
    delta_proposer, delta_responder
        Per-round discount factors in [0, 1), broadcastable to each other.

    Returns
    -------
    ndarray
        :math:`(1 - \\delta_r) / (1 - \\delta_p \\delta_r)`; the responder gets the rest.
    """
    dp = _discounts("delta_proposer", delta_proposer)
    dr = _discounts("delta_responder", delta_responder)
    return (1.0 - dr) / (1.0 - dp * dr)


def rubinstein_limit_weights(delta_1: ArrayLike, delta_2: ArrayLike) -> FloatArray:
    """Nash bargaining weights that Rubinstein's split tends to as offers speed up.

    Parameters
    ----------
    delta_1, delta_2
        Discount factors in (0, 1) per unit of time.

    Returns
    -------
    ndarray
        Shape ``(..., 2)``: :math:`w_i = \\ln\\delta_j / (\\ln\\delta_1 + \\ln\\delta_2)`
        (the more patient player gets the larger weight).
    """
    d1 = _discounts("delta_1", delta_1)
    d2 = _discounts("delta_2", delta_2)
    if ((d1 == 0) | (d2 == 0)).any():
        raise UsageError("discount factors must be positive for the limit weights")
    l1, l2 = np.broadcast_arrays(np.log(d1), np.log(d2))
    return np.stack([l2, l1], axis=-1) / (l1 + l2)[..., None]


# Weight of an actor with no clout on a package: positive, as the Nash product needs, but too
# small to matter against anyone who cares.
MIN_WEIGHT = 1e-9


@register
class NashModel(SpatialModel):
    """Per package: the combination maximising the weighted product of gains over the fallbacks.

    Unlike the point forecasters it honours red lines, ratification and fallbacks; like them it
    ignores the calendar.
    """

    name: ClassVar[str] = "nash"
    reference: ClassVar[str] = "Nash 1950; Kalai 1977; Binmore, Rubinstein & Wolinsky 1986"
    supports: ClassVar[Supports] = Supports(
        issue_kinds=frozenset({"ordinal", "nominal", "continuous"}),
        deadlines=False,
        events=False,
        stochastic=False,
    )

    def choose(self, compiled: Compiled, params: BlockParams) -> tuple[np.ndarray, np.ndarray]:
        """The Nash solution of every package: ``combo`` and ``status`` arrays ``(K, R)``."""
        utilities = self.utilities(compiled, params)
        ratify_probability = params.pass_probability.prod(axis=1)
        combos, status = [], []
        for k, package in enumerate(compiled.packages):
            u = utilities[k]  # (R, A, C)
            acts = np.array([package_in_fallback(compiled, k, a) for a in range(compiled.n_actors)])
            value = np.where(acts[None, :], params.fallback_value, np.nan)
            disagreement = np.where(np.isnan(value), u[:, :, package.no_deal], value)
            weighed = utility.effective_utility(package, u, disagreement, ratify_probability)
            # nash_bargaining needs finite input: excluded combinations become strictly worse
            # than disagreement, which rules them out just the same.
            weighed = np.where(np.isfinite(weighed), weighed, disagreement[:, :, None] - 1.0)
            weights = params.capability * params.salience[:, :, list(package.issues)].mean(axis=2)
            weights = np.where(weights > 0, weights, MIN_WEIGHT)
            choice = nash_bargaining(np.swapaxes(weighed, 1, 2), disagreement, weights=weights)
            index = np.asarray(choice.index)
            combos.append(np.where(index >= 0, index, package.no_deal))
            status.append(np.where(index >= 0, Status.FORECAST, Status.BREAKDOWN).astype(np.int8))
        return np.stack(combos), np.stack(status)
