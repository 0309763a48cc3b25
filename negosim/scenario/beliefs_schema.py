"""What one actor believes about another's private numbers (issue 13, private information).

An actor knows its own numbers: its fallback value, saliences, utilities, patience, risk and the
chance that its ratifying body passes a treaty.  Every other actor holds a belief about them.  By
default that belief is the scenario's declared distribution itself (a common prior); an entry of
``actors.<holder>.beliefs.<target>`` replaces, in the holder's mind only, the distribution of the
numbers it names (misperception).  Positions, red lines, officials, events and capabilities are
public.  Cross-references (an unknown target, an issue the target has no stance on) and ranges are
checked in :mod:`negosim.scenario.checks`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from negosim.scenario.distributions import Uncertain
from negosim.scenario.provenance import Sourced

__all__ = ["Belief", "BeliefStance"]

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)
# The issue keys of a belief follow the ids of the rest of the format (schema.Identifier, which
# cannot be imported here: schema.py imports this module).
_IssueId = Annotated[
    str,
    Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64, description="lower_snake_case identifier"),
]
_NUMBERS = ("fallback_value", "patience", "risk", "pass_probability")


class BeliefStance(BaseModel):
    """What the holder believes about the target's stance on one issue (its position is public)."""

    model_config = _STRICT
    salience: Uncertain | None = Field(
        default=None,
        description="The target's salience on the issue (0-1) as the holder believes it; "
        "replaces, in the holder's mind, the distribution of the target's own salience.",
    )
    utilities: dict[str, Uncertain] = Field(
        default_factory=dict,
        description="The target's utility (0-1) of options of the issue, by option id, as the "
        "holder believes them; an option not named keeps the target's own distribution (or the "
        "utility from distance to its position).",
    )

    @model_validator(mode="after")
    def _not_empty(self) -> BeliefStance:
        if self.salience is None and not self.utilities:
            raise ValueError(
                "a belief about a stance gives `salience`, `utilities` or both (leave the issue "
                "out to keep the common prior)"
            )
        return self

    def numbers(self) -> list[Any]:
        """Every uncertain number this entry declares."""
        found: list[Any] = [] if self.salience is None else [self.salience]
        return found + list(self.utilities.values())


class Belief(Sourced):
    """What the holder believes about another actor's private numbers.

    Each field given replaces, in the holder's mind only, the distribution of the target's own
    number; every field left out keeps the common prior (the target's declared distribution).
    """

    fallback_value: Uncertain | None = Field(
        default=None,
        description="The target's reservation utility (0-1) as the holder believes it; allowed "
        "even where the target's own fallback value is computed from its no-deal outcomes.",
    )
    patience: Uncertain | None = Field(
        default=None,
        description="The target's per-round discount factor in (0, 1] as the holder believes it.",
    )
    risk: Uncertain | None = Field(
        default=None,
        description="The target's risk attitude in [-1, 1] as the holder believes it.",
    )
    pass_probability: Uncertain | None = Field(
        default=None,
        description="The chance (0-1) that the target's ratifying body passes a treaty, as the "
        "holder believes it; only for a target with `ratification`.",
    )
    stances: dict[_IssueId, BeliefStance] = Field(
        default_factory=dict,
        description="Beliefs about the target's salience and utilities, by issue id; only for "
        "issues the target has a stance on.",
    )

    # Replaces Sourced's check of the same name: a belief may be defended as a whole, or number
    # by number where each is a mapping with its own `assumption`/`evidence`.
    @model_validator(mode="after")
    def _has_provenance(self) -> Belief:
        declared = [getattr(self, name) for name in _NUMBERS if getattr(self, name) is not None]
        for stance in self.stances.values():
            declared.extend(stance.numbers())
        if not declared:
            raise ValueError(
                "a belief gives at least one of fallback_value, patience, risk, "
                "pass_probability or stances (without a belief the holder keeps the common "
                "prior: leave the entry out)"
            )
        if self.evidence or self.assumption is not None:
            return self
        if all(_defended(value) for value in declared):
            return self
        raise ValueError(
            "needs provenance: give `evidence` (source id and verbatim quote) or an `assumption` "
            "with a one-line rationale, on the belief or on each number it gives"
        )


def _defended(value: Any) -> bool:
    """True for a distribution mapping that carries its own evidence or assumption."""
    return bool(getattr(value, "evidence", ())) or getattr(value, "assumption", None) is not None
