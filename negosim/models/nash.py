"""The asymmetric Nash bargaining solution over the scenario's packages.

References: Nash, J. F. (1950), "The bargaining problem", *Econometrica* 18(2): 155-162; Kalai, E.
(1977), "Nonsymmetric Nash solutions and replications of 2-person bargaining", *International
Journal of Game Theory* 6(3), for the asymmetric form; Binmore, Rubinstein & Wolinsky (1986), *RAND
Journal of Economics* 17(2), for its link to alternating offers.

Mapping from a scenario, per package and replicate: the feasible set is every combination of the
package's options, valued as the bargaining engine's negotiators value it
(:func:`~negosim.engine.strategy.effective_utility`: ratification anticipated, red lines and the
no-deal combination excluded); the disagreement point is each actor's reservation utility (its
fallback's stated value on the packages the fallback acts on, else its utility of the no-deal
combination); bargaining weights are clout, capability x mean salience on the package.  Where no
combination is strictly better than disagreement for every actor the package ends in
``breakdown`` and the no-deal outcome holds.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from negosim.engine import strategy
from negosim.engine.compiled import Compiled
from negosim.engine.model import BREAKDOWN, FORECAST, package_in_fallback
from negosim.engine.params import BlockParams
from negosim.models.base import Supports
from negosim.models.spatial.nash import nash_bargaining
from negosim.models.spatial_adapter import SpatialModel

__all__ = ["NashModel"]

# Weight of an actor with no clout on a package: positive, as the Nash product needs, but too
# small to matter against anyone who cares.
MIN_WEIGHT = 1e-9


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
        """The Nash solution of every package: ``combo`` and ``status`` arrays ``(K, R)``."""
        utilities = self.utilities(compiled, params)
        ratify_probability = params.pass_probability.prod(axis=1)
        combos, status = [], []
        for k, package in enumerate(compiled.packages):
            u = utilities[k]  # (R, A, C)
            acts = np.array([package_in_fallback(compiled, k, a) for a in range(compiled.n_actors)])
            value = np.where(acts[None, :], params.fallback_value, np.nan)
            disagreement = np.where(np.isnan(value), u[:, :, package.no_deal], value)
            weighed = strategy.effective_utility(package, u, disagreement, ratify_probability)
            # nash_bargaining needs finite input: excluded combinations become strictly worse
            # than disagreement, which rules them out just the same.
            weighed = np.where(np.isfinite(weighed), weighed, disagreement[:, :, None] - 1.0)
            weights = params.capability * params.salience[:, :, list(package.issues)].mean(axis=2)
            weights = np.where(weights > 0, weights, MIN_WEIGHT)
            choice = nash_bargaining(np.swapaxes(weighed, 1, 2), disagreement, weights=weights)
            index = np.asarray(choice.index)
            combos.append(np.where(index >= 0, index, package.no_deal))
            status.append(np.where(index >= 0, FORECAST, BREAKDOWN).astype(np.int8))
        return np.stack(combos), np.stack(status)
