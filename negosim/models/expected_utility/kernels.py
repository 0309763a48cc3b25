"""The array kernels of the expected utility model: probabilities of success, expected
utilities, risk exponents and the classes of dyads (Scholz, Calbert & Smith 2011; equation
numbers are theirs).

Each kernel takes validated arrays with the actors on the last axis (and, for pairs, the last
two axes: ``[..., i, j]``) and any leading batch axes.  The public functions of the package
(:func:`win_probabilities`, :func:`expected_utilities`, :func:`risk_exponents`,
:func:`classify_dyads`) validate their arguments and call them.

Two readings of the probability of success (the ``reading`` argument):

``"equations"``
    Eq. 30-31: the support of every actor *k* for *i* over *j*, divided by the support for
    either of the two, so that :math:`P^i + P^j = 1`.
``"scholz_code"``
    The authors' own program, as the public replication jmckib/bdm-scholz-expected-utility-model
    documents it: the same support divided by the sum over *all* triples of actors
    :math:`\\sum_k \\sum_{a, b} c_k s_k |d_{ka}^{r_k} - d_{kb}^{r_k}|`, with each voter's
    distances raised to the voter's risk exponent.  The probabilities are then small and no
    longer complementary.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from negosim.errors import UsageError
from negosim.models.compromise import actor_arrays, weighted_median_of

__all__ = [
    "READINGS",
    "Dyad",
    "Reading",
    "check_q",
    "check_reading",
    "classify_dyads",
    "expected_utilities",
    "position_span",
    "risk_exponents",
    "salience_scale",
    "security_exponents",
    "success_probabilities",
    "utility_matrix",
    "win_probabilities",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Reading = Literal["equations", "scholz_code"]

READINGS: tuple[str, ...] = ("equations", "scholz_code")
"""The readings of the model: the paper's equations, and the authors' code."""

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


def check_reading(reading: str) -> str:
    """``reading`` if it is one of :data:`READINGS`, else a :class:`UsageError`."""
    if reading not in READINGS:
        raise UsageError(
            f"reading must be one of {', '.join(map(repr, READINGS))} (got {reading!r})"
        )
    return reading


def check_q(q: float) -> float:
    """``q`` as a float if it is a probability, else a :class:`UsageError`."""
    if not 0.0 <= q <= 1.0:
        raise UsageError(f"q (probability of the status quo) must be in [0, 1] (got {q})")
    return float(q)


def salience_scale(s: FloatArray, salience_max: float | None) -> float:
    """The top of the salience scale: ``salience_max``, or 100 if a salience exceeds 1, else 1."""
    top = float(s.max()) if s.size else 0.0
    if salience_max is None:
        salience_max = 100.0 if top > 1.0 else 1.0
    if salience_max <= 0 or top > salience_max * (1 + 1e-12):
        raise UsageError(
            f"saliences must lie in [0, salience_max={salience_max:g}] (got maximum {top:g})"
        )
    return salience_max


def position_span(x: FloatArray, present: BoolArray) -> FloatArray:
    """:math:`x_{max} - x_{min}` of the present actors, shape ``x.shape[:-1]``."""
    hi = np.where(present, x, -np.inf).max(-1)
    lo = np.where(present, x, np.inf).min(-1)
    span = hi - lo
    # All positions equal (or fewer than two actors): distances are zero, any positive scale works.
    return np.where(np.isfinite(span) & (span > 0), span, 1.0)


def _support(distance: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``favour[..., i, j] = sum_k w_k max(0, D_kj - D_ki)`` and ``spread[..., i, j] = sum_k
    w_k |D_kj - D_ki|`` from ``distance[..., k, m] = D_km``."""
    batch_shape, n = distance.shape[:-2], distance.shape[-1]
    dist = distance.reshape(-1, n, n)
    wf = w.reshape(-1, n)
    # sum_k w_k (D_kj - D_ki) is O(n²); only the absolute part needs n³.
    pull = np.einsum("bk,bkm->bm", wf, dist)
    linear = pull[:, None, :] - pull[:, :, None]
    spread = np.empty_like(dist)
    step = max(1, _CHUNK_ELEMENTS // max(n**3, 1))
    for start in range(0, dist.shape[0], step):
        d = dist[start : start + step]
        arg = np.abs(d[:, :, None, :] - d[:, :, :, None])  # [b, k, i, j]
        spread[start : start + step] = np.einsum("bk,bkij->bij", wf[start : start + step], arg)
    favour = 0.5 * (spread + linear)
    return favour.reshape(*batch_shape, n, n), spread.reshape(*batch_shape, n, n)


def success_probabilities(
    x: FloatArray,
    w: FloatArray,
    present: BoolArray,
    *,
    reading: str = "equations",
    span: FloatArray | None = None,
    voter_exponent: FloatArray | None = None,
) -> FloatArray:
    """``P[..., i, j]``, the probability that *i* prevails over *j* (see the module's readings).

    ``span`` (default: the positions' range) and ``voter_exponent`` (default 1) matter only to
    ``"scholz_code"``: each voter *k* weighs the distances :math:`(|x_k - x_m| / span)^{r_k}`.
    Under ``"equations"`` the probability is 0.5 where no actor prefers one position to the
    other; under ``"scholz_code"`` it is 0 where nobody supports *i* (e.g. equal positions).
    """
    gap = np.abs(x[..., :, None] - x[..., None, :])  # gap[..., k, m] = |x_k - x_m|
    if reading == "equations":
        favour, spread = _support(gap, w)
        safe = np.where(spread > 0, spread, 1.0)
        return np.clip(np.where(spread > 0, favour / safe, 0.5), 0.0, 1.0)
    span = position_span(x, present) if span is None else span
    distance = gap / span[..., None, None]
    if voter_exponent is not None:
        distance = distance ** voter_exponent[..., :, None]
    favour, spread = _support(distance, w)
    pair = present[..., :, None] & present[..., None, :]
    total = np.where(pair, spread, 0.0).sum((-2, -1))[..., None, None]
    return np.clip(np.where(total > 0, favour / np.where(total > 0, total, 1.0), 0.0), 0.0, 1.0)


def utility_matrix(
    x: FloatArray,
    s01: FloatArray,
    present: BoolArray,
    p: FloatArray,
    mu: FloatArray,
    span: FloatArray,
    exponent: FloatArray,
    q: float,
) -> FloatArray:
    """``E[..., i, j]`` of *i* challenging *j* (eq. 5-7, 15-16, 22-24) with the risk exponent
    ``exponent`` broadcastable to ``(..., n, n)``: ``r[..., :, None]`` is each challenger's
    own, ``r[..., None, :]`` the target's."""
    span_ = span[..., None, None]
    gap = np.abs(x[..., :, None] - x[..., None, :])
    d = np.minimum(gap / span_, 1.0)
    ri = exponent
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


def security_exponents(eu: FloatArray, present: BoolArray) -> FloatArray:
    """Risk exponents from the security levels :math:`S_i = \\sum_{j \\ne i} E^j(U_{ji})`
    (eq. 32-34): the column sums of ``eu``."""
    n = eu.shape[-1]
    off_diagonal = np.where(np.eye(n, dtype=bool), 0.0, eu)
    security = off_diagonal.sum(-2)
    hi = np.where(present, security, -np.inf).max(-1, keepdims=True)
    lo = np.where(present, security, np.inf).min(-1, keepdims=True)
    ok = np.isfinite(hi) & np.isfinite(lo) & (hi > lo)
    hi = np.where(ok, hi, 0.0)
    lo = np.where(ok, lo, 0.0)
    big_r = np.where(ok, (2.0 * security - hi - lo) / np.where(ok, hi - lo, 1.0), 0.0)
    big_r = np.where(present, np.clip(big_r, -1.0, 1.0), 0.0)
    return (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)


# --- the validated public functions ----------------------------------------------------------


def win_probabilities(
    positions: ArrayLike, weights: ArrayLike, *, reading: Reading = "equations"
) -> FloatArray:
    """Probability that *i* prevails over *j*, from the support of every actor.

    Parameters
    ----------
    positions
        Shape ``(..., n)``; NaN marks an absent actor.
    weights
        Capability × salience, broadcastable to ``positions``.
    reading
        ``"equations"`` (eq. 30-31) or ``"scholz_code"`` (normalised over all triples of
        actors, every voter risk neutral); see :mod:`~negosim.models.expected_utility.kernels`.

    Returns
    -------
    ndarray
        ``P[..., i, j]``, shape ``(..., n, n)``; under ``"equations"`` ``P[i, j] + P[j, i] = 1``
        and 0.5 where no actor prefers one of the two positions to the other (e.g. equal
        positions); NaN in the rows and columns of absent actors.
    """
    a = actor_arrays(positions, weights)
    p = success_probabilities(a.positions, a.salience, a.present, reading=check_reading(reading))
    pair = a.present[..., :, None] & a.present[..., None, :]
    return np.where(pair, p, np.nan)


def expected_utilities(
    positions: ArrayLike,
    salience: ArrayLike,
    capability: ArrayLike,
    *,
    risk_exponent: ArrayLike = 1.0,
    q: float = 1.0,
    salience_max: float | None = None,
    scale: float | None = None,
    reading: Reading = "equations",
    exponent_of: Literal["challenger", "target"] = "challenger",
) -> FloatArray:
    """Expected utility of *i* challenging *j*, ``E[..., i, j]`` (eq. 5–7, 15–16, 22–24).

    Parameters
    ----------
    positions, salience, capability
        Shape ``(..., n)`` as in :func:`~negosim.models.expected_utility.expected_utility`.
    risk_exponent
        :math:`r_i`, broadcastable to ``(..., n)``; 1 is risk neutral.
    q
        Probability :math:`Q` that the status quo persists if *i* does not challenge.
    salience_max
        The salience scale's maximum (1 or 100); inferred when ``None``.
    scale
        Distance normaliser; ``None`` means the range of the present positions.
    reading
        The probability of success: ``"equations"``, or ``"scholz_code"`` (normalised over all
        triples, each voter's distances raised to its ``risk_exponent``).
    exponent_of
        Whose risk exponent values ``E[i, j]``: the challenger *i*'s own (the paper), or the
        target *j*'s (how the authors' code values the challenges an actor receives).

    Returns
    -------
    ndarray
        Shape ``(..., n, n)``; 0 on the diagonal and for absent actors.
    """
    if exponent_of not in ("challenger", "target"):
        raise UsageError(f"exponent_of must be 'challenger' or 'target' (got {exponent_of!r})")
    check_reading(reading)
    a = actor_arrays(positions, salience, capability)
    s01 = a.salience / salience_scale(a.salience, salience_max)
    w = a.capability * a.salience
    span = (
        position_span(a.positions, a.present)
        if scale is None
        else np.full(a.present.shape[:-1], float(scale))
    )
    r = np.broadcast_to(np.asarray(risk_exponent, dtype=np.float64), a.positions.shape)
    p = success_probabilities(
        a.positions, w, a.present, reading=reading, span=span, voter_exponent=r
    )
    mu = weighted_median_of(a.positions, w, a.present)
    exponent = r[..., :, None] if exponent_of == "challenger" else r[..., None, :]
    return utility_matrix(a.positions, s01, a.present, p, mu, span, exponent, check_q(q))


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
    return security_exponents(e, np.broadcast_to(mask, e.shape[:-1]))


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
