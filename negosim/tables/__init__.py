"""Results tables and the pure summaries every report and plot reads."""

from negosim.tables.results import Results, load_results
from negosim.tables.summary import (
    agreement_summary,
    fallback_probabilities,
    outcome_probabilities,
    wilson_interval,
)

__all__ = [
    "Results",
    "agreement_summary",
    "fallback_probabilities",
    "load_results",
    "outcome_probabilities",
    "wilson_interval",
]
