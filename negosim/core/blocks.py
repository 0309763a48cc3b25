"""What a decision model returns for one block of replicates: its outcome arrays.

Kept apart from :mod:`negosim.core.frames` so that the models import no pandas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["BlockResult"]


@dataclass
class BlockResult:
    """Outcome arrays of one block (``K`` packages, ``R`` replicates, ``A`` actors)."""

    block: int
    first_run: int
    n: int
    status: np.ndarray  # (K, R) Status values
    end_round: np.ndarray  # (K, R)
    combo: np.ndarray  # (K, R) the package settled, or the no-deal package
    utility: np.ndarray  # (K, R, A) each actor's utility of the package's final outcome
    fallback: np.ndarray  # (A, R) the actor's fallback plays out
    aspirations: np.ndarray | None  # (T, K, R, A)
    ideals: np.ndarray | None  # (T, R, A, I)
    narrative: list[str]
    # (K, R) a combination every actor preferred to its fallback existed while the package was
    # open, and none was agreed (None: the model does not tell)
    inefficient: np.ndarray | None = None
    # (T, K, R, A holder, A target, 3) the 5 %, 50 % and 95 % points of what each holder
    # believes each target's reservation value on the package is (recorded with trajectories)
    beliefs: np.ndarray | None = None
