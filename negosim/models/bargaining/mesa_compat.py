"""The one place that touches a private part of Mesa.

Mesa 3.0-3.3 number agents per model through a class-level registry, ``mesa.Agent._ids``, a
``defaultdict`` keyed by model: every model that ever created an agent stays referenced (with
all its arrays) for the life of the process, so a sweep of a million runs would keep a thousand
blocks in memory.  Mesa 3.5 numbers agents on the model and has no such registry.
:func:`forget_model` removes a finished model's key where the registry exists and does nothing
where it does not.  ``tests/models/bargaining/test_mesa_compat.py`` fails if Mesa changes what
this relies on.
"""

from __future__ import annotations

import mesa

__all__ = ["forget_model"]


def forget_model(model: mesa.Model) -> None:
    """Drop what Mesa's class-level agent registry keeps of ``model`` (no-op without one).

    Call it once the model's outcomes have been read: agents created for the model afterwards
    would be numbered from 1 again.
    """
    registry = getattr(mesa.Agent, "_ids", None)
    if isinstance(registry, dict):
        registry.pop(model, None)
