"""Stokman's exchange model: actors trade voting positions across issues for equal gains.

On several issues decided together, the expected outcome of issue *a* is the compromise of the
actors' voting positions, :math:`O_a = \\sum_i w_{ia} v_{ia} / W_a` with :math:`w_{ia} = c_i
s_{ia}` and :math:`W_a = \\sum_i w_{ia}`; voting positions :math:`v` start at the positions.  An
actor's utility falls linearly in the salience-weighted distance between its position and the
outcomes, so moving :math:`O_a` by :math:`\\Delta` changes it by :math:`\\pm s_{ia} \\Delta`.

**An exchange** (Stokman & Van Oosten 1994) between actors *i* and *j* on issues *a* and *b*
needs them on opposite sides of :math:`O_a` and of :math:`O_b`, and *i* to care relatively more
about *b*: :math:`s_{ib} s_{ja} > s_{ia} s_{jb}`.  Then *i* shifts its voting position on *a*
towards *j* (moving :math:`O_a` by :math:`\\Delta_a = w_{ia} \\delta_{ia} / W_a` towards *j*) and
*j* shifts on *b* towards *i* (:math:`\\Delta_b = w_{jb} \\delta_{jb} / W_b`).  The gains are
:math:`G_i = s_{ib}\\Delta_b - s_{ia}\\Delta_a` and :math:`G_j = s_{ja}\\Delta_a - s_{jb}\\Delta_b`;
the **equal-gain** rate (Stokman & Van den Bos 1992) sets them equal,

.. math:: \\Delta_b = \\Delta_a \\frac{s_{ia} + s_{ja}}{s_{ib} + s_{jb}}, \\qquad
          G = \\Delta_a \\frac{s_{ib} s_{ja} - s_{ia} s_{jb}}{s_{ib} + s_{jb}} > 0 .

**The size** of an exchange is as large as possible while no voting position crosses the expected
outcome: the giving actor whose shift binds moves its voting position to the outcome, the other
moves part way.  **Each round** all exchanges are valued against the same expected outcomes and
taken greedily in decreasing order of gain, each actor–issue voting position at most once; then
outcomes are recomputed and the next round starts.  With one issue there is nothing to trade and
the model is the compromise model.

The predicted outcome is the expected outcome after the last round.  The model is written from
the papers' description (see ``docs/models.md``).

As a decision model (:class:`ExchangeModel`, registered as ``exchange``; the shared mapping from a
scenario is in :mod:`negosim.models.spatial`): all issues together, since exchanges trade one
issue against another (across packages too: the model knows no linkage rule); positions are the
stated stances (0-100), weights capability x salience; the expected outcome of each issue after
the exchange rounds snaps to the nearest option.  Ordered issues only; the calendar is ignored.

References
----------
Stokman, F. N. & Van den Bos, J. M. M. (1992). "A two-stage model of policy making: with an
empirical test in the US energy policy domain." *Research in Politics and Society* 4.

Stokman, F. N. & Van Oosten, R. (1994). "The exchange of voting positions: an object-oriented
model of policy networks." In B. Bueno de Mesquita & F. N. Stokman (eds.), *European Community
Decision Making*. Yale University Press.

Dijkstra, J., Van Assen, M. A. L. M. & Stokman, F. N. (2008). "Outcomes of collective decisions
with externalities predicted." *Journal of Theoretical Politics* 20(4).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from negosim.errors import UsageError
from negosim.models.base import Supports
from negosim.models.compromise import actor_arrays
from negosim.models.registry import register
from negosim.models.spatial import POINT_FORECAST, PointForecastModel

__all__ = ["ExchangeModel", "ExchangeResult", "exchange"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ExchangeResult:
    """What :func:`exchange` returns.

    Attributes
    ----------
    outcome
        Predicted outcome per issue after the exchanges, shape ``(..., n_issues)``.
    initial_outcome
        The compromise model's outcome (before any exchange), shape ``(..., n_issues)``.
    voting_positions
        Final voting positions, shape ``(..., n_actors, n_issues)``; NaN where absent.
    outcome_by_round
        Expected outcomes by round, shape ``(..., n_rounds + 1, n_issues)``.
    n_exchanges
        Number of exchanges made in each batch element, shape ``(...)``.
    """

    outcome: FloatArray
    initial_outcome: FloatArray
    voting_positions: FloatArray
    outcome_by_round: FloatArray
    n_exchanges: NDArray[np.int64]


def _outcomes(v: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    total = w.sum(-2)
    safe = np.where(total > 0, total, 1.0)
    return (w * v).sum(-2) / safe, total


def _exchange_round(
    v: FloatArray, s: FloatArray, w: FloatArray, tol: float
) -> tuple[FloatArray, NDArray[np.int64]]:
    """One round of greedy equal-gain exchanges; returns new voting positions and the count."""
    batch, n, m = v.shape
    outcome, total = _outcomes(v, w)
    offset = v - outcome[:, None, :]
    side = np.where(w > 0, np.sign(np.where(np.abs(offset) > tol, offset, 0.0)), 0.0)
    # Largest move of O_a one actor's voting position can make without crossing O_a.
    reach = w * np.abs(offset) / np.where(total > 0, total, 1.0)[:, None, :]

    # Candidate (i, j, a, b): i gives on a, j gives on b; axes [batch, i, j, a, b].
    sia = s[:, :, None, :, None]
    sib = s[:, :, None, None, :]
    sja = s[:, None, :, :, None]
    sjb = s[:, None, :, None, :]
    opposite = side[:, :, None, :] * side[:, None, :, :] < 0  # [batch, i, j, issue]
    feasible = opposite[:, :, :, :, None] & opposite[:, :, :, None, :]
    advantage = sib * sja - sia * sjb
    feasible &= advantage > 0
    feasible &= ~np.eye(m, dtype=bool)[None, None, None]
    rate = (sia + sja) / np.where(sib + sjb > 0, sib + sjb, 1.0)  # Delta_b / Delta_a
    reach_a = reach[:, :, None, :, None]
    reach_b = reach[:, None, :, None, :]
    delta_a = np.minimum(reach_a, reach_b / np.where(rate > 0, rate, 1.0))
    gain = delta_a * advantage / np.where(sib + sjb > 0, sib + sjb, 1.0)
    k = n * n * m * m
    gain = np.where(feasible & (delta_a > 0), gain, -np.inf).reshape(batch, k)

    d_out = np.zeros((batch, n, m))  # accumulated move of O caused by each actor-issue
    count = np.zeros(batch, dtype=np.int64)
    rows = np.arange(batch)
    shape = (n, n, m, m)
    delta_flat = np.broadcast_to(delta_a, (batch, *shape)).reshape(batch, k)
    rate_flat = np.broadcast_to(rate, (batch, *shape)).reshape(batch, k)
    while batch and k:
        flat = gain.argmax(-1)
        best = gain[rows, flat]
        live = np.isfinite(best)
        if not live.any():
            break
        i, j, a, b = np.unravel_index(flat, shape)
        r, i, j, a, b = rows[live], i[live], j[live], a[live], b[live]
        da = delta_flat[r, flat[live]]
        db = da * rate_flat[r, flat[live]]
        # i moves O_a towards j's side, j moves O_b towards i's side.
        d_out[r, i, a] += da * side[r, j, a]
        d_out[r, j, b] += db * side[r, i, b]
        count[r] += 1
        # Each actor-issue voting position serves one exchange per round: retire every
        # candidate that would reuse one of the four this exchange used.
        g = gain.reshape(batch, n, n, m, m)
        for actor in (i, j):
            for issue in (a, b):
                g[r, actor, :, issue, :] = -np.inf
                g[r, actor, :, :, issue] = -np.inf
                g[r, :, actor, issue, :] = -np.inf
                g[r, :, actor, :, issue] = -np.inf
    # Convert outcome moves back into voting-position shifts: delta_v = Delta_O * W / w.
    shift = np.where(w > 0, d_out * total[:, None, :] / np.where(w > 0, w, 1.0), 0.0)
    return v + shift, count


def exchange(
    positions: ArrayLike,
    salience: ArrayLike,
    capability: ArrayLike,
    *,
    max_rounds: int = 3,
    tol: float = 1e-9,
) -> ExchangeResult:
    """Predict multi-issue outcomes with the equal-gain exchange model.

    Parameters
    ----------
    positions
        Shape ``(..., n_actors, n_issues)`` on any real scale; NaN marks an actor without a
        position on an issue (no weight there).
    salience
        Non-negative saliences, same shape (broadcastable); the scale does not matter.
    capability
        Non-negative capabilities, shape ``(..., n_actors)`` (broadcastable).
    max_rounds
        Rounds of exchange; fewer if a round finds no exchange.
    tol
        Voting positions within ``tol`` of an expected outcome count as on it (on neither side).

    Returns
    -------
    ExchangeResult
        Outcomes after exchange, the compromise outcomes, final voting positions and history.

    Raises
    ------
    UsageError
        On bad shapes, negative saliences or capabilities, or a bad ``max_rounds``.
    """
    if isinstance(max_rounds, bool) or not isinstance(max_rounds, int | np.integer):
        raise UsageError(f"max_rounds must be an integer (got {max_rounds!r})")
    if max_rounds < 0:
        raise UsageError(f"max_rounds must be >= 0 (got {max_rounds})")
    x = np.asarray(positions, dtype=np.float64) if _numeric(positions) else None
    if x is None or x.ndim < 2:
        raise UsageError(
            "positions must be numeric with shape (..., n_actors, n_issues) "
            f"(got shape {np.shape(positions)})"
        )
    c = np.asarray(capability, dtype=np.float64) if _numeric(capability) else None
    if c is None or c.ndim < 1:
        raise UsageError(f"capability must have shape (..., n_actors) (got {np.shape(capability)})")
    arrays = actor_arrays(x, salience, c[..., None])
    v, s, cap, present = arrays
    w = cap * s
    batch_shape = v.shape[:-2]
    n, m = v.shape[-2:]
    vf, sf, wf = (a.reshape(-1, n, m) for a in (v, s, w))
    initial, _ = _outcomes(vf, wf)
    history = [initial]
    count = np.zeros(vf.shape[0], dtype=np.int64)
    for _ in range(max_rounds):
        vf, made = _exchange_round(vf, sf, wf, tol)
        count += made
        history.append(_outcomes(vf, wf)[0])
        if not made.any():
            break
    total = wf.sum(-2)
    stacked = np.stack(history, axis=-2)
    stacked = np.where(total[:, None, :] > 0, stacked, np.nan)
    return ExchangeResult(
        outcome=stacked[:, -1].reshape(*batch_shape, m),
        initial_outcome=stacked[:, 0].reshape(*batch_shape, m),
        voting_positions=np.where(present, vf.reshape(v.shape), np.nan),
        outcome_by_round=stacked.reshape(*batch_shape, stacked.shape[-2], m),
        n_exchanges=count.reshape(batch_shape),
    )


def _numeric(value: ArrayLike) -> bool:
    try:
        np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return True


@register
class ExchangeModel(PointForecastModel):
    """Equal-gain exchanges of voting positions, then the weighted mean per issue.

    Parameters
    ----------
    scenario
        The scenario.
    max_rounds
        Rounds of exchange (3, fixed before the DEU III backtest was run); 0 gives the
        compromise model.
    """

    name: ClassVar[str] = "exchange"
    reference: ClassVar[str] = "Stokman & Van Oosten 1994; Stokman & Van den Bos 1992"
    supports: ClassVar[Supports] = POINT_FORECAST
    parameters: ClassVar[dict[str, Any]] = {"max_rounds": 3}

    @classmethod
    def check_parameters(cls, parameters: Mapping[str, Any]) -> dict[str, Any]:
        """The defaults updated with ``parameters``; ``max_rounds`` from 0 to 1000."""
        options = super().check_parameters(parameters)
        if not 0 <= options["max_rounds"] <= 1000:
            raise UsageError(
                f"model {cls.name!r}: max_rounds must be from 0 to 1000 "
                f"(got {options['max_rounds']})"
            )
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
        """``(R, I)`` expected outcomes after exchange, from ``(R, A, I)`` positions and
        saliences and ``(R, A)`` capabilities (any salience scale)."""
        options = cls.check_parameters(parameters)
        result = exchange(positions, salience, capability, max_rounds=options["max_rounds"])
        return np.asarray(result.outcome)
