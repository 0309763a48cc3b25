"""Monte Carlo sweeps: designs, common random numbers, executors, resumable Parquet output."""

from negosim.sweeps.design import Grid, LatinHypercube, parse_vary
from negosim.sweeps.function import as_function
from negosim.sweeps.runner import BlockFailure, SweepError, SweepStopped
from negosim.sweeps.store import Interrupted
from negosim.sweeps.sweep import design_table, load_sweep, sweep

__all__ = [
    "BlockFailure",
    "Grid",
    "Interrupted",
    "LatinHypercube",
    "SweepError",
    "SweepStopped",
    "as_function",
    "design_table",
    "load_sweep",
    "parse_vary",
    "sweep",
]
