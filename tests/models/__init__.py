"""Tests of negosim.models."""
