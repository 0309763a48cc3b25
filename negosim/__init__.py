"""negosim: a diplomatic negotiation simulator.

Load a scenario with :func:`load_scenario`; see the README for the rest of the API.

Importing the package is cheap: the names below resolve on first use (PEP 562), so that
``import negosim`` and ``negosim validate`` load neither Mesa, matplotlib nor Dask, and a script
pays only for what it calls.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from negosim._version import __version__
from negosim.errors import NegosimError, Problem, ScenarioError, UsageError

if TYPE_CHECKING:  # for type checkers; simulate and sweep from their modules, which mypy needs
    from negosim.scenario import Scenario, load_scenario, load_scenario_text
    from negosim.simulation.simulate import explain_run, simulate
    from negosim.sweeps import as_function, load_sweep
    from negosim.sweeps.sweep import sweep
    from negosim.tables import Results, load_draws, load_results

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
    "load_draws",
    "load_results",
    "load_scenario",
    "load_scenario_text",
    "load_sweep",
    "simulate",
    "sweep",
]

# Public name -> the package that defines it; imported when the name is first read.
_LAZY = {
    "Results": "negosim.tables",
    "Scenario": "negosim.scenario",
    "as_function": "negosim.sweeps",
    "explain_run": "negosim.simulation",
    "load_draws": "negosim.tables",
    "load_results": "negosim.tables",
    "load_scenario": "negosim.scenario",
    "load_scenario_text": "negosim.scenario",
    "load_sweep": "negosim.sweeps",
    "simulate": "negosim.simulation",
    "sweep": "negosim.sweeps",
}


def __getattr__(name: str) -> Any:
    """Import a public name's package on first use (PEP 562) and keep the name here."""
    package = _LAZY.get(name)
    if package is None:
        raise AttributeError(f"module 'negosim' has no attribute {name!r}")
    value = getattr(importlib.import_module(package), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
