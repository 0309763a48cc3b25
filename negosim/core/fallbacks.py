"""Where each actor's fallback acts: the packages it covers and the runs in which it plays out."""

from __future__ import annotations

import numpy as np

from negosim.core.compiled import Compiled
from negosim.core.status import SETTLED

__all__ = ["fallback_plays", "package_in_fallback", "reservation"]


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


def reservation(stated: np.ndarray, no_deal: np.ndarray, acts: bool) -> np.ndarray:
    """What an actor (or one of its types) keeps without a deal on a package: its stated
    fallback value (``stated``; NaN: none stated) where its fallback acts on the package, else
    ``no_deal``, its utility of the package's no-deal combination."""
    if not acts:
        return no_deal
    chosen: np.ndarray = np.where(np.isnan(stated), no_deal, stated)
    return chosen
