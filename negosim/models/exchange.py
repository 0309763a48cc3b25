"""Stokman & Van Oosten's exchange model: pairs trade voting positions across issues.

References: Stokman, F. N. & Van Oosten, R. (1994), "The exchange of voting positions: an
object-oriented model of policy networks", in Bueno de Mesquita & Stokman (eds.), *European
Community Decision Making*, Yale University Press; Stokman, F. N. & Van den Bos, J. (1992), "A
two-stage model of policymaking", for the equal-gain rate.  Implemented from the papers (see
``docs/models.md``).

Mapping from a scenario (see :mod:`negosim.models.spatial_adapter`): all issues together, since
exchanges trade one issue against another (across packages too: the model knows no linkage rule);
positions are the stated stances (0-100), weights capability x salience; the expected outcome of
each issue after the exchange rounds snaps to the nearest option.  Ordered issues only; the
calendar is ignored.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from negosim.errors import UsageError
from negosim.models.base import Supports
from negosim.models.spatial.exchange import exchange
from negosim.models.spatial_adapter import POINT_FORECAST, SpatialModel
from negosim.scenario.schema import Scenario

__all__ = ["ExchangeModel"]


class ExchangeModel(SpatialModel):
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

    def __init__(self, scenario: Scenario, **parameters: Any):
        super().__init__(scenario, **parameters)
        if not 0 <= self.options["max_rounds"] <= 1000:
            raise UsageError(
                f"model {self.name!r}: max_rounds must be from 0 to 1000 "
                f"(got {self.options['max_rounds']})"
            )

    def forecast(
        self, positions: np.ndarray, salience: np.ndarray, capability: np.ndarray
    ) -> np.ndarray:
        """``(R, I)`` expected outcomes after exchange, from ``(R, A, I)`` positions and
        saliences and ``(R, A)`` capabilities."""
        result = exchange(positions, salience, capability, max_rounds=self.options["max_rounds"])
        return np.asarray(result.outcome)
