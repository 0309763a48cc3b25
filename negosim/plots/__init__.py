"""Publication-quality matplotlib figures of results: ``f(results, ..., *, ax=None) -> Axes``.

Each plot computes through the pure summaries in :mod:`negosim.plots.summaries` and
:mod:`negosim.tables.summary`; :func:`plot_all` writes every figure a results folder supports.
"""

from negosim.plots.all import plot_all
from negosim.plots.compare import plot_model_comparison
from negosim.plots.outcomes import plot_outcome_distribution
from negosim.plots.sweeps import plot_sweep_heatmap, plot_sweep_response, plot_tornado
from negosim.plots.timeline import plot_time_to_agreement
from negosim.plots.trajectories import plot_trajectories

__all__ = [
    "plot_all",
    "plot_model_comparison",
    "plot_outcome_distribution",
    "plot_sweep_heatmap",
    "plot_sweep_response",
    "plot_time_to_agreement",
    "plot_tornado",
    "plot_trajectories",
]
