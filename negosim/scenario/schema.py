"""The scenario file format: strict, frozen pydantic v2 models.

Unknown keys and wrong types are rejected; the models are frozen once loaded.  Collections of
named things (sources, issues, actors, officials, events, deadlines) are mappings keyed by id, so
that a value is addressed by a dotted path such as ``actors.russia.stances.guarantees.salience``.
Cross-references (an unknown actor, option or source; dates out of order) are checked after these
models by :mod:`negosim.scenario.checks`.  Every field is documented in ``docs/scenario-format.md``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    model_validator,
)

from negosim.scenario.beliefs_schema import Belief, BeliefStance
from negosim.scenario.distributions import Uncertain
from negosim.scenario.provenance import Evidence, Pair, Seq, Sourced

__all__ = [
    "Actor",
    "Behaviour",
    "Belief",
    "BeliefStance",
    "Calendar",
    "Deadline",
    "EngineSettings",
    "Event",
    "EventCondition",
    "Fallback",
    "Issue",
    "Metadata",
    "Official",
    "OfficialStance",
    "Option",
    "Outcome",
    "Period",
    "Ratification",
    "RedLine",
    "Scenario",
    "Source",
    "Stance",
    "scenario_json_schema",
]

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)
_ID_PATTERN = r"^[a-z][a-z0-9_]*$"

Identifier = Annotated[
    str,
    Field(pattern=_ID_PATTERN, max_length=64, description="lower_snake_case identifier"),
]
# Dates: YAML gives unquoted dates as dates; a quoted ISO date is accepted too.
Date = Annotated[dt.date, Field(strict=False)]
Text = Annotated[str, Field(min_length=1, max_length=4000)]
Position = Annotated[
    str | float,
    Field(description="An option id of the issue, or a value on 0-100 for a continuous issue."),
]


class _Model(BaseModel):
    model_config = _STRICT


# --- metadata and sources -------------------------------------------------------------------


class Metadata(_Model):
    """What the scenario is."""

    id: Identifier
    title: Text
    description: Text | None = None
    authors: Seq[str] = ()


class Source(_Model):
    """A source document: the evidence that quotes are checked against."""

    title: Text
    outlet: Text
    date: Date
    file: Text = Field(description="Path of the source text, relative to the scenario file.")
    url: str | None = None
    note: Text | None = Field(default=None, description="E.g. how the outlet was attributed.")


# --- calendar -------------------------------------------------------------------------------

_ROUND_LENGTH = re.compile(r"^\s*(\d+)\s*(d|day|days|w|week|weeks)\s*$")


def _round_days(value: str) -> str:
    match = _ROUND_LENGTH.match(value)
    if match is None or int(match.group(1)) <= 0:
        raise ValueError(
            f"round_length must be a positive number of days or weeks such as '7d' or '1w' "
            f"(got {value!r})"
        )
    return value


class Calendar(_Model):
    """Real dates: talks start, proceed in rounds of ``round_length``, and stop at ``end``."""

    start: Date
    end: Date
    round_length: Annotated[str, AfterValidator(_round_days)] = Field(
        default="1w", description="Length of one round: '7d', '1w', '2 weeks'..."
    )

    @property
    def round_days(self) -> int:
        """Length of a round in days."""
        match = _ROUND_LENGTH.match(self.round_length)
        assert match is not None
        n, unit = int(match.group(1)), match.group(2)
        return n * 7 if unit.startswith("w") else n

    def round_dates(self) -> tuple[dt.date, ...]:
        """Date of every round, from ``start`` up to and including ``end``."""
        if self.end < self.start:
            return ()
        # Counted, not stepped past the end: a calendar ending near 9999-12-31 cannot overflow.
        days = self.round_days
        count = (self.end - self.start).days // days + 1
        return tuple(self.start + dt.timedelta(days=i * days) for i in range(count))


# --- issues ---------------------------------------------------------------------------------


class Option(_Model):
    """One labelled option of an issue."""

    label: Text
    value: float | None = Field(
        default=None,
        ge=0,
        le=100,
        description="Place on the issue's 0-100 scale (required for ordinal issues).",
    )
    requires_ratification: bool = Field(
        default=False,
        description="Adopting it needs each party's ratifying body (e.g. a binding treaty).",
    )
    description: Text | None = None


class Issue(_Model):
    """A question on the table: ordinal options, unordered options, or a continuous 0-100 scale."""

    label: Text
    kind: Literal["ordinal", "nominal", "continuous"]
    options: dict[Identifier, Option] = Field(default_factory=dict)
    status_quo: Position = Field(description="Option id, or value for a continuous issue.")
    package: Identifier = Field(
        default="main",
        description="Issues sharing a package are linked and settle only together; an issue with "
        "a package of its own can be settled on its own.",
    )
    low_label: Text | None = Field(default=None, description="Meaning of 0 (continuous issues).")
    high_label: Text | None = Field(default=None, description="Meaning of 100 (continuous issues).")
    description: Text | None = None

    @model_validator(mode="after")
    def _shape(self) -> Issue:
        if self.kind == "continuous":
            if self.options:
                raise ValueError("a continuous issue takes no `options` (it is a 0-100 scale)")
        else:
            if len(self.options) < 2:
                raise ValueError(
                    f"a {self.kind} issue needs at least two options (got {len(self.options)})"
                )
            if self.kind == "ordinal":
                missing = [k for k, o in self.options.items() if o.value is None]
                if missing:
                    raise ValueError(
                        "every option of an ordinal issue needs a `value` on 0-100 "
                        f"(missing for {', '.join(missing)})"
                    )
        return self

    def option_value(self, option_id: str) -> float:
        """Place of an option on 0-100; unordered options are spread evenly for plotting only."""
        option = self.options[option_id]
        if option.value is not None:
            return option.value
        ids = list(self.options)
        return 100.0 * ids.index(option_id) / max(1, len(ids) - 1)


# --- actors ---------------------------------------------------------------------------------


class RedLine(Sourced):
    """What an actor can accept on an issue; anything else it never agrees to."""

    acceptable: Seq[str] | None = Field(
        default=None, description="Acceptable option ids (option issues)."
    )
    range: Pair | None = Field(
        default=None, description="Acceptable [low, high] on 0-100 (continuous issues)."
    )

    @model_validator(mode="after")
    def _one_form(self) -> RedLine:
        if (self.acceptable is None) == (self.range is None):
            raise ValueError("a red line needs exactly one of `acceptable` or `range`")
        if self.range is not None and not 0 <= self.range[0] <= self.range[1] <= 100:
            raise ValueError(f"range must satisfy 0 <= low <= high <= 100 (got {list(self.range)})")
        if self.acceptable is not None and not self.acceptable:
            raise ValueError("`acceptable` must list at least one option")
        return self


class Stance(Sourced):
    """An actor's position on one issue, how much it cares, and what it can accept."""

    position: Position
    salience: Uncertain = Field(description="How much the actor cares, on 0-1.")
    red_line: RedLine | None = None
    utilities: dict[str, Uncertain] | None = Field(
        default=None,
        description="Optional utility (0-1) of each option, overriding distance from the position.",
    )


