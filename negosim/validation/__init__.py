"""Validation of the spatial models against real decisions: the DEU III data and the backtest.

- :mod:`~negosim.validation.deu3`: load DEU III and build capability measures.
- :mod:`~negosim.validation.backtest`: score the registered point-forecasting models, simple
  baselines and studies of the models by MAE on the odd (tuning) and even (held-out) halves with
  proposal-level bootstrap intervals.
"""

from negosim.validation.backtest import (
    BASELINES,
    VARIANTS,
    Forecast,
    ModelFn,
    Variant,
    backtest_models,
    by_proposal,
    format_table,
    run_backtest,
)
from negosim.validation.deu3 import DEU3, capabilities, load_deu3, shapley_shubik

__all__ = [
    "BASELINES",
    "DEU3",
    "VARIANTS",
    "Forecast",
    "ModelFn",
    "Variant",
    "backtest_models",
    "by_proposal",
    "capabilities",
    "format_table",
    "load_deu3",
    "run_backtest",
    "shapley_shubik",
]
