"""Validation of the spatial models against real decisions: the DEU III data and the backtest.

- :mod:`~negosim.validation.deu3`: load DEU III and build capability measures.
- :mod:`~negosim.validation.forecasters`: the models the backtest scores, fixed ones and
  :class:`~negosim.validation.forecasters.Tuned` ones that choose on training proposals only.
- :mod:`~negosim.validation.splits`: the headline, repeated random splits by proposal: each
  model's held-out MAE difference from the compromise baseline over the splits, with the paired
  bootstrap and the minimum detectable difference of the pooled held-out differences.
- :mod:`~negosim.validation.backtest`: the data README's fixed split, MAE on the odd (tuning) and
  even (held-out) halves with proposal-level bootstrap intervals.
"""

from negosim.validation.backtest import (
    BASELINES,
    VARIANTS,
    Forecast,
    ModelFn,
    Tuned,
    Variant,
    backtest_models,
    by_proposal,
    format_table,
    run_backtest,
)
from negosim.validation.deu3 import DEU3, capabilities, load_deu3, shapley_shubik
from negosim.validation.splits import (
    SplitResults,
    format_splits,
    proposal_splits,
    run_splits,
)

__all__ = [
    "BASELINES",
    "DEU3",
    "VARIANTS",
    "Forecast",
    "ModelFn",
    "SplitResults",
    "Tuned",
    "Variant",
    "backtest_models",
    "by_proposal",
    "capabilities",
    "format_splits",
    "format_table",
    "load_deu3",
    "proposal_splits",
    "run_backtest",
    "run_splits",
    "shapley_shubik",
]
