"""The expected utility model as a registered decision model (``expected_utility``).

Each issue on its own, the actors' stated positions (0-100), saliences (0-1, as the model's
probabilities) and capabilities play the model's rounds of challenges; the forecast, the
capability x salience weighted median ("median voter") position after the last round, snaps
to the nearest option (the shared mapping of :mod:`negosim.models.spatial`).  Ordered issues
only; the calendar is ignored.  The parameters are the readings documented in
``docs/models.md``; the defaults are the paper's equations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from negosim.errors import UsageError
from negosim.models.base import Supports
from negosim.models.expected_utility.kernels import READINGS
from negosim.models.expected_utility.rounds import expected_utility
from negosim.models.registry import register
from negosim.models.spatial import POINT_FORECAST, PointForecastModel

__all__ = ["CHOICES", "ExpectedUtilityModel"]

CHOICES = {
    "reading": READINGS,
    "conflict": ("no_move", "loser_moves"),
    "offer_rule": ("enforceable", "least_move"),
    "forecast": ("median", "mean"),
}
"""The allowed values of the model's parameters that are choices."""

# Parameters of the "equations" reading alone: the "scholz_code" reading has its own rules.
_EQUATIONS_ONLY = ("conflict", "offer_rule")


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
    reading
        ``"equations"`` (the paper's equations, the default) or ``"scholz_code"`` (the authors'
        program, which reproduces the paper's Table 2); see ``docs/models.md``.
    conflict, offer_rule
        The ``"equations"`` reading's choices: ``"no_move"`` or ``"loser_moves"``;
        ``"enforceable"`` or ``"least_move"``.
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
        "reading": "equations",
        "conflict": "no_move",
        "offer_rule": "enforceable",
        "forecast": "median",
    }

    @classmethod
    def check_parameters(cls, parameters: Mapping[str, Any]) -> dict[str, Any]:
        """The defaults updated with ``parameters``: the readings among their choices,
        ``max_rounds`` from 0 to 1000, ``q`` in [0, 1]; ``conflict`` and ``offer_rule`` other
        than their defaults only with ``reading="equations"``."""
        options = super().check_parameters(parameters)
        for key, allowed in CHOICES.items():
            if options[key] not in allowed:
                raise UsageError(
                    f"model {cls.name!r}: parameter {key!r} must be one of "
                    f"{', '.join(map(repr, allowed))} (got {options[key]!r})"
                )
        # Compared with the defaults, not looked up in ``parameters``: the adapter passes its
        # full options back through point_forecast.
        given = [key for key in _EQUATIONS_ONLY if options[key] != cls.parameters[key]]
        if options["reading"] != "equations" and given:
            raise UsageError(
                f"model {cls.name!r}: parameter {given[0]!r} applies to reading='equations' "
                f"only (the {options['reading']!r} reading has its own rules)"
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
        rules: dict[str, Any] = {}
        if options["reading"] == "equations":
            rules = {key: options[key] for key in _EQUATIONS_ONLY}
        by_issue = np.swapaxes(positions, 1, 2)  # (R, I, A): actors last
        result = expected_utility(
            by_issue,
            np.swapaxes(salience, 1, 2),
            np.broadcast_to(capability[:, None, :], by_issue.shape),
            max_rounds=options["max_rounds"],
            q=options["q"],
            risk=options["risk"],
            reading=options["reading"],
            salience_max=salience_max,
            **rules,
        )
        chosen = result.forecast if options["forecast"] == "median" else result.mean_forecast
        return np.asarray(chosen)
