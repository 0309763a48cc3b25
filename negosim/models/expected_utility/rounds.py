"""The rounds of the expected utility model: challenges, offers and moves until no position
moves, under either reading (:data:`~negosim.models.expected_utility.kernels.READINGS`).

How each reading resolves the offers of a round, for a receiver *j* and a proposer *p*:

``"equations"`` (the paper, §6 and fig. 6)
    The pair :math:`(a, b) = (E^p(U_{pj}), E^j(U_{jp}))`, each with its own actor's risk
    exponent.  Compromise and capitulation move *j*; a conflict moves no one (``conflict=
    "no_move"``) or the actor expecting less (``"loser_moves"``); *j* takes the offer of the most
    enforceable proposer, the least movement among ties (``offer_rule="enforceable"``), or the
    least movement first (``"least_move"``).
``"scholz_code"`` (the authors' program, as jmckib/bdm-scholz-expected-utility-model reads it)
    The same pair valued with *j*'s risk exponent for both.  A conflict in which *p* expects more
    (:math:`a > b > 0`) moves *j* to *p*; *j* takes a conflict if it has one (the least
    movement), else a compromise (the one with the lowest :math:`(|b| x_j + |a| x_p) / (|a| +
    |b|)`, as that code ranks them), else a capitulation (the least movement).  The range of
    positions is the one at the start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

import negosim.limits as limits
from negosim.errors import UsageError
from negosim.models.compromise import actor_arrays, weighted_median_of
from negosim.models.expected_utility.kernels import (
    Reading,
    check_q,
    check_reading,
    position_span,
    salience_scale,
    security_exponents,
    success_probabilities,
    utility_matrix,
)

__all__ = ["ExpectedUtilityResult", "expected_utility"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class ExpectedUtilityResult:
    """What :func:`expected_utility` returns.

    Attributes
    ----------
    forecast
        Median voter position of the final positions, shape ``(...)``: the model's prediction.
    mean_forecast
        Capability × salience weighted mean of the final positions, shape ``(...)``.
    positions
        Positions by round, shape ``(..., n_rounds + 1, n_actors)``; index 0 is the input.
        Absent actors stay NaN.  Batch elements that settle early repeat their final positions.
    median_by_round, mean_by_round
        Median voter position and weighted mean by round, shape ``(..., n_rounds + 1)``.
    settled
        True where the last round moved no actor (a fixed point), shape ``(...)``.
    """

    forecast: FloatArray
    mean_forecast: FloatArray
    positions: FloatArray
    median_by_round: FloatArray
    mean_by_round: FloatArray
    settled: BoolArray

    @property
    def n_rounds(self) -> int:
        """Number of rounds played (the same for the whole batch)."""
        return int(self.positions.shape[-2]) - 1


def _paper_offers(
    x: FloatArray, eu: FloatArray, present: BoolArray, conflict: str, offer_rule: str
) -> FloatArray:
    """New positions after every actor takes its best offer (the ``"equations"`` reading)."""
    a = eu  # a[i, j] = E^i(U_ij): the proposer i's expected utility
    b = np.swapaxes(eu, -1, -2)  # b[i, j] = E^j(U_ji): the responder j's
    xi = x[..., :, None]
    xj = x[..., None, :]
    n = x.shape[-1]
    pair = present[..., :, None] & present[..., None, :] & ~np.eye(n, dtype=bool)
    wins_conflict = (a > 0) & (b > 0) & (a > b)
    compromise = (a > 0) & (b <= 0) & (a > -b)
    capitulation = (a > 0) & (b < 0) & (-b >= a)
    moves = compromise | capitulation
    if conflict == "loser_moves":
        moves = moves | wins_conflict
    fraction = np.where(compromise, -b / np.where(a > 0, a, 1.0), 1.0)
    target = xj + (xi - xj) * fraction
    distance = np.abs(target - xj)
    valid = pair & moves & (distance > 0)
    if offer_rule == "enforceable":
        best = np.where(valid, a, -np.inf).max(-2, keepdims=True)
        tie = valid & (a >= best)
        choice = np.where(tie, distance, np.inf).argmin(-2)
    else:
        nearest = np.where(valid, distance, np.inf).min(-2, keepdims=True)
        tie = valid & (distance <= nearest)
        choice = np.where(tie, a, -np.inf).argmax(-2)
    chosen = np.take_along_axis(target, choice[..., None, :], axis=-2)[..., 0, :]
    return np.where(valid.any(-2), chosen, x)


def _code_offers(
    x: FloatArray, own: FloatArray, seen: FloatArray, present: BoolArray
) -> FloatArray:
    """New positions under the ``"scholz_code"`` reading.  ``own[i, j]`` is *i*'s expected
    utility of challenging *j* with *i*'s exponent, ``seen[i, j]`` the same with *j*'s."""
    a = seen  # a[p, j]: the proposer p's expected utility, as the receiver j values it
    b = np.swapaxes(own, -1, -2)  # b[p, j] = E^j(U_jp) with j's exponent
    xp = x[..., :, None]
    xj = x[..., None, :]
    n = x.shape[-1]
    valid = present[..., :, None] & present[..., None, :] & ~np.eye(n, dtype=bool) & (xp != xj)
    conflict = valid & (a > b) & (b > 0)
    one_sided = valid & (a > 0) & (b < 0)
    compromise = one_sided & (a > -b)
    capitulation = one_sided & (a <= -b)
    distance = np.abs(xp - xj)
    target = np.where(compromise, xj + (xp - xj) * (-b / np.where(a > 0, a, 1.0)), xp)
    # The authors' code ranks compromises by this weighted point, lowest first (not by how far
    # the receiver moves); it depends on the direction of the scale.
    weight = np.abs(a) + np.abs(b)
    rank = (np.abs(b) * xj + np.abs(a) * xp) / np.where(weight > 0, weight, 1.0)
    new = x
    for kind, key in ((capitulation, distance), (compromise, rank), (conflict, distance)):
        # Lowest priority first, so that a higher class overwrites it.
        choice = np.where(kind, key, np.inf).argmin(-2)
        chosen = np.take_along_axis(target, choice[..., None, :], axis=-2)[..., 0, :]
        new = np.where(kind.any(-2), chosen, new)
    return new


def expected_utility(
    positions: ArrayLike,
    salience: ArrayLike,
    capability: ArrayLike,
    *,
    max_rounds: int = 10,
    q: float = 1.0,
    risk: bool = True,
    reading: Reading = "equations",
    conflict: Literal["loser_moves", "no_move"] | None = None,
    offer_rule: Literal["enforceable", "least_move"] | None = None,
    scale: Literal["dynamic", "initial"] | float | None = None,
    salience_max: float | None = None,
    tol: float = 1e-9,
) -> ExpectedUtilityResult:
    """Run Bueno de Mesquita's expected utility model (Scholz, Calbert & Smith 2011).

    Parameters
    ----------
    positions
        Actor positions on one issue, shape ``(..., n_actors)``, any real scale; NaN = absent.
    salience
        Saliences on 0–1 or 0–100 (see ``salience_max``), broadcastable to ``positions``.
    capability
        Non-negative capabilities, broadcastable to ``positions``.
    max_rounds
        Upper bound on rounds; play stops earlier once no position moves anywhere in the batch.
    q
        Probability that the status quo persists when *i* does not challenge *j*.  Scholz et al.
        use 1.0 for their worked example (the default); 0.5 is the other value they mention.
    risk
        Estimate risk exponents from security levels (steps 8–10 of the paper's algorithm);
        ``False`` keeps every actor risk neutral (:math:`r_i = 1`).
    reading
        ``"equations"``: the paper's equations 30–31 and §6 (the default);
        ``"scholz_code"``: the authors' program as a public replication reads it, which
        reproduces the paper's Table 2 (see :mod:`~negosim.models.expected_utility.rounds`).
    conflict
        ``"equations"`` only.  ``"no_move"`` (default): a conflict (both expect to gain) has an
        uncertain outcome and moves no one; ``"loser_moves"``: the actor with the lower
        expected utility moves to the other's position (the confrontation octants of fig. 6).
    offer_rule
        ``"equations"`` only.  ``"enforceable"`` (default): take the offer of the proposer with
        the highest expected utility, the least movement among ties (§6.2); ``"least_move"``:
        least movement first.
    scale
        Distance normaliser :math:`x_{max} - x_{min}`: ``"dynamic"`` recomputes it from each
        round's positions (the paper; the default of ``"equations"``); ``"initial"`` keeps the
        input's range (the default of ``"scholz_code"``); a number fixes it (e.g. 100 for a
        0–100 scale).
    salience_max
        Top of the salience scale; ``None`` infers 100 if any salience exceeds 1, else 1.
    tol
        A round in which no actor moves more than ``tol`` × the initial range counts as settled.

    Returns
    -------
    ExpectedUtilityResult
        Forecast (median voter position), weighted mean and round-by-round positions.

    Raises
    ------
    UsageError
        On bad shapes, negative weights, saliences above ``salience_max`` or unknown options.
    """
    if isinstance(max_rounds, bool) or not isinstance(max_rounds, int | np.integer):
        raise UsageError(f"max_rounds must be an integer (got {max_rounds!r})")
    if max_rounds < 0:
        raise UsageError(f"max_rounds must be >= 0 (got {max_rounds})")
    check_reading(reading)
    if reading == "scholz_code" and (conflict is not None or offer_rule is not None):
        raise UsageError(
            "the 'scholz_code' reading has its own conflict and offer rules: "
            "conflict and offer_rule apply to the 'equations' reading only"
        )
    conflict = "no_move" if conflict is None else conflict
    offer_rule = "enforceable" if offer_rule is None else offer_rule
    if conflict not in ("loser_moves", "no_move"):
        raise UsageError(f"conflict must be 'loser_moves' or 'no_move' (got {conflict!r})")
    if offer_rule not in ("enforceable", "least_move"):
        raise UsageError(f"offer_rule must be 'enforceable' or 'least_move' (got {offer_rule!r})")
    if scale is None:
        scale = "dynamic" if reading == "equations" else "initial"
    if not (scale in ("dynamic", "initial") or (isinstance(scale, int | float) and scale > 0)):
        raise UsageError(f"scale must be 'dynamic', 'initial' or a positive number (got {scale!r})")
    if not tol >= 0:
        raise UsageError(f"tol must be >= 0 (got {tol})")
    q = check_q(q)
    a = actor_arrays(positions, salience, capability)
    limits.check_expected_utility(math.prod(a.positions.shape[:-1]), a.positions.shape[-1])
    s01 = a.salience / salience_scale(a.salience, salience_max)
    w = a.capability * a.salience
    present = a.present
    x = a.positions
    initial_span = position_span(x, present)
    history = [x]
    settled = np.zeros(x.shape[:-1], dtype=bool)
    for _ in range(max_rounds):
        if scale == "dynamic":
            span = position_span(x, present)
        elif scale == "initial":
            span = initial_span
        else:
            span = np.full(x.shape[:-1], float(scale))
        mu = weighted_median_of(x, w, present)
        ones = np.ones_like(x)
        p = success_probabilities(x, w, present, reading=reading, span=span)
        eu = utility_matrix(x, s01, present, p, mu, span, ones[..., :, None], q)
        r = security_exponents(eu, present) if risk else ones
        if reading == "equations":
            if risk:
                eu = utility_matrix(x, s01, present, p, mu, span, r[..., :, None], q)
            new_x = _paper_offers(x, eu, present, conflict, offer_rule)
        else:
            if risk:  # every voter's distances now carry its risk exponent
                p = success_probabilities(
                    x, w, present, reading=reading, span=span, voter_exponent=r
                )
            own = utility_matrix(x, s01, present, p, mu, span, r[..., :, None], q)
            seen = utility_matrix(x, s01, present, p, mu, span, r[..., None, :], q)
            new_x = _code_offers(x, own, seen, present)
        moved = np.where(present, np.abs(new_x - x), 0.0).max(-1)
        settled = moved <= tol * initial_span
        x = new_x
        history.append(x)
        if settled.all():
            break
    stacked = np.stack(history, axis=-2)
    weights = w[..., None, :]
    pres = present[..., None, :]
    total = weights.sum(-1)
    by_mean = np.where(
        total > 0, (weights * stacked).sum(-1) / np.where(total > 0, total, 1.0), np.nan
    )
    by_median = weighted_median_of(stacked, np.broadcast_to(weights, stacked.shape), pres)
    return ExpectedUtilityResult(
        forecast=by_median[..., -1],
        mean_forecast=by_mean[..., -1],
        positions=np.where(pres, stacked, np.nan),
        median_by_round=by_median,
        mean_by_round=by_mean,
        settled=settled,
    )
