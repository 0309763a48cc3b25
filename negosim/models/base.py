"""What every decision model declares and provides.

:class:`DecisionModel` is the base class of the registered models; :class:`Supports` is what a
model declares it handles.  :func:`negosim.models.contract.check_decision_model` checks every
declaration against the model's behaviour.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import negosim.limits as limits
from negosim.core.blocks import BlockResult
from negosim.core.compiled import Compiled
from negosim.errors import UsageError
from negosim.scenario.schema import Scenario

__all__ = ["ISSUE_KINDS", "DecisionModel", "Supports"]

ISSUE_KINDS = frozenset({"ordinal", "nominal", "continuous"})
"""Every kind of issue a scenario can hold."""


@dataclass(frozen=True)
class Supports:
    """The scenario features a model handles (an Axelrod-style classifier).

    Each field is a promise that :func:`~negosim.models.contract.check_decision_model` tests.

    Attributes
    ----------
    issue_kinds
        The issue kinds (:data:`ISSUE_KINDS`) the model can play; a scenario with another kind is
        refused with :class:`~negosim.errors.UsageError` when the model is built.
    deadlines, events
        True: the model plays the calendar's deadlines (events).  False: it ignores them, and its
        outcomes are the same with the scenario's deadlines (events) taken away.  Such a model
        still runs on a scenario that has them, so that it can be compared with one that does.
    stochastic
        True: the model draws random numbers of its own, so two seeds may give different outcomes
        even on a scenario that declares no uncertainty.  False: its only randomness is the
        scenario's declared uncertainty, so on a scenario without any every seed gives the same
        outcomes.
    multi_issue
        The model plays scenarios of more than one issue (in one package or several); when
        False, such a scenario is refused when the model is built.
    point_forecast
        The class provides ``point_forecast(positions, salience, capability, *, salience_max=1.0,
        **parameters)``, a class-level (class or static) method forecasting a value per issue from
        arrays alone (see :class:`~negosim.models.spatial.PointForecastModel`); the DEU III
        backtest (:mod:`negosim.validation.backtest`) scores every registered model declaring it.
    """

    issue_kinds: frozenset[str]
    deadlines: bool
    events: bool
    stochastic: bool
    multi_issue: bool = True
    point_forecast: bool = False


class DecisionModel:
    """Base class: subclasses set the class attributes and implement :meth:`compile` and
    :meth:`run_block`.

    A model is built for one scenario with its parameters validated up front
    (:meth:`check_parameters`); an unknown parameter or a scenario feature the model lacks
    (:meth:`check`) is a :class:`~negosim.errors.UsageError` before anything runs.

    Attributes
    ----------
    name
        The name the registry, ``engine.model`` and ``--model`` use (an identifier).
    reference
        The papers the model implements, with their years.
    supports
        What the model handles.
    parameters
        Each parameter's default; a value given must have the default's type (an int is accepted
        for a float).
    """

    name: ClassVar[str]
    reference: ClassVar[str]
    supports: ClassVar[Supports]
    parameters: ClassVar[dict[str, Any]] = {}

    def __init__(self, scenario: Scenario, **parameters: Any):
        self.scenario = scenario
        self.options = self.check_parameters(parameters)
        self.check(scenario)

    @classmethod
    def check_parameters(cls, parameters: Mapping[str, Any]) -> dict[str, Any]:
        """The model's parameters: the defaults updated with ``parameters``, validated.

        Subclasses with further rules (a range, a set of choices) extend this.

        Raises
        ------
        UsageError
            On an unknown parameter, or a value of another type than its default.
        """
        unknown = sorted(set(parameters) - set(cls.parameters))
        if unknown:
            known = ", ".join(sorted(cls.parameters)) or "none"
            raise UsageError(
                f"model {cls.name!r} has no parameter {unknown[0]!r} (its parameters: {known})"
            )
        options = {**cls.parameters, **parameters}
        for key, default in cls.parameters.items():
            value = options[key]
            if (
                isinstance(default, float)
                and isinstance(value, int)
                and not isinstance(value, bool)
            ):
                options[key] = value = float(value)
            if type(value) is not type(default):
                raise UsageError(
                    f"model {cls.name!r}: parameter {key!r} must be {type(default).__name__} "
                    f"(got {value!r})"
                )
        return options

    def check(self, scenario: Scenario) -> None:
        """Raise :class:`UsageError` naming the first feature of ``scenario`` the model lacks."""
        kinds = {issue.kind for issue in scenario.issues.values()}
        lacking = sorted(kinds - self.supports.issue_kinds)
        if lacking:
            raise UsageError(
                f"model {self.name!r} cannot handle {lacking[0]} issues "
                f"(it supports: {', '.join(sorted(self.supports.issue_kinds))})"
            )
        if not self.supports.multi_issue and len(scenario.issues) > 1:
            raise UsageError(f"model {self.name!r} handles one issue at a time")

    def block_bytes(self, compiled: Compiled, n: int) -> int:
        """Estimated peak bytes of playing a block of ``n`` replicates (0: the model bounds its
        own memory, as the bargaining engine does); see :mod:`negosim.limits`."""
        return 0

    def check_block(self, compiled: Compiled, n: int) -> None:
        """Raise :class:`UsageError` before a block of ``n`` replicates is played if
        :meth:`block_bytes` passes the memory budget (:func:`negosim.limits.memory_budget`)."""
        limits.check_memory(
            self.block_bytes(compiled, n),
            f"model {self.name!r} on a block of {n:,} runs ({compiled.n_actors} actors, "
            f"{len(compiled.issue_ids)} issues)",
            "use fewer runs per block (block_size), fewer actors or issues, or smaller packages",
        )

    def compile(self) -> Compiled:
        """The compiled scenario this model runs on."""
        raise NotImplementedError(f"{type(self).__qualname__} must implement compile()")

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
        """Play ``n`` replicates of block ``block``; randomness from (master_seed, block) only."""
        raise NotImplementedError(f"{type(self).__qualname__} must implement run_block()")

    def run_blocks(
        self,
        compiled: Compiled,
        *,
        master_seed: int,
        blocks: Sequence[tuple[int, int, int]],
        record: bool = False,
    ) -> list[BlockResult]:
        """Play several blocks, each ``(block, n, first_run)``; each result must equal what
        :meth:`run_block` gives for that block.  Models that can play blocks together (one model
        over more replicates) override this; the default plays them one by one."""
        return [
            self.run_block(
                compiled, master_seed=master_seed, block=b, n=n, first_run=first, record=record
            )
            for b, n, first in blocks
        ]
