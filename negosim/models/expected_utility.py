"""Bueno de Mesquita's expected utility model, as specified by Scholz, Calbert & Smith (2011).

Each round, on one issue with positions :math:`x_i`, capabilities :math:`c_i` and saliences
:math:`s_i \\in [0, 1]` (Scholz et al. 2011, appendix algorithm; equation numbers are theirs):

1. **Median voter position** :math:`\\mu`: the position that wins the pairwise votes
   :math:`v^{jk} = \\sum_i c_i s_i (|x_i - x_k| - |x_i - x_j|) / (x_{max} - x_{min})`, i.e. the
   capability × salience weighted median of the positions.
2. **Probability of success** of *i* against *j* (eq. 30–31): the share of third-party support,
   :math:`P^i = \\sum_{k: a_k > 0} c_k s_k a_k / \\sum_k c_k s_k |a_k|` with
   :math:`a_k = |x_k - x_j| - |x_k - x_i|`, summed over every actor *k* including *i* and *j*.
3. **Basic utilities** with risk exponent :math:`r_i` and :math:`d = |x_i - x_j| / (x_{max} -
   x_{min})` (eq. 15, 16, 22–24): success :math:`2 - 4(0.5 - 0.5 d)^{r_i}`, failure
   :math:`2 - 4(0.5 + 0.5 d)^{r_i}`, better/worse :math:`2 - 4(0.5 \\mp 0.25(d_\\mu + d))^{r_i}`,
   status quo :math:`2 - 4 \\cdot 0.5^{r_i}`.
4. **Expected utility** of *i* challenging *j* (eq. 5–7), with the responder's salience:
   :math:`E^i(U_{ij}) = s_j(P^i U_s + (1 - P^i) U_f) + (1 - s_j) U_s - Q U_{sq}
   - (1 - Q)(T U_b + (1 - T) U_w)`, where *T* = 1 when :math:`|x_i - \\mu| < |x_i - x_j|`.
5. **Risk** (eq. 32–34, §5): with :math:`r_i = 1`, the security level
   :math:`S_i = \\sum_{j \\ne i} E^j(U_{ji})` (what the others expect from challenging *i*) gives
   :math:`R_i = (2 S_i - S_{max} - S_{min}) / (S_{max} - S_{min}) \\in [-1, 1]` and
   :math:`r_i = (1 - R_i/3) / (1 + R_i/3) \\in [0.5, 2]`; the expected utilities are then
   recomputed with these exponents.
6. **Offers** (§6, fig. 6): for the pair :math:`(a, b) = (E^i(U_{ij}), E^j(U_{ji}))`, opposite
   signs with the positive one larger in size is *compromise* (the loser moves the fraction
   :math:`|b / a|` of the way, eq. 35–36); opposite signs with the negative one larger is
   *capitulation* (the loser moves all the way); both negative is the status quo; both positive
   is *conflict*, which by default moves no one: "conflict is likely and that conflict has an
   uncertain outcome" (Bueno de Mesquita 1997, p. 244).  Every actor takes the offer of the
   proposer with the highest expected utility (the most enforceable one) and, among equally
   enforceable offers, the one that moves it least (§6.2).
7. Repeat until no position moves or ``max_rounds`` is reached.

The forecast is the median voter position of the final round (Scholz et al. report the median
voter position by round in their Table 2); the capability × salience weighted mean of the final
positions is returned too.

Where the paper is ambiguous the choices are options: ``conflict="loser_moves"`` reads the
conflict octants of fig. 6 as the actor with the lower expected utility moving to the other's
position; ``offer_rule="least_move"`` ranks offers by movement first; ``scale="initial"`` keeps
the first round's range.  ``docs/models.md`` compares each reading with the paper's Table 2.

As a decision model (:class:`ExpectedUtilityModel`, registered as ``expected_utility``; the shared
mapping from a scenario is in :mod:`negosim.models.spatial`): each issue on its own, the actors'
stated positions (0-100), saliences (0-1, as the model's probabilities) and capabilities play the
model's rounds of challenges; the forecast, the capability x salience weighted median ("median
voter") position after the last round, snaps to the nearest option.  Ordered issues only; the
calendar is ignored.  The parameters are the readings documented in ``docs/models.md``; the
defaults are the paper's.

References
----------
Scholz, J. B., Calbert, G. J. & Smith, G. A. (2011). "Unravelling Bueno De Mesquita's group
decision model." *Journal of Theoretical Politics* 23(4), 510–531 (conference version: ICAART
2011, 18–30).

Bueno de Mesquita, B. (1994). "Political forecasting: an expected utility method." In B. Bueno de
Mesquita & F. N. Stokman (eds.), *European Community Decision Making*, 71–104. Yale University
Press.

Bueno de Mesquita, B. (1997). "A decision making model: its structure and form." *International
Interactions* 23(3–4), 235–266.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

import negosim.limits as limits
from negosim.errors import UsageError
from negosim.models.base import Supports
from negosim.models.compromise import actor_arrays, weighted_median_of
from negosim.models.registry import register
from negosim.models.spatial import POINT_FORECAST, PointForecastModel

__all__ = [
    "Dyad",
    "ExpectedUtilityModel",
    "ExpectedUtilityResult",
    "classify_dyads",
    "expected_utilities",
    "expected_utility",
    "risk_exponents",
    "win_probabilities",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# Bound on batch × n³ elements held at once by the probability computation (~32 MB of floats).
_CHUNK_ELEMENTS = 4_000_000


class Dyad(IntEnum):
    """The outcome class of a pair of actors (Scholz et al. 2011, fig. 6)."""

    STATUS_QUO = 0
    """Neither expects to gain from a challenge."""
    CONFLICT = 1
    """Both expect to gain; the one expecting less gives in."""
    COMPROMISE = 2
    """Only one expects to gain and it gains more than the other loses; the other moves part way."""
    CAPITULATION = 3
    """Only one expects to gain and the other would lose more: the other moves all the way."""


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


def win_probabilities(positions: ArrayLike, weights: ArrayLike) -> FloatArray:
    """Probability that *i* prevails over *j*, from the support of every actor (eq. 30–31).

    Parameters
    ----------
    positions
        Shape ``(..., n)``; NaN marks an absent actor.
    weights
        Capability × salience, broadcastable to ``positions``.

    Returns
    -------
    ndarray
        ``P[..., i, j]``, shape ``(..., n, n)``, with ``P[i, j] + P[j, i] = 1``; 0.5 where no actor
        prefers one of the two positions to the other (e.g. equal positions); NaN in the rows and
        columns of absent actors.
    """
    a = actor_arrays(positions, weights)
    p = _win_probabilities(a.positions, a.salience)
    pair = a.present[..., :, None] & a.present[..., None, :]
    return np.where(pair, p, np.nan)


def _win_probabilities(x: FloatArray, w: FloatArray) -> FloatArray:
    batch_shape, n = x.shape[:-1], x.shape[-1]
    xf = x.reshape(-1, n)
    wf = w.reshape(-1, n)
    dist = np.abs(xf[:, :, None] - xf[:, None, :])  # dist[b, k, m] = |x_k - x_m|
    # sum_k w_k (|x_k - x_j| - |x_k - x_i|) is O(n²); only the absolute part needs n³.
    pull = np.einsum("bk,bkm->bm", wf, dist)
    linear = pull[:, None, :] - pull[:, :, None]
    absolute = np.empty_like(dist)
    step = max(1, _CHUNK_ELEMENTS // max(n**3, 1))
    for start in range(0, xf.shape[0], step):
        d = dist[start : start + step]
        arg = np.abs(d[:, :, None, :] - d[:, :, :, None])  # [b, k, i, j]
        absolute[start : start + step] = np.einsum("bk,bkij->bij", wf[start : start + step], arg)
    numerator = 0.5 * (absolute + linear)
    safe = np.where(absolute > 0, absolute, 1.0)
    p = np.where(absolute > 0, numerator / safe, 0.5)
    return np.clip(p, 0.0, 1.0).reshape(*batch_shape, n, n)


def expected_utilities(
    positions: ArrayLike,
    salience: ArrayLike,
    capability: ArrayLike,
    *,
    risk_exponent: ArrayLike = 1.0,
    q: float = 1.0,
    salience_max: float | None = None,
    scale: float | None = None,
) -> FloatArray:
    """Expected utility of *i* challenging *j*, ``E[..., i, j]`` (eq. 5–7, 15–16, 22–24).

    Parameters
    ----------
    positions, salience, capability
        Shape ``(..., n)`` as in :func:`expected_utility`.
    risk_exponent
        :math:`r_i`, broadcastable to ``(..., n)``; 1 is risk neutral.
    q
        Probability :math:`Q` that the status quo persists if *i* does not challenge.
    salience_max
        The salience scale's maximum (1 or 100); inferred when ``None``.
    scale
        Distance normaliser; ``None`` means the range of the present positions.

    Returns
    -------
    ndarray
        Shape ``(..., n, n)``; 0 on the diagonal and for absent actors.
    """
    a = actor_arrays(positions, salience, capability)
    s01 = a.salience / _salience_max(a.salience, salience_max)
    w = a.capability * a.salience
    span = _span(a.positions, a.present) if scale is None else np.full(a.present.shape[:-1], scale)
    r = np.broadcast_to(np.asarray(risk_exponent, dtype=np.float64), a.positions.shape)
    p = _win_probabilities(a.positions, w)
    mu = weighted_median_of(a.positions, w, a.present)
    return _expected_utilities(a.positions, s01, a.present, p, mu, span, r, _check_q(q))


def _check_q(q: float) -> float:
    if not 0.0 <= q <= 1.0:
        raise UsageError(f"q (probability of the status quo) must be in [0, 1] (got {q})")
    return float(q)


def _salience_max(s: FloatArray, salience_max: float | None) -> float:
    top = float(s.max()) if s.size else 0.0
    if salience_max is None:
        salience_max = 100.0 if top > 1.0 else 1.0
    if salience_max <= 0 or top > salience_max * (1 + 1e-12):
        raise UsageError(
            f"saliences must lie in [0, salience_max={salience_max:g}] (got maximum {top:g})"
        )
    return salience_max


def _span(x: FloatArray, present: BoolArray) -> FloatArray:
    hi = np.where(present, x, -np.inf).max(-1)
    lo = np.where(present, x, np.inf).min(-1)
    span = hi - lo
    # All positions equal (or fewer than two actors): distances are zero, any positive scale works.
    return np.where(np.isfinite(span) & (span > 0), span, 1.0)


def _expected_utilities(
    x: FloatArray,
    s01: FloatArray,
    present: BoolArray,
    p: FloatArray,
    mu: FloatArray,
    span: FloatArray,
    r: FloatArray,
    q: float,
) -> FloatArray:
    span_ = span[..., None, None]
    gap = np.abs(x[..., :, None] - x[..., None, :])
    d = np.minimum(gap / span_, 1.0)
    ri = r[..., :, None]
    u_success = 2.0 - 4.0 * (0.5 - 0.5 * d) ** ri
    u_failure = 2.0 - 4.0 * (0.5 + 0.5 * d) ** ri
    u_status_quo = 2.0 - 4.0 * 0.5**ri
    sj = s01[..., None, :]
    eu = sj * (p * u_success + (1.0 - p) * u_failure) + (1.0 - sj) * u_success - q * u_status_quo
    if q < 1.0:
        to_median = np.abs(x - mu[..., None])[..., :, None]
        dm = np.minimum(to_median / span_, 1.0)
        u_better = 2.0 - 4.0 * np.maximum(0.5 - 0.25 * (dm + d), 0.0) ** ri
        u_worse = 2.0 - 4.0 * (0.5 + 0.25 * (dm + d)) ** ri
        t = to_median < gap  # j moving to the median brings it nearer to i (cases 1 and 3A)
        eu = eu - (1.0 - q) * np.where(t, u_better, u_worse)
    pair = present[..., :, None] & present[..., None, :] & ~np.eye(x.shape[-1], dtype=bool)
    return np.where(pair, eu, 0.0)


def risk_exponents(eu: ArrayLike, present: ArrayLike | None = None) -> FloatArray:
    """Risk exponents :math:`r_i \\in [0.5, 2]` from the security levels (eq. 32–34).

    Parameters
    ----------
    eu
        Risk-neutral expected utilities ``E[..., i, j]`` of *i* challenging *j*, shape
        ``(..., n, n)``.
    present
        Which actors take part, shape ``(..., n)``; all when ``None``.

    Returns
    -------
    ndarray
        Shape ``(..., n)``: 0.5 for the actor the others most expect to gain from challenging,
        2 for the one they least expect to gain from; 1 for everyone when all are equal, and
        for absent actors.
    """
    e = np.asarray(eu, dtype=np.float64)
    if e.ndim < 2 or e.shape[-1] != e.shape[-2]:
        raise UsageError(f"eu must have shape (..., n, n) (got {e.shape})")
    mask = np.ones(e.shape[:-1], bool) if present is None else np.asarray(present, dtype=bool)
    return _risk_exponents(e, np.broadcast_to(mask, e.shape[:-1]))


def _risk_exponents(eu: FloatArray, present: BoolArray) -> FloatArray:
    n = eu.shape[-1]
    off_diagonal = np.where(np.eye(n, dtype=bool), 0.0, eu)
    security = off_diagonal.sum(-2)  # S_i = sum_j E^j(U_ji): column sums
    hi = np.where(present, security, -np.inf).max(-1, keepdims=True)
    lo = np.where(present, security, np.inf).min(-1, keepdims=True)
    ok = np.isfinite(hi) & np.isfinite(lo) & (hi > lo)
    hi = np.where(ok, hi, 0.0)
    lo = np.where(ok, lo, 0.0)
    big_r = np.where(ok, (2.0 * security - hi - lo) / np.where(ok, hi - lo, 1.0), 0.0)
    big_r = np.where(present, np.clip(big_r, -1.0, 1.0), 0.0)
    return (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)


def classify_dyads(eu: ArrayLike) -> NDArray[np.int8]:
    """Classify every pair of actors by their two expected utilities (fig. 6).

    Parameters
    ----------
    eu
        ``E[..., i, j]`` of *i* challenging *j*, shape ``(..., n, n)``.

    Returns
    -------
    ndarray of int8
        Symmetric codes of :class:`Dyad`, shape ``(..., n, n)``.
    """
    a = np.asarray(eu, dtype=np.float64)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise UsageError(f"eu must have shape (..., n, n) (got {a.shape})")
    b = np.swapaxes(a, -1, -2)
    codes = np.full(a.shape, Dyad.STATUS_QUO, dtype=np.int8)
    one_sided = ((a > 0) & (b <= 0)) | ((b > 0) & (a <= 0))
    winner = np.maximum(a, b)
    loser = np.minimum(a, b)
    codes[one_sided & (winner > -loser)] = Dyad.COMPROMISE
    codes[one_sided & (winner <= -loser)] = Dyad.CAPITULATION
    codes[(a > 0) & (b > 0)] = Dyad.CONFLICT
    return codes


def _resolve_offers(
    x: FloatArray,
    eu: FloatArray,
    present: BoolArray,
    conflict: str,
    offer_rule: str,
) -> FloatArray:
    """New positions after every actor takes its best offer."""
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


def expected_utility(
    positions: ArrayLike,
    salience: ArrayLike,
    capability: ArrayLike,
    *,
    max_rounds: int = 10,
    q: float = 1.0,
    risk: bool = True,
    conflict: Literal["loser_moves", "no_move"] = "no_move",
    offer_rule: Literal["enforceable", "least_move"] = "enforceable",
    scale: Literal["dynamic", "initial"] | float = "dynamic",
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
    conflict
        ``"no_move"``: a conflict (both expect to gain) has an uncertain outcome and moves no one;
        ``"loser_moves"``: the actor with the lower expected utility moves to the other's
        position (the confrontation octants of the paper's fig. 6).
    offer_rule
        ``"enforceable"``: take the offer of the proposer with the highest expected utility, the
        least movement among ties (§6.2); ``"least_move"``: least movement first.
    scale
        Distance normaliser :math:`x_{max} - x_{min}`: ``"dynamic"`` recomputes it from each
        round's positions (the paper); ``"initial"`` keeps the input's range; a number fixes it
        (e.g. 100 for a 0–100 scale).
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
    if conflict not in ("loser_moves", "no_move"):
        raise UsageError(f"conflict must be 'loser_moves' or 'no_move' (got {conflict!r})")
    if offer_rule not in ("enforceable", "least_move"):
        raise UsageError(f"offer_rule must be 'enforceable' or 'least_move' (got {offer_rule!r})")
    if not (scale in ("dynamic", "initial") or (isinstance(scale, int | float) and scale > 0)):
        raise UsageError(f"scale must be 'dynamic', 'initial' or a positive number (got {scale!r})")
    if not tol >= 0:
        raise UsageError(f"tol must be >= 0 (got {tol})")
    q = _check_q(q)
    a = actor_arrays(positions, salience, capability)
    limits.check_expected_utility(math.prod(a.positions.shape[:-1]), a.positions.shape[-1])
    s01 = a.salience / _salience_max(a.salience, salience_max)
    w = a.capability * a.salience
    present = a.present
    x = a.positions
    initial_span = _span(x, present)
    history = [x]
    settled = np.zeros(x.shape[:-1], dtype=bool)
    for _ in range(max_rounds):
        if scale == "dynamic":
            span = _span(x, present)
        elif scale == "initial":
            span = initial_span
        else:
            span = np.full(x.shape[:-1], float(scale))
        p = _win_probabilities(x, w)
        mu = weighted_median_of(x, w, present)
        r = np.ones_like(x)
        eu = _expected_utilities(x, s01, present, p, mu, span, r, q)
        if risk:
            r = _risk_exponents(eu, present)
            eu = _expected_utilities(x, s01, present, p, mu, span, r, q)
        new_x = _resolve_offers(x, eu, present, conflict, offer_rule)
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


CHOICES = {
    "conflict": ("no_move", "loser_moves"),
    "offer_rule": ("enforceable", "least_move"),
    "forecast": ("median", "mean"),
}


@register
class ExpectedUtilityModel(PointForecastModel):
    """Pairwise challenges, third-party votes, risk exponents; positions settle over rounds.

    Parameters
    ----------
    scenario
        The scenario.
    max_rounds
        Upper bound on the model's rounds (10).
    q
        Probability that the status quo persists when an actor does not challenge (1.0, as
        Scholz et al. chose for their example).
    risk
        Estimate risk exponents from security levels (True).
    conflict, offer_rule
        The paper's readings: ``"no_move"`` or ``"loser_moves"``; ``"enforceable"`` or
        ``"least_move"``.
    forecast
        ``"median"``: the median voter position after the rounds (the model's prediction);
        ``"mean"``: the weighted mean of the final positions.
    """

    name: ClassVar[str] = "expected_utility"
    reference: ClassVar[str] = "Scholz, Calbert & Smith 2011 (JTP 23(4)); Bueno de Mesquita 1994"
    supports: ClassVar[Supports] = POINT_FORECAST
    parameters: ClassVar[dict[str, Any]] = {
        "max_rounds": 10,
        "q": 1.0,
        "risk": True,
        "conflict": "no_move",
        "offer_rule": "enforceable",
        "forecast": "median",
    }

    @classmethod
    def check_parameters(cls, parameters: Mapping[str, Any]) -> dict[str, Any]:
        """The defaults updated with ``parameters``: the readings among their choices,
        ``max_rounds`` from 0 to 1000, ``q`` in [0, 1]."""
        options = super().check_parameters(parameters)
        for key, allowed in CHOICES.items():
            if options[key] not in allowed:
                raise UsageError(
                    f"model {cls.name!r}: parameter {key!r} must be one of "
                    f"{', '.join(map(repr, allowed))} (got {options[key]!r})"
                )
        if not 0 <= options["max_rounds"] <= 1000:
            raise UsageError(
                f"model {cls.name!r}: max_rounds must be from 0 to 1000 "
                f"(got {options['max_rounds']})"
            )
        if not 0.0 <= options["q"] <= 1.0:
            raise UsageError(f"model {cls.name!r}: q must be in [0, 1] (got {options['q']})")
        return options

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
        """``(R, I)`` forecasts from ``(R, A, I)`` positions and saliences, ``(R, A)``
        capabilities; every issue of every replicate in one batch."""
        options = cls.check_parameters(parameters)
        by_issue = np.swapaxes(positions, 1, 2)  # (R, I, A): actors last
        result = expected_utility(
            by_issue,
            np.swapaxes(salience, 1, 2),
            np.broadcast_to(capability[:, None, :], by_issue.shape),
            max_rounds=options["max_rounds"],
            q=options["q"],
            risk=options["risk"],
            conflict=options["conflict"],
            offer_rule=options["offer_rule"],
            salience_max=salience_max,
        )
        chosen = result.forecast if options["forecast"] == "median" else result.mean_forecast
        return np.asarray(chosen)
