"""The DEU III data on EU legislative decisions, and the capability measures used with them.

DEU III (Arregui & Perarnaud 2021) records, for 364 controversial issues of EU legislative proposals
(1996–2019), the initial position (0–100) and salience (0–100) of the Commission, the Parliament and
each member state, the reference point (status quo) where known, and the decision outcome.  The copy
shipped in ``negosim/data/deu3.tsv`` comes from the public repository blksv/predictioneers_game
(commit 21b9737), which added a second line of GDP figures, one per actor column; see
``negosim/data/DEU3_CITATION.md``.

Loading rules (each one is what reproduces the reference figures in ``docs/models.md``):

- the 11 issues without an outcome are dropped, leaving 353;
- an empty position means the actor took no position: it is absent (NaN) and weighs nothing;
- an empty salience next to a position (54 actor–issue cells) is read as 0, so that actor also
  weighs nothing in salience-weighted models (the unweighted mean and median still count it);
- the reference point ``rp`` is NaN where the file leaves it empty (100 of the 353 issues).

Capabilities (:func:`capabilities`):

- ``"gdp"``: the GDP line of the file; the Commission and the Parliament carry its placeholder
  (4.1, the same as Germany, the largest member state);
- ``"council"``: the member states' Council votes, Amsterdam weights (EU-15) when no member that
  joined in 2004 or later took a position on any issue of the proposal, Nice weights otherwise;
- ``"shapley_shubik"``: the Shapley–Shubik index of each member state in the Council under the
  issue's voting rule (qualified majority with the era's quota; unanimity makes members equal).

In the two Council-based measures the Commission and the Parliament each get the weight of the
largest member state, as in the GDP line.  This is a modelling choice, not a finding: under
codecision the Parliament's veto is worth far more, under consultation far less.

Reference
---------
Arregui, J. & Perarnaud, C. (2021). "A new dataset on legislative decision-making in the European
Union: the DEU III dataset." *Journal of European Public Policy* (open access).
doi:10.34810/data53.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from negosim.errors import UsageError

__all__ = [
    "ACTORS",
    "DEU3",
    "MEMBERS_SINCE_2004",
    "Capability",
    "capabilities",
    "load_deu3",
    "shapley_shubik",
]

FloatArray = NDArray[np.float64]
Capability = Literal["gdp", "council", "shapley_shubik"]

ACTORS: tuple[str, ...] = (
    "com", "ep", "at", "be", "bu", "cr", "cy", "cz", "dk", "ee", "fi", "fr", "de", "el", "hu",
    "ie", "it", "lv", "lt", "lu", "mt", "nl", "pl", "pt", "ro", "si", "sk", "es", "se", "uk",
)  # fmt: skip
"""Actor columns in file order: Commission, Parliament, then the member states."""

MEMBERS_SINCE_2004: frozenset[str] = frozenset(
    {"bu", "cr", "cy", "cz", "ee", "hu", "lv", "lt", "mt", "pl", "ro", "si", "sk"}
)
"""Member states that joined in 2004 or later (no Amsterdam weight)."""

_INSTITUTIONS = ("com", "ep")
# Qualified-majority quotas of the Council: Amsterdam 62 of 87 (EU-15); Nice 255 of 345 (EU-27),
# 260 of 352 with Croatia (EU-28).
_QUOTA_AMSTERDAM = 62
_QUOTA_NICE_EU27 = 255
_QUOTA_NICE_EU28 = 260


@dataclass(frozen=True)
class DEU3:
    """The DEU III issues that have an outcome, as arrays aligned on one issue index.

    Attributes
    ----------
    issues
        One row per issue: ``prnrnmc`` (proposal number), ``isnrnmc``, ``prnr``, ``prname``,
        ``isnr``, ``type``, ``council``, ``proc``, ``counvte`` (voting rule), ``rp``, ``out``.
    actors
        Actor codes, the columns of ``positions`` and ``salience`` (see :data:`ACTORS`).
    positions
        Initial positions 0–100, shape ``(n_issues, n_actors)``; NaN = no position.
    salience
        Saliences 0–100, same shape; 0 where missing.
    gdp
        GDP line of the file, shape ``(n_actors,)``.
    outcome
        Decision outcome 0–100, shape ``(n_issues,)``.
    reference_point
        Status quo 0–100, NaN where unknown, shape ``(n_issues,)``.
    proposal
        Proposal number ``prnrnmc`` of each issue (the unit to split and resample on).
    n_dropped
        Issues in the file left out for lack of an outcome.
    """

    issues: pd.DataFrame
    actors: tuple[str, ...]
    positions: FloatArray
    salience: FloatArray
    gdp: FloatArray
    outcome: FloatArray
    reference_point: FloatArray
    proposal: NDArray[np.int64]
    n_dropped: int

    @property
    def odd(self) -> NDArray[np.bool_]:
        """Issues of proposals with an odd ``prnrnmc``: the only ones to calibrate or tune on."""
        return np.asarray(self.proposal % 2 == 1)

    @property
    def n_issues(self) -> int:
        """Number of issues kept."""
        return int(self.outcome.shape[0])


def load_deu3(path: str | os.PathLike[str] | None = None) -> DEU3:
    """Load DEU III (the copy shipped with negosim unless ``path`` is given).

    Parameters
    ----------
    path
        A tab-separated file with the layout of ``negosim/data/deu3.tsv``: a quoted header, a second
        line of GDP per actor column, then one row per issue.

    Returns
    -------
    DEU3
        The 353 issues with an outcome (in the shipped copy).

    Raises
    ------
    UsageError
        If the file is missing or lacks the expected columns.
    """
    if path is None:
        source = resources.files("negosim").joinpath("data/deu3.tsv")
        with resources.as_file(source) as file:
            frame = pd.read_csv(file, sep="\t")
    else:
        try:
            frame = pd.read_csv(path, sep="\t")
        except FileNotFoundError:
            raise UsageError(f"{path}: no such DEU III file") from None
    p_cols = [f"p{a}" for a in ACTORS]
    s_cols = [f"s{a}" for a in ACTORS]
    meta = ["prnrnmc", "isnrnmc", "prnr", "prname", "isnr", "type", "council", "proc", "counvte"]
    missing = [c for c in [*meta, *p_cols, *s_cols, "rp", "out"] if c not in frame.columns]
    if missing or len(frame) < 2:
        raise UsageError(f"{path or 'deu3.tsv'}: not a DEU III file (missing columns {missing})")
    gdp = frame.iloc[0][p_cols].to_numpy(dtype=np.float64)
    rows = frame.iloc[1:]
    keep = rows["out"].notna().to_numpy()
    rows = rows.loc[keep].reset_index(drop=True)
    positions = rows[p_cols].to_numpy(dtype=np.float64)
    salience = np.nan_to_num(rows[s_cols].to_numpy(dtype=np.float64), nan=0.0)
    issues = rows[[*meta, "rp", "out"]].copy()
    issues["prnrnmc"] = issues["prnrnmc"].astype(np.int64)
    issues["isnrnmc"] = issues["isnrnmc"].astype(np.int64)
    return DEU3(
        issues=issues,
        actors=ACTORS,
        positions=positions,
        salience=salience,
        gdp=gdp,
        outcome=rows["out"].to_numpy(dtype=np.float64),
        reference_point=rows["rp"].to_numpy(dtype=np.float64),
        proposal=issues["prnrnmc"].to_numpy(),
        n_dropped=int((~keep).sum()),
    )


def _council_weights() -> pd.DataFrame:
    source = resources.files("negosim").joinpath("data/eu_council_voting_weights.csv")
    with resources.as_file(source) as file:
        return pd.read_csv(file).set_index("deu3_column")


def _enlarged(data: DEU3) -> NDArray[np.bool_]:
    """Issues of proposals on which a member that joined in 2004 or later took a position on
    any issue (the Nice era): the whole proposal is decided by one Council."""
    cols = [i for i, a in enumerate(data.actors) if a in MEMBERS_SINCE_2004]
    speaks = ~np.isnan(data.positions[:, cols]).all(axis=1)
    _, proposal_index = np.unique(data.proposal, return_inverse=True)
    by_proposal = np.bincount(proposal_index, speaks.astype(np.float64)) > 0
    return np.asarray(by_proposal[proposal_index])


def capabilities(data: DEU3, kind: Capability = "gdp") -> FloatArray:
    """Capability of every actor on every issue, shape ``(n_issues, n_actors)``.

    Parameters
    ----------
    data
        From :func:`load_deu3`.
    kind
        ``"gdp"``, ``"council"`` or ``"shapley_shubik"`` (see the module docstring).

    Returns
    -------
    ndarray
        Non-negative capabilities; only their ratios within an issue matter to the models.

    Raises
    ------
    UsageError
        On an unknown ``kind``.
    """
    n_issues, n_actors = data.positions.shape
    if kind == "gdp":
        return np.broadcast_to(data.gdp, (n_issues, n_actors)).copy()
    if kind not in ("council", "shapley_shubik"):
        raise UsageError(f"unknown capability {kind!r} (known: 'gdp', 'council', 'shapley_shubik')")
    table = _council_weights()
    amsterdam = np.array([table["amsterdam_eu15"].get(a, np.nan) for a in data.actors])
    nice = np.array([table["nice_eu27"].get(a, np.nan) for a in data.actors])
    enlarged = _enlarged(data)
    result = np.zeros((n_issues, n_actors))
    members = np.array([a not in _INSTITUTIONS for a in data.actors])
    croatia = data.actors.index("cr")
    _, proposal_index = np.unique(data.proposal, return_inverse=True)
    speaks = (~np.isnan(data.positions[:, croatia])).astype(np.float64)
    croatian = (np.bincount(proposal_index, speaks) > 0)[proposal_index]
    rules = data.issues["counvte"].astype(str).str.startswith("Unan").to_numpy()
    for row in range(n_issues):
        weights = nice if enlarged[row] else amsterdam
        in_council = members & ~np.isnan(weights)
        if enlarged[row] and not croatian[row]:
            in_council[croatia] = False  # Croatia joined in 2013; count it only when it speaks
        if kind == "council":
            values = np.where(in_council, weights, 0.0)
        elif rules[row]:
            values = np.where(in_council, 1.0 / in_council.sum(), 0.0)
        else:
            quota = _QUOTA_AMSTERDAM
            if enlarged[row]:
                quota = _QUOTA_NICE_EU28 if in_council[croatia] else _QUOTA_NICE_EU27
            council = np.nan_to_num(weights[in_council]).astype(np.int64)
            values = np.zeros(n_actors)
            values[in_council] = shapley_shubik(council, quota)
        values[~members] = values.max()
        result[row] = values
    return result


def shapley_shubik(weights: Sequence[int], quota: int) -> FloatArray:
    """Shapley–Shubik power index of a weighted voting game.

    Parameters
    ----------
    weights
        Non-negative integer vote weights.
    quota
        Votes needed to pass (a coalition passes when its weight is at least ``quota``).

    Returns
    -------
    ndarray
        The share of voter orderings in which each player is pivotal; sums to 1 when the grand
        coalition passes.

    Examples
    --------
    >>> shapley_shubik((2, 1, 1), 3).round(4).tolist()
    [0.6667, 0.1667, 0.1667]
    """
    w = np.asarray(weights)
    if w.ndim != 1 or not np.issubdtype(w.dtype, np.integer) or (w < 0).any() or quota <= 0:
        raise UsageError(
            f"need non-negative integer weights and a positive quota (got {weights!r}, {quota})"
        )
    return _shapley_shubik(tuple(int(v) for v in w), int(quota)).copy()


@lru_cache(maxsize=16)
def _shapley_shubik(weights: tuple[int, ...], quota: int) -> FloatArray:
    w = np.asarray(weights, dtype=np.int64)
    n = int(w.size)
    total = int(w.sum())
    # order[k] = k! (n-1-k)! / n!: probability that a given k-set precedes the player.
    order = np.array([1.0 / (n * math.comb(n - 1, k)) for k in range(n)])
    power = np.zeros(n)
    for i in range(n):
        # counts[k, t]: coalitions of the other players with k members and weight t.
        counts = np.zeros((n, total + 1))
        counts[0, 0] = 1.0
        for v in np.delete(w, i):
            if v == 0:
                counts[1:] = counts[1:] + counts[:-1]
            else:
                counts[1:, v:] = counts[1:, v:] + counts[:-1, : total + 1 - v]
        low = max(quota - int(w[i]), 0)
        high = min(quota - 1, total)
        if low <= high:
            power[i] = (counts[:, low : high + 1].sum(axis=1) * order).sum()
    return power
