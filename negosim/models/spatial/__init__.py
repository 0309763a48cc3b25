"""The spatial forecasting models of political science, as pure vectorised numpy functions.

Every function takes actors along the last axis and any number of leading batch axes (Monte Carlo
replicates, issues), treats NaN positions as absent actors, and raises
:class:`negosim.errors.UsageError` on bad arguments.  See ``docs/models.md`` for the formulas, the
choices made where the papers are ambiguous, and the backtest on the DEU III data.

- :mod:`~negosim.models.spatial.compromise`: capability × salience weighted mean (Achen 2006) and
  the mean / median / weighted-median baselines.
- :mod:`~negosim.models.spatial.expected_utility`: Bueno de Mesquita's expected utility model as
  specified by Scholz, Calbert & Smith (2011).
- :mod:`~negosim.models.spatial.exchange`: Stokman & Van Oosten's (1994) exchange of voting
  positions with equal gains.
- :mod:`~negosim.models.spatial.nash`: Nash bargaining solution and Rubinstein's (1982) split.
"""

from negosim.models.spatial.compromise import (
    compromise,
    mean,
    median,
    weighted_mean,
    weighted_median,
)
from negosim.models.spatial.exchange import ExchangeResult, exchange
from negosim.models.spatial.expected_utility import (
    Dyad,
    ExpectedUtilityResult,
    classify_dyads,
    expected_utilities,
    expected_utility,
    risk_exponents,
    win_probabilities,
)
from negosim.models.spatial.nash import (
    NashChoice,
    nash_bargaining,
    nash_split,
    rubinstein_limit_weights,
    rubinstein_share,
)

__all__ = [
    "Dyad",
    "ExchangeResult",
    "ExpectedUtilityResult",
    "NashChoice",
    "classify_dyads",
    "compromise",
    "exchange",
    "expected_utilities",
    "expected_utility",
    "mean",
    "median",
    "nash_bargaining",
    "nash_split",
    "risk_exponents",
    "rubinstein_limit_weights",
    "rubinstein_share",
    "weighted_mean",
    "weighted_median",
    "win_probabilities",
]
