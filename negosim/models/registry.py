"""The registry of decision models, by the name that ``engine.model`` or ``--model`` uses.

A model class registers itself with :func:`register`; every list of models (the CLI's help,
``compare``, ``backtest``, the docs' tables, the contract tests) is read from here.  The built-in
models are the modules of :mod:`negosim.models` (all but the infrastructure modules below), found
and imported on first use, so that importing a scenario stays cheap and a new built-in model is
one new module with ``@register`` on its class.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any, TypeVar

from negosim.errors import UsageError

__all__ = ["get_model", "model_names", "register", "unregister"]

# Classes are typed loosely: the registry sits below negosim.models.base (which imports the
# compiled scenario, which imports the scenario package, whose checks read this registry).
_REGISTRY: dict[str, type[Any]] = {}
# Modules of negosim.models that hold no model.
_INFRASTRUCTURE = frozenset({"base", "contract", "registry", "spatial"})
_loaded = False

M = TypeVar("M", bound=type[Any])


def register(cls: M) -> M:
    """Class decorator: add a :class:`~negosim.models.base.DecisionModel` subclass under its
    ``name``.  Registering a second class under a taken name is an error."""
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name.isidentifier():
        raise TypeError(f"{cls.__qualname__}: a registered model needs a 'name' identifier")
    for attribute in ("reference", "supports"):
        if not hasattr(cls, attribute):
            raise TypeError(f"{cls.__qualname__}: a registered model declares {attribute!r}")
    existing = _REGISTRY.get(name)
    if existing is not None and existing is not cls:
        raise ValueError(f"a model named {name!r} is already registered ({existing.__qualname__})")
    _REGISTRY[name] = cls
    return cls


def unregister(name: str) -> None:
    """Remove a model (meant for tests that register a model of their own)."""
    _REGISTRY.pop(name, None)


def _load_builtins() -> None:
    global _loaded
    if _loaded:
        return
    import negosim.models as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in _INFRASTRUCTURE and not info.name.startswith("_"):
            importlib.import_module(f"negosim.models.{info.name}")
    _loaded = True


def model_names() -> tuple[str, ...]:
    """Names of every registered decision model, sorted."""
    _load_builtins()
    return tuple(sorted(_REGISTRY))


def get_model(name: str) -> type[Any]:
    """The :class:`~negosim.models.base.DecisionModel` subclass registered as ``name``."""
    _load_builtins()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UsageError(f"unknown model {name!r} (known: {', '.join(model_names())})") from None
