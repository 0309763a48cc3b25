"""Uncertain numbers: parsing, support and sampling."""

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from negosim.scenario.distributions import Uncertain, sample, support

ADAPTER = TypeAdapter(Uncertain)


@pytest.mark.parametrize(
    ("raw", "bounds"),
    [
        (0.4, (0.4, 0.4)),
        (3, (3.0, 3.0)),
        ({"fixed": 0.2, "assumption": "a reason"}, (0.2, 0.2)),
        ({"uniform": [0.1, 0.5]}, (0.1, 0.5)),
        ({"triangular": [0.1, 0.2, 0.5]}, (0.1, 0.5)),
        ({"normal": {"mean": 0.5, "sd": 0.1, "low": 0, "high": 1}}, (0.0, 1.0)),
        ({"choice": {"values": [1, 5, 3]}}, (1.0, 5.0)),
    ],
)
def test_support(raw, bounds):
    assert support(ADAPTER.validate_python(raw)) == bounds


@pytest.mark.parametrize(
    "raw",
    [
        True,
        "0.5",
        {"uniform": [1, 0]},
        {"uniform": [0, 1], "fixed": 1},
        {"beta": [1, 2]},
        {"choice": {"values": [1, 2], "weights": [1]}},
        {"normal": {"mean": 2, "sd": 1, "high": 1}},
    ],
)
def test_invalid_forms_are_rejected(raw):
    with pytest.raises(ValidationError):
        ADAPTER.validate_python(raw)


def test_samples_stay_in_support_and_match_moments():
    rng = np.random.default_rng(1)
    n = 200_000
    tri = sample(ADAPTER.validate_python({"triangular": [0, 0.3, 1]}), rng, n)
    assert tri.min() >= 0 and tri.max() <= 1
    # Mean of a triangular distribution is (a + c + b) / 3.
    assert abs(tri.mean() - (0 + 0.3 + 1) / 3) < 3e-3
    clipped = sample(
        ADAPTER.validate_python({"normal": {"mean": 0.9, "sd": 0.2, "high": 1}}), rng, n
    )
    assert clipped.max() == 1.0
    # P(X > 1) for N(0.9, 0.2) is 1 - Phi(0.5) = 0.3085: that mass sits exactly at the bound.
    assert abs((clipped == 1.0).mean() - 0.3085) < 5e-3
    choice = sample(
        ADAPTER.validate_python({"choice": {"values": [1, 2], "weights": [1, 3]}}), rng, n
    )
    assert abs((choice == 2).mean() - 0.75) < 5e-3


def test_fixed_numbers_do_not_consume_randomness():
    rng_a, rng_b = np.random.default_rng(5), np.random.default_rng(5)
    sample(0.3, rng_a, 10)
    assert rng_a.random() == rng_b.random()
