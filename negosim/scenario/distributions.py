"""Uncertain numbers: any number in a scenario may be a distribution that Monte Carlo samples.

A number is written either as a plain number, or as a one-key mapping naming its distribution::

    capability: 0.4
    capability: {fixed: 0.4}
    capability: {uniform: [0.3, 0.5]}
    capability: {triangular: [0.3, 0.4, 0.6]}          # low, mode, high
    capability: {normal: {mean: 0.4, sd: 0.05, low: 0, high: 1}}   # clipped to [low, high]
    capability: {choice: {values: [0.3, 0.5], weights: [1, 3]}}

The mapping forms may also carry ``assumption: "..."`` (the analyst's rationale) or ``evidence``
(source quotes), so that a number the documents do not give is defended where it is written.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from negosim.scenario.provenance import Evidence, Pair, Seq, Triple

__all__ = [
    "Choice",
    "Fixed",
    "Normal",
    "Triangular",
    "Uncertain",
    "Uniform",
    "sample",
    "support",
]

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class _Sourced(BaseModel):
    """Optional provenance carried by a distribution mapping."""

    model_config = _STRICT
    assumption: str | None = Field(default=None, min_length=3)
    evidence: Seq[Evidence] = ()


class Fixed(_Sourced):
    """A known number, written as a mapping to attach provenance to it."""

    fixed: float

    def bounds(self) -> tuple[float, float]:
        return (self.fixed, self.fixed)

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return np.full(size, self.fixed)


class Uniform(_Sourced):
    """Uniform on ``[low, high]``."""

    uniform: Pair

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        low, high = self.uniform
        if not low <= high:
            raise ValueError(f"uniform needs low <= high (got [{low}, {high}])")
        return self

    def bounds(self) -> tuple[float, float]:
        return self.uniform

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        low, high = self.uniform
        return rng.uniform(low, high, size)


class Triangular(_Sourced):
    """Triangular with ``[low, mode, high]``."""

    triangular: Triple

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        low, mode, high = self.triangular
        if not low <= mode <= high:
            raise ValueError(f"triangular needs low <= mode <= high (got [{low}, {mode}, {high}])")
        return self

    def bounds(self) -> tuple[float, float]:
        return (self.triangular[0], self.triangular[2])

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        low, mode, high = self.triangular
        if low == high:
            return np.full(size, low)
        return rng.triangular(low, mode, high, size)


class NormalSpec(BaseModel):
    """Parameters of a clipped normal."""

    model_config = _STRICT
    mean: float
    sd: float = Field(ge=0)
    low: float = -math.inf
    high: float = math.inf

    @model_validator(mode="after")
    def _ordered(self) -> NormalSpec:
        if not self.low <= self.mean <= self.high:
            raise ValueError(
                f"normal needs low <= mean <= high (got low={self.low}, mean={self.mean}, "
                f"high={self.high})"
            )
        return self


class Normal(_Sourced):
    """Normal with ``mean`` and ``sd``, clipped to ``[low, high]``."""

    normal: NormalSpec

    def bounds(self) -> tuple[float, float]:
        return (self.normal.low, self.normal.high)

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        spec = self.normal
        return np.clip(rng.normal(spec.mean, spec.sd, size), spec.low, spec.high)


class ChoiceSpec(BaseModel):
    """Values and optional (unnormalised) weights of a discrete choice."""

    model_config = _STRICT
    values: Seq[float] = Field(min_length=1)
    weights: Seq[float] | None = None

    @model_validator(mode="after")
    def _weights(self) -> ChoiceSpec:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"choice needs one weight per value (got {len(self.weights)} weights for "
                    f"{len(self.values)} values)"
                )
            if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
                raise ValueError(
                    f"choice weights must be >= 0 with a positive sum (got {list(self.weights)})"
                )
            if not math.isfinite(sum(self.weights)):
                raise ValueError(
                    "choice weights must have a finite sum (they are divided by it); scale them "
                    f"down (got {list(self.weights)})"
                )
        return self


class Choice(_Sourced):
    """A discrete choice among ``values`` with optional ``weights``."""

    choice: ChoiceSpec

    def bounds(self) -> tuple[float, float]:
        return (min(self.choice.values), max(self.choice.values))

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        values = np.asarray(self.choice.values, dtype=float)
        p = None
        if self.choice.weights is not None:
            w = np.asarray(self.choice.weights, dtype=float)
            p = w / w.sum()
        return rng.choice(values, size=size, p=p)


_KINDS = ("fixed", "uniform", "triangular", "normal", "choice")


def _kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, BaseModel):
        for kind in _KINDS:
            if hasattr(value, kind):
                return kind
        return None
    if isinstance(value, dict):
        present = [k for k in _KINDS if k in value]
        return present[0] if len(present) == 1 else None
    return None


Uncertain = Annotated[
    Annotated[float, Tag("number")]
    | Annotated[Fixed, Tag("fixed")]
    | Annotated[Uniform, Tag("uniform")]
    | Annotated[Triangular, Tag("triangular")]
    | Annotated[Normal, Tag("normal")]
    | Annotated[Choice, Tag("choice")],
    Discriminator(
        _kind,
        custom_error_type="uncertain_number",
        custom_error_message=(
            "expected a number or a one-key mapping: fixed, uniform, triangular, normal or choice"
        ),
    ),
]
"""A number, or a distribution for Monte Carlo (see the module docstring)."""

Distribution = Fixed | Uniform | Triangular | Normal | Choice
UncertainValue = float | Distribution


def support(value: UncertainValue) -> tuple[float, float]:
    """Return the smallest and largest value that ``value`` can take."""
    if isinstance(value, int | float):
        return (float(value), float(value))
    return value.bounds()


def sample(value: UncertainValue, rng: np.random.Generator, size: int) -> np.ndarray:
    """Draw ``size`` values (a float64 array); a plain number is repeated without using ``rng``."""
    if isinstance(value, int | float):
        return np.full(size, float(value))
    return value.draw(rng, size).astype(float, copy=False)
