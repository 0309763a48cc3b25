"""The asymmetric Nash bargaining solution over the scenario's packages.

References: Nash, J. (1950), "The bargaining problem", *Econometrica* 18(2); Kalai (1977) for the
asymmetric form; Binmore, Rubinstein & Wolinsky (1986) for its link to alternating offers.
Fallbacks are the disagreement point; bargaining weights are clout (capability x salience).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from negosim.engine.compiled import Compiled
from negosim.engine.model import BREAKDOWN, FORECAST
from negosim.engine.params import BlockParams
from negosim.models.base import Supports
from negosim.models.spatial.nash import nash_bargaining
from negosim.models.spatial_adapter import SpatialModel

__all__ = ["NashModel"]


class NashModel(SpatialModel):
    """Per package: the combination maximising the weighted product of gains over the fallbacks."""

    name: ClassVar[str] = "nash"
    reference: ClassVar[str] = "Nash 1950; Kalai 1977; Binmore, Rubinstein & Wolinsky 1986"
    supports: ClassVar[Supports] = Supports(
        issue_kinds=frozenset({"ordinal", "nominal", "continuous"}),
        deadlines=False,
        events=False,
        stochastic=True,
    )

    def choose(self, compiled: Compiled, params: BlockParams) -> tuple[np.ndarray, np.ndarray]:
        utilities = self.utilities(compiled, params)
        combos, status = [], []
        for k, package in enumerate(compiled.packages):
            u = utilities[k]  # (R, A, C)
            acts = np.array(
                [
                    not a.fallback.outcomes
                    or any(compiled.issue_ids[i] in a.fallback.outcomes for i in package.issues)
                    for a in compiled.scenario.actors.values()
                ]
            )
            value = np.where(acts[None, :], params.fallback_value, np.nan)
            disagreement = np.where(np.isnan(value), u[:, :, package.no_deal], value)
            # Outside a red line, or the no-deal package itself: strictly worse than disagreement.
            excluded = ~package.allowed[None, :, :] | (np.arange(u.shape[2]) == package.no_deal)
            u = np.where(excluded, disagreement[:, :, None] - 1.0, u)
            weights = params.capability * params.salience[:, :, list(package.issues)].mean(axis=2)
            weights = np.where(weights > 0, weights, 1e-9)
            choice = nash_bargaining(np.swapaxes(u, 1, 2), disagreement, weights=weights)
            index = np.asarray(choice.index)
            combos.append(np.where(index >= 0, index, package.no_deal))
            status.append(np.where(index >= 0, FORECAST, BREAKDOWN).astype(np.int8))
        return np.stack(combos), np.stack(status)
