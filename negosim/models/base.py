"""What every decision model declares and provides: the contract the shared test suite checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from negosim.core.compiled import Compiled
from negosim.core.frames import BlockResult
from negosim.errors import UsageError
from negosim.scenario.schema import Scenario

__all__ = ["DecisionModel", "Supports"]


@dataclass(frozen=True)
class Supports:
    """The scenario features a model handles (Axelrod-style classifier)."""

    issue_kinds: frozenset[str]
    deadlines: bool
    events: bool
    stochastic: bool
    multi_issue: bool = True


class DecisionModel:
    """Base class: subclasses set the class attributes and implement :meth:`run_block`.

    A model is built for one scenario with its parameters validated up front; an unknown parameter
    or a scenario feature the model lacks is a :class:`~negosim.errors.UsageError` before anything
    runs.
    """

    name: ClassVar[str]
    reference: ClassVar[str]
    supports: ClassVar[Supports]
    parameters: ClassVar[dict[str, Any]] = {}

    def __init__(self, scenario: Scenario, **parameters: Any):
        unknown = sorted(set(parameters) - set(self.parameters))
        if unknown:
            known = ", ".join(sorted(self.parameters)) or "none"
            raise UsageError(
                f"model {self.name!r} has no parameter {unknown[0]!r} (its parameters: {known})"
            )
        self.scenario = scenario
        self.options = {**self.parameters, **parameters}
        for key, default in self.parameters.items():
            value = self.options[key]
            if (
                isinstance(default, float)
                and isinstance(value, int)
                and not isinstance(value, bool)
            ):
                self.options[key] = value = float(value)
            if type(value) is not type(default):
                raise UsageError(
                    f"model {self.name!r}: parameter {key!r} must be {type(default).__name__} "
                    f"(got {value!r})"
                )
        self.check(scenario)

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

    def compile(self) -> Compiled:
        """The compiled scenario this model runs on."""
        raise NotImplementedError

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
        raise NotImplementedError

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
