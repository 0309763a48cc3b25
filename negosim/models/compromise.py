"""The compromise model: the capability x salience weighted mean of positions.

References: Achen, C. H. (2006), "Evaluating political decision-making models", in Thomson,
Stokman, Achen & König (eds.), *The European Union Decides*, Cambridge University Press.  It is the
Nash bargaining solution of actors with quadratic loss, and the baseline every other model is
reported against.

Mapping from a scenario (see :mod:`negosim.models.spatial_adapter`): each issue on its own, the
weighted mean of the actors' stated positions (option values on 0-100) with weights capability x
salience, snapped to the nearest option.  Ordered issues only; the calendar is ignored.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from negosim.models.base import Supports
from negosim.models.spatial.compromise import compromise
from negosim.models.spatial_adapter import POINT_FORECAST, SpatialModel

__all__ = ["CompromiseModel"]


class CompromiseModel(SpatialModel):
    """Capability x salience weighted mean of the actors' positions, per issue."""

    name: ClassVar[str] = "compromise"
    reference: ClassVar[str] = "Achen 2006; Thomson, Stokman, Achen & König 2006"
    supports: ClassVar[Supports] = POINT_FORECAST

    def forecast(
        self, positions: np.ndarray, salience: np.ndarray, capability: np.ndarray
    ) -> np.ndarray:
        """``(R, I)`` weighted means from ``(R, A, I)`` positions and saliences, ``(R, A)``
        capabilities."""
        # The spatial functions take actors along the last axis: (R, I, A).
        return np.asarray(
            compromise(
                np.swapaxes(positions, 1, 2),
                np.swapaxes(salience, 1, 2),
                capability[:, None, :],
            )
        )
