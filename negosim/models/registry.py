"""The registry of decision models, by the name that ``engine.model`` or ``--model`` uses."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["get_model", "model_names"]

# name -> "module:attribute"; imported lazily so that loading a scenario stays cheap.
_MODELS: dict[str, str] = {
    "bargaining": "negosim.models.bargaining:BargainingModel",
    "compromise": "negosim.models.compromise:CompromiseModel",
    "expected_utility": "negosim.models.expected_utility:ExpectedUtilityModel",
    "exchange": "negosim.models.exchange:ExchangeModel",
    "nash": "negosim.models.nash:NashModel",
}


def model_names() -> tuple[str, ...]:
    """Names of every registered decision model."""
    return tuple(sorted(_MODELS))


def get_model(name: str) -> Any:
    """The :class:`~negosim.models.base.DecisionModel` subclass registered as ``name``."""
    from negosim.errors import UsageError

    try:
        target = _MODELS[name]
    except KeyError:
        raise UsageError(f"unknown model {name!r} (known: {', '.join(model_names())})") from None
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)
