"""Tests of negosim.scenario."""
