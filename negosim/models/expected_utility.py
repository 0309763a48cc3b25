"""Bueno de Mesquita's expected utility model, as specified by Scholz, Calbert & Smith (2011).

References: Scholz, J. B., Calbert, G. J. & Smith, G. A. (2011), "Unravelling Bueno De Mesquita's
group decision model", *Journal of Theoretical Politics* 23(4): 510-531; Bueno de Mesquita, B.
(1994), "Political forecasting: an expected utility method", in Bueno de Mesquita & Stokman (eds.),
*European Community Decision Making*, Yale University Press.

Mapping from a scenario (see :mod:`negosim.models.spatial_adapter`): each issue on its own, the
actors' stated positions (0-100), saliences (0-1, as the model's probabilities) and capabilities
play the model's rounds of challenges; the forecast, the capability x salience weighted median
("median voter") position after the last round, snaps to the nearest option.  Ordered issues only;
the calendar is ignored.  The parameters are the readings documented in ``docs/models.md``; the
defaults are the paper's.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from negosim.errors import UsageError
from negosim.models.base import Supports
from negosim.models.spatial.expected_utility import expected_utility
from negosim.models.spatial_adapter import POINT_FORECAST, SpatialModel
from negosim.scenario.schema import Scenario

__all__ = ["ExpectedUtilityModel"]

CHOICES = {
    "conflict": ("no_move", "loser_moves"),
    "offer_rule": ("enforceable", "least_move"),
    "forecast": ("median", "mean"),
}


class ExpectedUtilityModel(SpatialModel):
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

    def __init__(self, scenario: Scenario, **parameters: Any):
        super().__init__(scenario, **parameters)
        for key, allowed in CHOICES.items():
            if self.options[key] not in allowed:
                raise UsageError(
                    f"model {self.name!r}: parameter {key!r} must be one of "
                    f"{', '.join(map(repr, allowed))} (got {self.options[key]!r})"
                )
        if not 0 <= self.options["max_rounds"] <= 1000:
            raise UsageError(
                f"model {self.name!r}: max_rounds must be from 0 to 1000 "
                f"(got {self.options['max_rounds']})"
            )
        if not 0.0 <= self.options["q"] <= 1.0:
            raise UsageError(f"model {self.name!r}: q must be in [0, 1] (got {self.options['q']})")

    def forecast(
        self, positions: np.ndarray, salience: np.ndarray, capability: np.ndarray
    ) -> np.ndarray:
        """``(R, I)`` forecasts from ``(R, A, I)`` positions and saliences, ``(R, A)``
        capabilities; every issue of every replicate in one batch."""
        by_issue = np.swapaxes(positions, 1, 2)  # (R, I, A): actors last
        result = expected_utility(
            by_issue,
            np.swapaxes(salience, 1, 2),
            np.broadcast_to(capability[:, None, :], by_issue.shape),
            max_rounds=self.options["max_rounds"],
            q=self.options["q"],
            risk=self.options["risk"],
            conflict=self.options["conflict"],
            offer_rule=self.options["offer_rule"],
            salience_max=1.0,
        )
        chosen = result.forecast if self.options["forecast"] == "median" else result.mean_forecast
        return np.asarray(chosen)
