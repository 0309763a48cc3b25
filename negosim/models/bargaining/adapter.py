"""The deadline-driven multilateral bargaining engine, registered as a decision model.

References: Rubinstein (1982) Econometrica 50(1); Stahl (1972) Time-Dependent Bargaining Models;
Baron & Ferejohn (1989) APSR 83(4); Faratin, Sierra & Jennings (1998) Robotics and Autonomous
Systems 24(3-4); Putnam (1988) International Organization 42(3).  See ``docs/engine.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from negosim.core.blocks import BlockResult
from negosim.core.compiled import Compiled, compile_scenario
from negosim.errors import UsageError
from negosim.models.base import DecisionModel, Supports
from negosim.models.registry import register
from negosim.scenario.schema import Scenario

__all__ = ["BargainingModel"]


@register
class BargainingModel(DecisionModel):
    """Agent-based, deadline-driven bargaining on Mesa (see :mod:`negosim.models.bargaining`)."""

    name: ClassVar[str] = "bargaining"
    reference: ClassVar[str] = (
        "Rubinstein 1982; Baron & Ferejohn 1989; Faratin, Sierra & Jennings 1998; Putnam 1988"
    )
    supports: ClassVar[Supports] = Supports(
        issue_kinds=frozenset({"ordinal", "nominal", "continuous"}),
        deadlines=True,
        events=True,
        stochastic=True,
    )
    parameters: ClassVar[dict[str, Any]] = {
        "protocol": "capability",
        "pull_limit": 25.0,
        "grid_step": 1.0,
        "information": "private",
        "particles": 8,
        "tremble": 0.05,
        "walk_away": 0.05,
    }

    def __init__(self, scenario: Scenario, **parameters: Any):
        super().__init__(scenario, **parameters)
        if self.options["protocol"] not in ("capability", "alternating"):
            raise UsageError(
                "model 'bargaining': protocol must be 'capability' or 'alternating' "
                f"(got {self.options['protocol']!r})"
            )
        if not 0 <= self.options["pull_limit"] <= 100:
            raise UsageError(
                "model 'bargaining': pull_limit must be in [0, 100] "
                f"(got {self.options['pull_limit']})"
            )

        if self.options["information"] not in ("private", "complete"):
            raise UsageError(
                "model 'bargaining': information must be 'private' or 'complete' "
                f"(got {self.options['information']!r})"
            )
        particles = self.options["particles"]
        if (
            isinstance(particles, bool)
            or not isinstance(particles, int)
            or not 1 <= particles <= 256
        ):
            raise UsageError(
                f"model 'bargaining': particles must be a whole number in 1-256 (got {particles!r})"
            )
        for name in ("tremble", "walk_away"):
            value = self.options[name]
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 0 <= value < 0.5
            ):
                raise UsageError(
                    f"model 'bargaining': {name} must be a number in [0, 0.5) (got {value!r})"
                )

    def _beliefs(self) -> dict[str, Any]:
        names = ("information", "particles", "tremble", "walk_away")
        return {k: self.options[k] for k in names}

    def compile(self) -> Compiled:
        return compile_scenario(self.scenario, grid_step=self.options["grid_step"])

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
        from negosim.models.bargaining.run import run_block  # imports Mesa

        return run_block(
            compiled,
            master_seed=master_seed,
            block=block,
            n=n,
            first_run=first_run,
            protocol=self.options["protocol"],
            pull_limit=self.options["pull_limit"],
            record=record,
            explain=explain,
            explain_at=explain_at,
            **self._beliefs(),
        )

    def run_blocks(
        self,
        compiled: Compiled,
        *,
        master_seed: int,
        blocks: Sequence[tuple[int, int, int]],
        record: bool = False,
    ) -> list[BlockResult]:
        from negosim.models.bargaining.run import run_blocks  # imports Mesa

        return run_blocks(
            compiled,
            master_seed=master_seed,
            blocks=blocks,
            protocol=self.options["protocol"],
            pull_limit=self.options["pull_limit"],
            record=record,
            **self._beliefs(),
        )
