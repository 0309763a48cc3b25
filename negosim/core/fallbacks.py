"""Where each actor's fallback acts: the packages it covers and the runs in which it plays out."""

from __future__ import annotations

import numpy as np

from negosim.core.compiled import Compiled
from negosim.core.status import SETTLED

__all__ = ["fallback_plays", "package_in_fallback"]


def package_in_fallback(c: Compiled, package: int, actor: int) -> bool:
    """True when the actor's fallback acts on the package (or names no issue at all)."""
    outcomes = c.scenario.actors[c.actor_ids[actor]].fallback.outcomes
    return not outcomes or any(c.issue_ids[i] in outcomes for i in c.packages[package].issues)


def fallback_plays(c: Compiled, status: np.ndarray, actor: int) -> np.ndarray:
    """``(R,)`` True where the actor's fallback plays out: a package holding an issue its fallback
    acts on ended without agreement (any package, if its fallback names no issue)."""
    relevant = [k for k in range(len(c.packages)) if package_in_fallback(c, k, actor)]
    if not relevant:
        return np.zeros(status.shape[1], dtype=bool)
    unsettled: np.ndarray = ~np.isin(status[relevant], SETTLED)
    return np.any(unsettled, axis=0)
