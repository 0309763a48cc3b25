"""negosim: a diplomatic negotiation simulator.

Load a scenario with :func:`load_scenario`; see the README for the rest of the API.
"""

from negosim.errors import NegosimError, Problem, ScenarioError, UsageError
from negosim.scenario import Scenario, load_scenario, load_scenario_text
from negosim.simulation import explain_run, simulate
from negosim.sweeps import as_function, load_sweep, sweep
from negosim.tables import Results, load_results

__version__ = "0.1.0"

__all__ = [
    "NegosimError",
    "Problem",
    "Results",
    "Scenario",
    "ScenarioError",
    "UsageError",
    "__version__",
    "as_function",
    "explain_run",
    "load_results",
    "load_scenario",
    "load_scenario_text",
    "load_sweep",
    "simulate",
    "sweep",
]