class Ratification(Sourced):
    """A body at home that must ratify options flagged ``requires_ratification``."""

    body: Text
    pass_probability: Uncertain = Field(description="Probability that it ratifies, 0-1.")


class Behaviour(Sourced):
    """How an actor bargains (Faratin, Sierra & Jennings 1998 concession tactics)."""

    concession: Literal["boulware", "linear", "conceder"] | float | None = Field(
        default=None,
        description="A declared concession style, or the exponent beta of the time-dependent "
        "tactic (beta < 1 Boulware, 1 linear, > 1 conceder): the actor then asks for at least "
        "an aspiration that falls from its best package to its value of continuing.  Omitted: "
        "it accepts whatever is worth its value of continuing (the equilibrium rule).",
    )
    patience: Uncertain = Field(
        default=0.98, description="Per-round discount factor in (0, 1]: how costly delay is."
    )
    risk: Uncertain = Field(
        default=0.0,
        description="Risk attitude in [-1, 1]: negative risk-averse, positive risk-acceptant.",
    )

    @property
    def concession_exponent(self) -> float | None:
        """The tactic's beta (None: no declared style)."""
        named = {"boulware": 0.2, "linear": 1.0, "conceder": 5.0}
        if self.concession is None:
            return None
        if isinstance(self.concession, str):
            return named[self.concession]
        return float(self.concession)


class Fallback(Sourced):
    """What the actor does if there is no deal by the deadline (its BATNA)."""

    description: Text
    outcomes: dict[str, Position] = Field(
        default_factory=dict,
        description="Options the actor imposes without a deal, by issue id.",
    )
    value: Uncertain | None = Field(
        default=None,
        description="Optional reservation utility in 0-1; by default it is computed from the "
        "no-deal outcomes.",
    )


