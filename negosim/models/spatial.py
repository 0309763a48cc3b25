"""The shared adapter of the spatial models: a scenario's stated stances as arrays, and the
model's choice back as a runs frame.

Two bases: :class:`SpatialModel` chooses a combination of every package per replicate
(:meth:`SpatialModel.choose`, which :class:`~negosim.models.nash.NashModel` implements), and
:class:`PointForecastModel` chooses by forecasting a value per issue with its class-level
``point_forecast`` (the compromise, expected utility and exchange models) and snapping it to an
option.  How a scenario maps to them:

- **positions** are the actors' stated stances (``actors.<id>.stances.<issue>.position``) as
  values on 0-100 (an option's ``value``); an actor with no stance on an issue is absent from it
  (NaN position, no weight);
- **saliences** (0-1) and **capabilities** are sampled per replicate from the scenario's declared
  uncertainty by :func:`~negosim.core.sampling.sample_block`, from the same per-site streams as the
  bargaining engine, so results are paired across models;
- a point forecaster forecasts a value per issue for every replicate in one vectorised call; the
  forecast **snaps to the nearest option** (the lower one on a tie; for a continuous issue, the
  nearest point of the compiled grid);
- each actor's **utility** of the outcome comes from the engine's utility functions
  (:func:`~negosim.core.utility.option_utility`,
  :func:`~negosim.core.utility.package_utility`) with its stated stance as ideal point, so
  utilities compare across models.

These models play no rounds: they ignore the calendar (rounds, events, deadlines), and every
replicate ends at the last round, with status ``forecast`` (or, for the Nash solution,
``breakdown`` where no combination beats every fallback).  Point forecasters also ignore red lines
and fallbacks; the Nash solution honours both.  Randomness comes from ``(master_seed, block)``
only, through the sampled inputs: the models draw none of their own.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

import negosim.limits as limits
from negosim.core import utility
from negosim.core.blocks import BlockResult
from negosim.core.compiled import Compiled, compile_scenario
from negosim.core.fallbacks import fallback_plays
from negosim.core.sampling import BlockParams, block_seed, sample_block
from negosim.core.status import Status
from negosim.models.base import DecisionModel, Supports

__all__ = [
    "POINT_FORECAST",
    "PointForecastModel",
    "SpatialModel",
    "combo_index",
    "snap_to_options",
    "stated_positions",
]

POINT_FORECAST = Supports(
    issue_kinds=frozenset({"ordinal", "continuous"}),
    deadlines=False,
    events=False,
    stochastic=False,
    point_forecast=True,
)
"""What the point forecasters (compromise, expected utility, exchange) support: ordered issues
only; the calendar ignored; no randomness beyond the scenario's declared uncertainty."""


def stated_positions(compiled: Compiled) -> np.ndarray:
    """Each actor's stated position on every issue.

    Parameters
    ----------
    compiled
        The compiled scenario.

    Returns
    -------
    numpy.ndarray
        ``(A, I)`` positions on 0-100; NaN where the actor states no position on the issue.
    """
    s = compiled.scenario
    out = np.full((compiled.n_actors, len(compiled.issue_ids)), np.nan)
    for a, actor in enumerate(s.actors.values()):
        for i, issue_id in enumerate(compiled.issue_ids):
            stance = actor.stances.get(issue_id)
            if stance is None:
                continue
            position = stance.position
            if isinstance(position, str):
                out[a, i] = s.issues[issue_id].option_value(position)
            else:
                out[a, i] = float(position)
    return out


def snap_to_options(compiled: Compiled, values: np.ndarray) -> np.ndarray:
    """The option nearest each forecast value.

    Parameters
    ----------
    compiled
        The compiled scenario.
    values
        ``(R, I)`` forecast values on 0-100.

    Returns
    -------
    numpy.ndarray
        ``(R, I)`` option index per issue (the lower option on a tie).
    """
    return np.stack(
        [
            np.argmin(np.abs(compiled.option_values[i][None, :] - values[:, i, None]), axis=1)
            for i in range(len(compiled.issue_ids))
        ],
        axis=1,
    )


def combo_index(compiled: Compiled, options: np.ndarray) -> np.ndarray:
    """Combination index of each package from option indices per issue.

    Parameters
    ----------
    compiled
        The compiled scenario.
    options
        ``(R, I)`` option index per issue.

    Returns
    -------
    numpy.ndarray
        ``(K, R)`` index into each package's ``combos`` (the row-major product of the package's
        issues' options).
    """
    out = []
    for package in compiled.packages:
        index = np.zeros(options.shape[0], dtype=np.int64)
        for i in package.issues:
            index = index * len(compiled.option_values[i]) + options[:, i]
        out.append(index)
    return np.stack(out)


