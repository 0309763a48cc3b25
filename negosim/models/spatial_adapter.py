"""Run a spatial forecasting model on a scenario, as a :class:`DecisionModel`.

Each replicate samples the scenario's uncertainty (saliences, capabilities, utilities) exactly as
the bargaining engine does; actors' positions are their stated stances (option values on 0-100).
The model forecasts a value per issue; ordinal forecasts snap to the nearest option.  Forecasting
models ignore the calendar: every replicate ends as ``forecast`` at the last round.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from negosim.engine import strategy
from negosim.engine.compiled import Compiled, compile_scenario
from negosim.engine.model import FORECAST
from negosim.engine.params import BlockParams, sample_block
from negosim.engine.run import BlockResult, block_seed
from negosim.models.base import DecisionModel, Supports

__all__ = ["POINT_FORECAST", "SpatialModel", "combo_index", "stated_positions"]

# What the point-forecasting models (compromise, expected utility, exchange) support: ordered
# issues only, no calendar; stochastic because they sample the scenario's uncertainty.
POINT_FORECAST = Supports(
    issue_kinds=frozenset({"ordinal", "continuous"}),
    deadlines=False,
    events=False,
    stochastic=True,
)


def stated_positions(compiled: Compiled) -> np.ndarray:
    """``(A, I)`` each actor's stated position on 0-100 (NaN where it states none)."""
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


def combo_index(compiled: Compiled, options: np.ndarray) -> np.ndarray:
    """``(K, R)`` combination index of each package from ``(R, I)`` option indices.

    Combinations are the row-major product of the package's issues' options.
    """
    out = []
    for package in compiled.packages:
        index = np.zeros(options.shape[0], dtype=np.int64)
        for i in package.issues:
            index = index * len(compiled.option_values[i]) + options[:, i]
        out.append(index)
    return np.stack(out)


class SpatialModel(DecisionModel):
    """Shared adapter: subclasses implement :meth:`forecast` (or override :meth:`choose`)."""

    name: ClassVar[str]

    def compile(self) -> Compiled:
        return compile_scenario(self.scenario)

    def forecast(
        self, positions: np.ndarray, salience: np.ndarray, capability: np.ndarray
    ) -> np.ndarray:
        """``(R, I)`` forecast values on 0-100 from ``(R, A, I)`` positions and saliences."""
        raise NotImplementedError

    def utilities(self, compiled: Compiled, params: BlockParams) -> list[np.ndarray]:
        """``(R, A, C)`` utility of every combination of every package, from stated positions."""
        ideal = np.broadcast_to(stated_positions(compiled), params.salience.shape)
        option_u = []
        for i, issue_id in enumerate(compiled.issue_ids):
            nominal = compiled.scenario.issues[issue_id].kind == "nominal"
            choice = None
            if nominal:
                values = compiled.option_values[i]
                choice = np.argmin(np.abs(values[None, None, :] - ideal[:, :, i, None]), axis=2)
            option_u.append(
                strategy.option_utility(
                    compiled.option_values[i],
                    np.nan_to_num(ideal[:, :, i], nan=50.0),
                    choice,
                    params.explicit_utility[i],
                    params.risk,
                )
            )
        return [strategy.package_utility(p, option_u, params.salience) for p in compiled.packages]

    def choose(self, compiled: Compiled, params: BlockParams) -> tuple[np.ndarray, np.ndarray]:
        """``(combo (K, R), status (K, R))`` of the forecast."""
        positions = np.broadcast_to(stated_positions(compiled), params.salience.shape)
        values = self.forecast(positions, params.salience, params.capability)
        options = np.stack(
            [
                np.argmin(np.abs(compiled.option_values[i][None, :] - values[:, i, None]), axis=1)
                for i in range(len(compiled.issue_ids))
            ],
            axis=1,
        )
        combos = combo_index(compiled, options)
        return combos, np.full(combos.shape, FORECAST, dtype=np.int8)

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
                [np.isin(status, (2, 3, 4)).any(axis=0) for _ in range(compiled.n_actors)]
            ),
            aspirations=None,
            ideals=None,
            narrative=narrative,
        )
