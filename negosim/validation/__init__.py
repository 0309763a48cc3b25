"""Validation of the spatial models against real decisions: the DEU III data and the backtest.

- :mod:`~negosim.validation.deu3`: load DEU III and build capability measures.
- :mod:`~negosim.validation.backtest`: score models by MAE on the odd (tuning) and even (held-out)
  halves with proposal-level bootstrap intervals.
"""

from negosim.validation.backtest import (
    BACKTEST_MODELS,
    Forecast,
    ModelFn,
    by_proposal,
    format_table,
    run_backtest,
)
from negosim.validation.deu3 import DEU3, capabilities, load_deu3, shapley_shubik

__all__ = [
    "BACKTEST_MODELS",
    "DEU3",
    "Forecast",
    "ModelFn",
    "by_proposal",
    "capabilities",
    "format_table",
    "load_deu3",
    "run_backtest",
    "shapley_shubik",
]
