"""Plots draw what the tables compute: no plots module holds a summary of its own."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import negosim.plots

PLOTS = Path(negosim.plots.__file__).parent


def test_the_summaries_module_of_the_plots_is_gone():
    names = {info.name for info in pkgutil.iter_modules([str(PLOTS)])}
    assert "summaries" not in names


def test_plots_modules_take_their_tables_from_negosim_tables():
    """Every figure reads its table through ``negosim.tables`` (or draws raw rows), and no plots
    module defines a function named like a summary of ``negosim.tables``."""
    tables = importlib.import_module("negosim.tables")
    summaries = set(tables.__all__) - {"Results", "load_results"}
    for path in PLOTS.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert not defined & summaries, (path.name, defined & summaries)
