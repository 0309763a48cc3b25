"""Words for figures: the scenario's own names for actors, issues, options, events and factors.

Every function falls back to the identifier when no scenario is given, so figures of a results
folder whose scenario file has moved still draw.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from typing import Any

import pandas as pd

from negosim.scenario.paths import canonical_path
from negosim.scenario.schema import Scenario
from negosim.tables.outcomes import OutcomeSpec, parse_outcome

__all__ = [
    "actor_name",
    "base_value",
    "factor_label",
    "format_level",
    "format_percent",
    "issue_label",
    "model_label",
    "option_label",
    "outcome_label",
    "timeline_markers",
    "wrap",
]

_COLLECTIONS = {
    "actors": "name",
    "officials": "name",
    "issues": "label",
    "events": "label",
    "deadlines": "label",
    "options": "label",
    "outcomes": "label",
    "sources": "outlet",
}
# Mappings keyed by the id of another collection: an actor's stances are keyed by issue.
_KEYED = {"stances": "issues", "utilities": None}


def wrap(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` characters."""
    return "\n".join(textwrap.wrap(text, width)) or text


def actor_name(actor_id: str, scenario: Scenario | None) -> str:
    """The actor's name (``"United States"``), or its id."""
    if scenario is not None and actor_id in scenario.actors:
        return scenario.actors[actor_id].name
    return actor_id


def issue_label(issue_id: str, scenario: Scenario | None) -> str:
    """The issue's label, or its id."""
    if scenario is not None and issue_id in scenario.issues:
        return scenario.issues[issue_id].label
    return issue_id


def option_label(issue_id: str, option_id: str, scenario: Scenario | None) -> str:
    """The option's label (``"Political declaration"``), or its id."""
    if scenario is not None and issue_id in scenario.issues:
        options = scenario.issues[issue_id].options
        if option_id in options:
            return options[option_id].label
    return option_id


def model_label(name: str) -> str:
    """A decision model's registry name in words: ``expected_utility`` -> ``expected utility``."""
    return name.replace("_", " ")


def format_percent(p: float) -> str:
    """A probability as a percentage: ``81%``; below 1% (but above 0) with one decimal."""
    if 0.0005 <= p < 0.01:  # below that it rounds to 0.0%: say 0%
        return f"{p:.1%}"
    return f"{p:.0%}"


def format_level(value: Any) -> str:
    """A factor level for a tick or legend: ``0.55``, ``1e+03``, ``2012-05-20``, ``legal``."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and math.isnan(value):
            return "n/a"
        return f"{value:.3g}"
    if isinstance(value, dt.datetime | pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _child(node: Any, key: str) -> Any:
    if node is None:
        return None
    return node.get(key) if isinstance(node, dict) else getattr(node, key, None)


def _node_label(node: Any, key: str) -> str | None:
    attribute = _COLLECTIONS.get(key)
    value = getattr(node, attribute, None) if attribute else None
    return value if isinstance(value, str) else None


def factor_label(path: str, scenario: Scenario | None) -> str:
    """A swept factor's dotted path in the scenario's words.

    ``actors.russia.stances.guarantees.salience`` reads ``Russia: salience (Guarantee that the
    shield is not directed at Russia)``; ``actors.russia.fallback.value`` reads ``Russia:
    fallback value``; without a scenario the ids are kept (``russia: salience (guarantees)``).
    """
    parts = canonical_path(path).split(".")
    names: list[str] = []  # the entities the path walks through, in the scenario's words
    fields: list[str] = []  # the remaining words
    node: Any = scenario
    issue_id = ""
    i = 0
    while i < len(parts):
        key = parts[i]
        collection = _child(node, key)
        if (key in _COLLECTIONS or key in _KEYED) and i + 1 < len(parts):
            item_id = parts[i + 1]
            item = _child(collection, item_id)
            keyed = _KEYED.get(key)
            if keyed is not None:
                label = _node_label(_child(_child(scenario, keyed), item_id), keyed)
                issue_id = item_id
            elif key == "utilities":
                fields.append("utility")
                label = option_label(issue_id, item_id, scenario) if issue_id else None
            else:
                label = _node_label(item, key)
            names.append(label or item_id.replace("_", " "))
            node = item
            i += 2
            continue
        fields.append(key.replace("_", " "))
        node = collection
        i += 1
    if not names:
        return " ".join(fields) or path
    owner, *rest = names
    words = " ".join(fields)
    if rest:
        words = f"{words} ({', '.join(rest)})" if words else ", ".join(rest)
    return f"{owner}: {words}" if words else owner


def base_value(path: str, scenario: Scenario | None) -> float | None:
    """The scenario's own value at ``path``: the number, or the centre of a declared range.

    ``None`` when there is no scenario, the path does not exist, or the value is not numeric.
    """
    if scenario is None:
        return None
    node: Any = scenario
    for key in canonical_path(path).split("."):
        node = _child(node, key)
        if node is None:
            return None
    if isinstance(node, bool):
        return None
    if isinstance(node, int | float):
        return float(node)
    bounds = getattr(node, "bounds", None)
    if callable(bounds):
        low, high = bounds()
        return (float(low) + float(high)) / 2
    return None


def outcome_label(outcome: str | OutcomeSpec, scenario: Scenario | None) -> str:
    """An outcome spec of the grammar (:func:`negosim.tables.outcomes.parse_outcome`) in words.

    ``agreement`` -> ``P(full agreement)``; ``guarantees=political`` -> ``P(Political
    declaration)``; ``fallback:russia`` -> ``P(Russia's fallback plays out)``;
    ``quota_share:value`` -> ``Mean outcome: Northland's share of the quota (%) (0-100)``.

    Raises
    ------
    UsageError
        For a spec of no accepted form.
    """
    spec = parse_outcome(outcome)
    if spec.kind == "agreement":
        return "P(full agreement)"
    if spec.kind == "breakdown":
        return "P(breakdown)"
    if spec.actor is not None:
        return f"P({actor_name(spec.actor, scenario)}'s fallback plays out)"
    issue_id = spec.issue or ""
    if spec.option is not None:
        return f"P({option_label(issue_id, spec.option, scenario)})"
    return f"Mean outcome: {issue_label(issue_id, scenario)} (0-100)"


def timeline_markers(scenario: Scenario) -> list[tuple[pd.Timestamp, str, str]]:
    """Dated events and deadlines as ``(date, label, kind)``, one entry per date and kind.

    ``kind`` is ``"event"`` or ``"deadline"``.  Conditional variants of an event that share a date
    and a stem (``Inauguration (Putin)``, ``Inauguration (another winner)``) become one label.
    """
    marks: dict[tuple[pd.Timestamp, str], list[str]] = {}
    for event in scenario.events.values():
        marks.setdefault((pd.Timestamp(event.date), "event"), []).append(event.label)
    for deadline in scenario.deadlines.values():
        marks.setdefault((pd.Timestamp(deadline.date), "deadline"), []).append(deadline.label)
    out = []
    for (date, kind), labels in sorted(marks.items()):
        stems = list(dict.fromkeys(label.split(" (")[0] for label in labels))
        out.append((date, " / ".join(stems), kind))
    return out