class SpatialModel(DecisionModel):
    """Shared adapter of the models that play no rounds: subclasses implement :meth:`choose`."""

    name: ClassVar[str]

    def compile(self) -> Compiled:
        """The compiled scenario (continuous issues on a 1-point grid)."""
        return compile_scenario(self.scenario, model=self.name)

    def block_bytes(self, compiled: Compiled, n: int) -> int:
        """Every combination of every package is scored for every replicate and actor
        (:func:`negosim.limits.block_bytes`)."""
        return limits.block_bytes(
            self.name,
            n=n,
            n_actors=compiled.n_actors,
            n_issues=len(compiled.issue_ids),
            combinations=[len(p.combos) for p in compiled.packages],
        )

    def utilities(self, compiled: Compiled, params: BlockParams) -> list[np.ndarray]:
        """Utility of every combination of every package, with stated stances as ideal points.

        Returns
        -------
        list of numpy.ndarray
            One ``(R, A, C)`` array per package.
        """
        ideal = np.broadcast_to(stated_positions(compiled), params.salience.shape)
        option_u = []
        for i, issue_id in enumerate(compiled.issue_ids):
            choice = None
            if compiled.scenario.issues[issue_id].kind == "nominal":
                values = compiled.option_values[i]
                choice = np.argmin(np.abs(values[None, None, :] - ideal[:, :, i, None]), axis=2)
            option_u.append(
                utility.option_utility(
                    compiled.option_values[i],
                    # No stance: no salience either, so the ideal point carries no weight.
                    np.nan_to_num(ideal[:, :, i], nan=50.0),
                    choice,
                    params.explicit_utility[i],
                    params.risk,
                )
            )
        return [utility.package_utility(p, option_u, params.salience) for p in compiled.packages]

    def choose(self, compiled: Compiled, params: BlockParams) -> tuple[np.ndarray, np.ndarray]:
        """The chosen combination of every package in every replicate, and its status.

        Parameters
        ----------
        compiled
            The compiled scenario.
        params
            The block's sampled inputs.

        Returns
        -------
        tuple of numpy.ndarray
            ``combo`` ``(K, R)`` (index into each package's ``combos``) and ``status`` ``(K, R)``
            (:class:`~negosim.core.status.Status` values, ``int8``).
        """
        raise NotImplementedError(f"{type(self).__qualname__} must implement choose()")

    def run_block(
        self,
        compiled: Compiled,
        *,
        master_seed: int,
        block: int,
        n: int,
        first_run: int,
        record: bool = False,
        explain: bool = False,
        explain_at: int = 0,
    ) -> BlockResult:
        """Forecast ``n`` replicates of block ``block``; ``record`` is ignored (no rounds)."""
        self.check_block(compiled, n)
        params = sample_block(compiled, block_seed(master_seed, block), n)
        combos, status = self.choose(compiled, params)
        utilities = self.utilities(compiled, params)
        rows = np.arange(n)
        utility = np.stack([u[rows, :, combos[k]] for k, u in enumerate(utilities)])
        last = max(0, compiled.n_rounds - 1)
        narrative = []
        if explain:
            narrative = [f"{self.name}: a forecasting model; it plays no rounds."]
            for k, package in enumerate(compiled.packages):
                combo = package.combos[combos[k, explain_at]]
                labels = [
                    compiled.option_label(i, int(combo[j])) for j, i in enumerate(package.issues)
                ]
                narrative.append(f"  [{package.package_id}] {'; '.join(labels)}")
        return BlockResult(
            block=block,
            first_run=first_run,
            n=n,
            status=status,
            end_round=np.full(status.shape, last, dtype=np.int64),
            combo=combos,
            utility=utility,
            fallback=np.stack(
                [fallback_plays(compiled, status, a) for a in range(compiled.n_actors)]
            ),
            aspirations=None,
            ideals=None,
            narrative=narrative,
        )


class PointForecastModel(SpatialModel):
    """Adapter of a point forecaster: subclasses implement the class method
    :meth:`point_forecast`; the adapter feeds it the stated positions and the sampled saliences
    and capabilities, and snaps its forecast to the nearest option of each issue."""

    supports: ClassVar[Supports] = POINT_FORECAST

    @classmethod
    def point_forecast(
        cls,
        positions: np.ndarray,
        salience: np.ndarray,
        capability: np.ndarray,
        *,
        salience_max: float = 1.0,
        **parameters: Any,
    ) -> np.ndarray:
        """The model's forecast value of every issue, from arrays alone.

        Parameters
        ----------
        positions
            ``(R, A, I)`` positions (0-100 in scenarios and in DEU III), NaN for an absent actor.
            The ``I`` issues along the last axis are decided together by the same actors (one
            replicate of a scenario, or one proposal of DEU III); models that treat issues one
            at a time ignore that.
        salience
            ``(R, A, I)`` non-negative saliences on ``[0, salience_max]``.
        capability
            ``(R, A)`` non-negative capabilities.
        salience_max
            The top of the salience scale: 1 for scenarios, 100 for DEU III.
        **parameters
            The model's parameters (:attr:`parameters`); the defaults for those not given.

        Returns
        -------
        numpy.ndarray
            ``(R, I)`` forecast values on the positions' scale; NaN where no actor weighs.

        Raises
        ------
        UsageError
            On an unknown or bad parameter (:meth:`check_parameters`).
        """
        raise NotImplementedError(f"{cls.__qualname__} must implement point_forecast()")

    def choose(self, compiled: Compiled, params: BlockParams) -> tuple[np.ndarray, np.ndarray]:
        """The option nearest the forecast, on every issue; status ``Status.FORECAST``."""
        positions = np.broadcast_to(stated_positions(compiled), params.salience.shape)
        values = self.point_forecast(positions, params.salience, params.capability, **self.options)
        combos = combo_index(compiled, snap_to_options(compiled, values))
        return combos, np.full(combos.shape, Status.FORECAST, dtype=np.int8)
