"""Tests of negosim.validation."""
