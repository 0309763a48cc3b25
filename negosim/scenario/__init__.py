"""Scenario files: schema, safe loading, located errors, provenance and changes by dotted path."""

from negosim.scenario.loader import load_scenario, load_scenario_text
from negosim.scenario.paths import apply_overrides
from negosim.scenario.schema import Scenario, scenario_json_schema

__all__ = [
    "Scenario",
    "apply_overrides",
    "load_scenario",
    "load_scenario_text",
    "scenario_json_schema",
]
