"""Where an input of the draws table comes from: the quote or assumption that defends it.

The draws table names each input by its dotted path (``actors.russia.fallback.value``).  Its
provenance is the nearest entry on that path that carries ``evidence`` or an ``assumption``:
the number's own (``value: {uniform: [...], assumption: ...}``), else the entry it belongs to
(the fallback, the stance, the behaviour, the event).  The walk stops at the actor, official or
event: a scenario-wide rationale defends nothing in particular.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from negosim.scenario.schema import AuthorityEffect, Scenario

__all__ = ["Provenance", "input_provenance"]


@dataclass(frozen=True)
class Provenance:
    """What defends one input.

    Attributes
    ----------
    kind
        ``"evidence"`` (a quote, perhaps with an assumption beside it), ``"assumption"``,
        ``"derived"`` (computed from other inputs, e.g. who heads an actor) or ``"none"``.
    text
        The first quote, the assumption, or what it is derived from ("" for none).
    source
        The quote's source id, if a quote.
    path
        The entry that carries it (the input's own path when the number itself is defended).
    assumption
        The assumption written beside the quote, if any.
    """

    kind: str
    text: str
    source: str | None = None
    path: str | None = None
    assumption: str | None = None

    def short(self, width: int = 72) -> str:
        """One line for a table: ``"quote" (source)``, ``assumption: ...`` or ``no source``."""
        if self.kind == "evidence":
            line = f'"{self.text}" ({self.source})'
        elif self.kind == "assumption":
            line = f"assumption: {self.text}"
        elif self.kind == "derived":
            line = f"derived: {self.text}"
        else:
            return "no source"
        line = " ".join(line.split())
        return line if len(line) <= width else line[: width - 3].rstrip() + "..."


def _child(node: Any, key: str) -> Any:
    if isinstance(node, dict):
        return node.get(key)
    if isinstance(node, tuple | list):
        return node[int(key)] if key.isdigit() and int(key) < len(node) else None
    if isinstance(node, BaseModel):
        return getattr(node, key, None)
    return None


def _defended(node: Any) -> bool:
    return isinstance(node, BaseModel) and (
        bool(getattr(node, "evidence", ())) or getattr(node, "assumption", None) is not None
    )


def _of(node: Any, path: str) -> Provenance:
    evidence = getattr(node, "evidence", ())
    assumption = getattr(node, "assumption", None)
    if evidence:
        first = evidence[0]
        return Provenance("evidence", first.quote, first.source, path, assumption)
    return Provenance("assumption", str(assumption), None, path)


# Inputs drawn from another entry's number: the ratifying vote from the pass probability,
# whether an event happened from its probability, the outcome it took from the event.
_DRAWN_FROM = {"vote": "pass_probability", "happens": "probability", "outcome": ""}


def input_provenance(scenario: Scenario, path: str) -> Provenance:
    """The provenance of the draws column ``path`` (see the module docstring)."""
    parts = path.split(".")
    if parts[0] == "authority" and len(parts) >= 2:
        events = [
            event_id
            for event_id, event in scenario.events.items()
            for effect in (*event.effects, *(e for o in event.outcomes.values() for e in o.effects))
            if isinstance(effect, AuthorityEffect) and effect.actor == parts[1]
        ]
        return Provenance("derived", "the head after " + ", ".join(f"events.{e}" for e in events))
    if parts[-1] in _DRAWN_FROM:
        parts = parts[:-1] + ([_DRAWN_FROM[parts[-1]]] if _DRAWN_FROM[parts[-1]] else [])
    chain: list[tuple[str, Any]] = []
    node: Any = scenario
    for i, key in enumerate(parts):
        node = _child(node, key)
        if node is None:
            break
        chain.append((".".join(parts[: i + 1]), node))
    # Deepest first, but no higher than the actor, official or event (two levels down).
    for where, node in reversed(chain[1:]):
        if _defended(node):
            return _of(node, where)
    return Provenance("none", "")
