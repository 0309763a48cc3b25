"""The deadline-driven multilateral bargaining engine, a Mesa model over blocks of replicates.

- :mod:`~negosim.models.bargaining.adapter`: the registered :class:`BargainingModel`.
- :mod:`~negosim.models.bargaining.model`: the Mesa model that plays the rounds.
- :mod:`~negosim.models.bargaining.agents`: the actors and officials as Mesa agents, owning their
  state and behaviour.
- :mod:`~negosim.models.bargaining.rules`: the rules' vectorised kernels, pure array functions.
- :mod:`~negosim.models.bargaining.run`: playing blocks of replicates.
- :mod:`~negosim.models.bargaining.mesa_compat`: the one touch of a Mesa private.
- :mod:`~negosim.models.bargaining.reference`: the same rules written plainly, one replicate at a
  time, against which the fast engine is tested run by run.

Every array the engine holds has the replicates on its last axis (the table of axes in
``docs/engine.md``).

Importing this package does not import Mesa; playing a block does.
"""

from negosim.models.bargaining.adapter import BargainingModel

__all__ = ["BargainingModel"]
