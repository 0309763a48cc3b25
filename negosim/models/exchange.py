"""Stokman & Van Oosten's exchange model: pairs trade voting positions across issues.

References: Stokman, F. N. & Van Oosten, R. (1994), "The exchange of voting positions", in Bueno
de Mesquita & Stokman (eds.), *European Community Decision Making*; Stokman & Van den Bos (1992).
Implemented from the papers (see ``docs/models.md``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from negosim.models.base import Supports
from negosim.models.spatial.exchange import exchange
from negosim.models.spatial_adapter import POINT_FORECAST, SpatialModel

__all__ = ["ExchangeModel"]


class ExchangeModel(SpatialModel):
    """Equal-gain exchanges of voting positions, then the weighted mean per issue."""

    name: ClassVar[str] = "exchange"
    reference: ClassVar[str] = "Stokman & Van Oosten 1994; Stokman & Van den Bos 1992"
    supports: ClassVar[Supports] = POINT_FORECAST
    parameters: ClassVar[dict[str, Any]] = {"max_rounds": 3}

    def forecast(
        self, positions: np.ndarray, salience: np.ndarray, capability: np.ndarray
    ) -> np.ndarray:
        result = exchange(
            positions, salience, capability, max_rounds=int(self.options["max_rounds"])
        )
        return np.asarray(result.outcome)
