"""Publication-quality matplotlib figures of results: ``f(results, ..., *, ax=None) -> Axes``.

Each figure draws a table computed by the pure, tested summaries of :mod:`negosim.tables`
(:mod:`~negosim.tables.summary`, :mod:`~negosim.tables.response`) and computes nothing itself.
It draws in the house style (:mod:`negosim.plots.style`: Okabe-Ito colours, the scenario's own
words, a footnote with the sources and the run count) without changing global matplotlib
settings, and :func:`plot_all` writes every figure a set of results supports.
"""

from negosim.plots.all import plot_all, save_figure
from negosim.plots.compare import plot_model_comparison
from negosim.plots.outcomes import plot_outcome_distribution
from negosim.plots.sensitivity import plot_tornado
from negosim.plots.sweeps import plot_sweep_heatmap, plot_sweep_response
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
    "save_figure",
]
