"""Bueno de Mesquita's expected utility model, as specified by Scholz, Calbert & Smith (2011).

Reference: Scholz, J. B., Calbert, G. J. & Smith, G. A. (2011), "Unravelling Bueno De Mesquita's
group decision model", *Journal of Theoretical Politics* 23(4): 510-531.  The forecast is the
capability x salience weighted median of the positions after the model's rounds.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from negosim.models.base import Supports
from negosim.models.spatial.expected_utility import expected_utility
from negosim.models.spatial_adapter import POINT_FORECAST, SpatialModel

__all__ = ["ExpectedUtilityModel"]


class ExpectedUtilityModel(SpatialModel):
    """Pairwise challenges, third-party votes, risk exponents; positions settle over rounds."""

    name: ClassVar[str] = "expected_utility"
    reference: ClassVar[str] = "Scholz, Calbert & Smith 2011 (JTP 23(4)); Bueno de Mesquita 1994"
    supports: ClassVar[Supports] = POINT_FORECAST
    parameters: ClassVar[dict[str, Any]] = {"max_rounds": 10}

    def forecast(
        self, positions: np.ndarray, salience: np.ndarray, capability: np.ndarray
    ) -> np.ndarray:
        result = expected_utility(
            np.swapaxes(positions, 1, 2),
            np.swapaxes(salience, 1, 2),
            np.broadcast_to(capability[:, None, :], np.swapaxes(positions, 1, 2).shape),
            max_rounds=int(self.options["max_rounds"]),
            salience_max=1.0,
        )
        return np.asarray(result.forecast)
