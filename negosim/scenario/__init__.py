"""Scenario files: schema, safe loading, located errors and provenance."""

from negosim.scenario.loader import load_scenario, load_scenario_text
from negosim.scenario.schema import Scenario

__all__ = ["Scenario", "load_scenario", "load_scenario_text"]
