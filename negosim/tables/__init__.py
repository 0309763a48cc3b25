"""Results tables and the pure summaries every report and plot reads.

``results`` (the :class:`Results` container, reading and writing it), ``columns`` (the column
schema of the runs and trajectories tables), ``outcomes`` (the outcome grammar: ``agreement``,
``ISSUE=OPTION``, ...), ``agreement`` (P(full agreement) of a run set and per design point),
``summary`` (probabilities, timing, mean values and fans of one scenario's
results) and ``response`` (a sweep's outcome against its factors).  Nothing here imports
matplotlib: :mod:`negosim.plots` draws what these modules compute.
"""

from negosim.tables.agreement import agreement_by_point, agreement_rate
from negosim.tables.draws import load_draws
from negosim.tables.outcomes import OutcomeSpec, outcome_hits, outcome_value, parse_outcome
from negosim.tables.response import point_levels, reference_levels, sweep_response, tornado_table
from negosim.tables.results import Results, comparison_runs, load_results, sweep_factors
from negosim.tables.summary import (
    agreement_curve,
    agreement_summary,
    fallback_probabilities,
    fan_quantiles,
    mean_outcome_values,
    option_probabilities,
    outcome_probabilities,
    wilson_interval,
)

__all__ = [
    "OutcomeSpec",
    "Results",
    "agreement_by_point",
    "agreement_curve",
    "agreement_rate",
    "agreement_summary",
    "comparison_runs",
    "fallback_probabilities",
    "fan_quantiles",
    "load_draws",
    "load_results",
    "mean_outcome_values",
    "option_probabilities",
    "outcome_hits",
    "outcome_probabilities",
    "outcome_value",
    "parse_outcome",
    "point_levels",
    "reference_levels",
    "sweep_factors",
    "sweep_response",
    "tornado_table",
    "wilson_interval",
]
