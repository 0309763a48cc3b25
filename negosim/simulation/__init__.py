"""Playing a scenario: Monte Carlo runs of one decision model, and models side by side."""

from negosim.simulation.simulate import (
    DEFAULT_BLOCK_SIZE,
    MAX_RUNS,
    batches,
    build_model,
    check_counts,
    explain_run,
    manifest,
    simulate,
)

__all__ = [
    "DEFAULT_BLOCK_SIZE",
    "MAX_RUNS",
    "batches",
    "build_model",
    "check_counts",
    "explain_run",
    "manifest",
    "simulate",
]
