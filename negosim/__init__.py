"""negosim: a diplomatic negotiation simulator.

Load a scenario with :func:`load_scenario`; see the README for the rest of the API.
"""

from negosim.errors import NegosimError, Problem, ScenarioError, UsageError
from negosim.scenario import Scenario, load_scenario, load_scenario_text

__version__ = "0.1.0"

__all__ = [
    "NegosimError",
    "Problem",
    "Scenario",
    "ScenarioError",
    "UsageError",
    "__version__",
    "load_scenario",
    "load_scenario_text",
]