class Actor(_Model):
    """A state, alliance or organisation at the table."""

    name: Text
    kind: Literal["state", "alliance", "organisation"]
    capability: Uncertain = Field(description="Clout, any non-negative scale.")
    rule: Literal["head_decides", "consensus"] = Field(
        default="head_decides",
        description="How the actor's stance comes from its officials: under head_decides the "
        "current head's stated position replaces the actor's own; under consensus no official "
        "decides. Either way every other official with a stated position, hypothetical ones "
        "excepted, pulls it toward theirs.",
    )
    members: Seq[Identifier] = Field(
        default=(),
        description="Member actors of an alliance. They sit at the table themselves and every "
        "agreement needs every actor, so their consent is always required; the engine reads "
        "nothing more from this field.",
    )
    stances: dict[Identifier, Stance] = Field(default_factory=dict)
    fallback: Fallback
    behaviour: Behaviour
    ratification: Ratification | None = None
    beliefs: dict[Identifier, Belief] = Field(
        default_factory=dict,
        description="What this actor believes about other actors' private numbers, by actor id; "
        "without an entry it believes each other actor's declared distributions (a common prior).",
    )
    description: Text | None = None


# --- officials ------------------------------------------------------------------------------


class Period(_Model):
    """A span of dates; ``until`` is open-ended when omitted."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, allow_inf_nan=False, populate_by_name=False
    )
    start: Date | None = Field(default=None, alias="from")
    until: Date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.start is not None and self.until is not None and self.until < self.start:
            raise ValueError(f"`until` ({self.until}) is before `from` ({self.start})")
        return self

    def contains(self, day: dt.date) -> bool:
        """True when ``day`` falls in the period."""
        return (self.start is None or self.start <= day) and (
            self.until is None or day <= self.until
        )


class OfficialStance(Sourced):
    """An official's own position on an issue."""

    position: Position


class Official(_Model):
    """A person who speaks or decides for an actor."""

    name: Text
    actor: Identifier
    role: Text
    authority: Seq[Period] = Field(
        default=(), description="When this official decides for the actor (is its head)."
    )
    influence: Uncertain = Field(
        default=1.0, description="Weight of this official's pull on the actor's stance, 0-1."
    )
    stances: dict[Identifier, OfficialStance] = Field(default_factory=dict)
    hypothetical: bool = Field(
        default=False, description="Not named in the sources (e.g. an unnamed election winner)."
    )


# --- events and deadlines -------------------------------------------------------------------


class AuthorityEffect(_Model):
    """An official becomes the head of an actor."""

    type: Literal["authority"]
    actor: Identifier
    official: Identifier


class SalienceEffect(_Model):
    """An actor's salience on an issue is set to, or shifted by, a number."""

    type: Literal["salience"]
    actor: Identifier
    issue: Identifier
    set: Uncertain | None = None
    add: Uncertain | None = None

    @model_validator(mode="after")
    def _one(self) -> SalienceEffect:
        if (self.set is None) == (self.add is None):
            raise ValueError("a salience effect needs exactly one of `set` or `add`")
        return self


class CapabilityEffect(_Model):
    """An actor's capability is multiplied by a factor."""

    type: Literal["capability"]
    actor: Identifier
    multiply: Uncertain


class PositionEffect(_Model):
    """An actor's position on an issue moves to a new option or value."""

    type: Literal["position"]
    actor: Identifier
    issue: Identifier
    to: Position


def _effect_type(value: Any) -> str | None:
    if isinstance(value, dict):
        kind = value.get("type")
        return kind if isinstance(kind, str) else None
    return getattr(value, "type", None)


Effect = Annotated[
    Annotated[AuthorityEffect, Tag("authority")]
    | Annotated[SalienceEffect, Tag("salience")]
    | Annotated[CapabilityEffect, Tag("capability")]
    | Annotated[PositionEffect, Tag("position")],
    Discriminator(
        _effect_type,
        custom_error_type="effect_type",
        custom_error_message="`type` must be one of authority, salience, capability, position",
    ),
]


class Outcome(_Model):
    """One way an event can turn out."""

    label: Text
    probability: Uncertain = Field(description="Probability of this outcome, 0-1.")
    effects: Seq[Effect] = ()


