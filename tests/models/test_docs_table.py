"""The table of models in docs/models.md is the registry's: every registered model, its reference,
issue kinds, calendar, point forecast and parameters, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from negosim.models.registry import get_model, model_names

DOC = Path(__file__).resolve().parents[2] / "docs" / "models.md"
HEADER = "| model | `--model` | reference |"


def _rows() -> dict[str, dict[str, str]]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(HEADER))
    names = [cell.strip() for cell in lines[start].strip("|").split("|")]
    rows = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = dict(zip(names, (c.strip() for c in line.strip("|").split("|")), strict=True))
        rows[cells["`--model`"].strip("`")] = cells
    return rows


ROWS = _rows()


def test_the_table_lists_exactly_the_registered_models():
    assert sorted(ROWS) == list(model_names())


@pytest.mark.parametrize("name", model_names())
def test_each_row_says_what_the_model_declares(name):
    cls, row = get_model(name), ROWS[name]
    assert row["reference"] == cls.reference
    assert {k.strip() for k in row["issue kinds"].split(",")} == set(cls.supports.issue_kinds)
    calendar = cls.supports.deadlines and cls.supports.events
    assert row["calendar (rounds, events, deadlines)"] == ("used" if calendar else "ignored")
    assert row["point forecast"] == ("yes" if cls.supports.point_forecast else "no")
    documented = dict(re.findall(r"`(\w+)=([^`]+)`", row["parameters"]))
    assert set(documented) == set(cls.parameters)
    for key, text in documented.items():
        default = cls.parameters[key]
        assert text == (f'"{default}"' if isinstance(default, str) else repr(default)), key
