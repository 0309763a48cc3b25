"""Experimental designs: which values the swept factors take at each design point.

A design is a table with one row per point (index ``point``) and one column per factor (a dotted
scenario path).  It depends only on its own arguments, so the same design is rebuilt identically
on any machine.
"""

from __future__ import annotations

import decimal
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from negosim.errors import UsageError
from negosim.limits import check_design_points

__all__ = ["Grid", "LatinHypercube", "parse_vary"]


@dataclass(frozen=True)
class Grid:
    """Full factorial design over the given values of each factor."""

    factors: Mapping[str, Sequence[Any]]

    def table(self) -> pd.DataFrame:
        """One row per combination, the first factor varying slowest."""
        if not self.factors:
            raise UsageError("a grid needs at least one factor")
        for path, values in self.factors.items():
            if len(values) == 0:
                raise UsageError(f"factor {path!r} has no values")
        # Counted exactly before any row is built: the product of the levels can be huge.
        check_design_points(
            math.prod(len(v) for v in self.factors.values()),
            f"a grid of {' x '.join(str(len(v)) for v in self.factors.values())} levels",
        )
        rows = list(itertools.product(*self.factors.values()))
        frame = pd.DataFrame(rows, columns=list(self.factors))
        frame.index.name = "point"
        return frame


@dataclass(frozen=True)
class LatinHypercube:
    """Latin hypercube sample of ``n`` points over ``ranges`` (McKay, Beckman & Conover 1979).

    Each factor's range is cut into ``n`` equal strata and each stratum is used exactly once; the
    design is a function of ``ranges``, ``n`` and ``seed`` only.
    """

    ranges: Mapping[str, tuple[float, float]]
    n: int
    seed: int = 0

    def table(self) -> pd.DataFrame:
        if not self.ranges:
            raise UsageError("a Latin hypercube needs at least one factor")
        if isinstance(self.n, bool) or not isinstance(self.n, int) or self.n < 1:
            raise UsageError(f"a Latin hypercube needs a whole number n >= 1 (got {self.n!r})")
        check_design_points(self.n, "a Latin hypercube", "use a smaller n (--lhs N)")
        rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(0x1A7,)))
        columns = {}
        for path, (low, high) in self.ranges.items():
            if not low <= high:
                raise UsageError(f"factor {path!r}: range needs low <= high (got [{low}, {high}])")
            strata = (rng.permutation(self.n) + rng.random(self.n)) / self.n
            columns[path] = low + strata * (high - low)
        frame = pd.DataFrame(columns)
        frame.index.name = "point"
        return frame


def _number(text: str, spec: str) -> float | int | str:
    try:
        value = float(text)
    except ValueError:
        return text.strip()
    return (
        int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value
    )


def _decimal(text: str) -> decimal.Decimal:
    value = decimal.Decimal(text.strip())
    if not value.is_finite() or not math.isfinite(float(value)):
        raise ValueError(f"not a finite number: {text!r}")
    return value


def _levels(start: decimal.Decimal, stop: decimal.Decimal, num: int) -> list[float]:
    """``num`` evenly spaced levels from ``start`` to ``stop``, computed in decimal so that each
    is the float of the decimal number it is (``0.3:0.7:5`` gives 0.4, not the
    0.39999999999999997 of binary steps): the value stored is the value shown, and
    ``table[path] == 0.4`` finds its rows."""
    if num == 1:
        return [float(start)]
    with decimal.localcontext() as context:
        context.prec = 28
        step = (stop - start) / (num - 1)
        return [float(stop if i == num - 1 else start + i * step) for i in range(num)]


def parse_vary(spec: str) -> tuple[str, list[Any]]:
    """Parse ``PATH=start:stop:num`` (inclusive, evenly spaced) or ``PATH=v1,v2,...``."""
    path, sep, values = spec.partition("=")
    path = path.strip()
    if not sep or not path or not values.strip():
        raise UsageError(f"--vary needs PATH=start:stop:num or PATH=v1,v2,... (got {spec!r})")
    if ":" in values:
        parts = values.split(":")
        if len(parts) != 3:
            raise UsageError(f"--vary {path}: a range is start:stop:num (got {values!r})")
        try:
            start, stop, num = _decimal(parts[0]), _decimal(parts[1]), int(parts[2])
        except (ValueError, ArithmeticError):
            raise UsageError(
                f"--vary {path}: start and stop must be numbers and num a whole "
                f"number (got {values!r})"
            ) from None
        if num < 1:
            raise UsageError(f"--vary {path}: num must be >= 1 (got {num})")
        check_design_points(num, f"--vary {path}")  # before linspace allocates num levels
        return path, _levels(start, stop, num)
    return path, [_number(v, spec) for v in values.split(",")]