class EventCondition(_Model):
    """The event happens only if an earlier event turned out a given way."""

    event: Identifier
    outcome: Identifier


class Event(Sourced):
    """A dated event: it happens with ``probability`` and then turns out as one of its outcomes."""

    label: Text
    date: Date
    probability: Uncertain = Field(default=1.0, description="Probability it happens at all, 0-1.")
    condition: EventCondition | None = None
    effects: Seq[Effect] = Field(default=(), description="Effects when it happens.")
    outcomes: dict[Identifier, Outcome] = Field(
        default_factory=dict,
        description="Mutually exclusive outcomes whose probabilities sum to 1.",
    )


class Deadline(Sourced):
    """A date by which talks must conclude; at one that ``ends_talks`` the fallbacks play out."""

    label: Text
    date: Date
    end_date: Date | None = None
    ends_talks: bool = True


# --- engine ---------------------------------------------------------------------------------


class EngineSettings(_Model):
    """Which decision model plays the scenario, its parameters, and default runs and seed."""

    model: Identifier = "bargaining"
    parameters: dict[Identifier, float | int | str | bool] = Field(default_factory=dict)
    runs: int = Field(default=1000, ge=1, le=10_000_000)
    seed: int = Field(default=0, ge=0, lt=2**63)


# --- the scenario ---------------------------------------------------------------------------


class Scenario(_Model):
    """A whole negotiation: who, over what, when, and on what evidence.

    Load one with :func:`negosim.load_scenario`; it is frozen once loaded.
    """

    schema_version: Literal[1] = Field(description="Version of this file format.")
    metadata: Metadata
    sources: dict[Identifier, Source] = Field(default_factory=dict)
    calendar: Calendar
    issues: dict[Identifier, Issue] = Field(min_length=1)
    actors: dict[Identifier, Actor] = Field(min_length=2)
    officials: dict[Identifier, Official] = Field(default_factory=dict)
    events: dict[Identifier, Event] = Field(default_factory=dict)
    deadlines: dict[Identifier, Deadline] = Field(default_factory=dict)
    engine: EngineSettings = Field(default_factory=EngineSettings)

    _path: str | None = PrivateAttr(default=None)
    _sha256: str | None = PrivateAttr(default=None)
    _sources_root: str | None = PrivateAttr(default=None)
    _source_texts: dict[str, str] = PrivateAttr(default_factory=dict)

    @property
    def path(self) -> str | None:
        """The file this scenario was loaded from, if any."""
        return self._path

    @property
    def sha256(self) -> str | None:
        """SHA-256 of the file's bytes, if loaded from a file."""
        return self._sha256

    @property
    def sources_root(self) -> str | None:
        """The ``--sources-root`` the scenario was loaded with (resolved), if any."""
        return self._sources_root

    @property
    def source_texts(self) -> dict[str, str]:
        """Text of each source by id (a copy)."""
        return dict(self._source_texts)

    def evidence(self) -> list[tuple[str, Evidence]]:
        """Every evidence quote with the dotted path of the entry that cites it."""
        found: list[tuple[str, Evidence]] = []
        for path, item in _walk_sourced(self):
            found.extend((f"{path}.evidence[{i}]", ev) for i, ev in enumerate(item.evidence))
        return found

    def assumptions(self) -> list[tuple[str, str]]:
        """Every assumption with the dotted path of the entry it defends."""
        return [(path, item.assumption) for path, item in _walk_sourced(self) if item.assumption]


def _walk_sourced(node: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every object with provenance (``evidence``/``assumption``) below ``node``, depth first."""
    found: list[tuple[str, Any]] = []
    if isinstance(node, BaseModel):
        if hasattr(node, "evidence") and hasattr(node, "assumption"):
            found.append((path, node))
        for name in type(node).model_fields:
            child = getattr(node, name)
            key = type(node).model_fields[name].alias or name
            found.extend(_walk_sourced(child, f"{path}.{key}" if path else key))
    elif isinstance(node, dict):
        for key, child in node.items():
            found.extend(_walk_sourced(child, f"{path}.{key}"))
    elif isinstance(node, tuple | list):
        for i, child in enumerate(node):
            found.extend(_walk_sourced(child, f"{path}[{i}]"))
    return found


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of the scenario format (for editors), with a title and ``$schema`` set."""
    document = Scenario.model_json_schema(by_alias=True)
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "negosim scenario"
    return document
