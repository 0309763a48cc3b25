"""Change any field of a loaded scenario by dotted path, with the same checks as loading.

Paths follow the file's structure: ``actors.russia.stances.guarantees.salience``,
``events.election.outcomes.putin_wins.probability``, ``deadlines.chicago.date``.  Two shorthands
are accepted for an actor's stance: ``actors.russia.salience.guarantees`` and
``actors.russia.position.guarantees``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import ValidationError

from negosim.errors import Problem, ScenarioError, UsageError
from negosim.scenario.checks import check_scenario
from negosim.scenario.provenance import quote_occurs
from negosim.scenario.schema import Scenario

__all__ = ["apply_overrides", "canonical_path", "leaf_paths"]

_SHORTHANDS = {"salience": "salience", "position": "position"}


def canonical_path(path: str) -> str:
    """Rewrite the stance shorthands to the file's own path."""
    parts = path.split(".")
    if len(parts) == 4 and parts[0] == "actors" and parts[2] in _SHORTHANDS:
        return ".".join([parts[0], parts[1], "stances", parts[3], _SHORTHANDS[parts[2]]])
    return path


def leaf_paths(document: Any, prefix: str = "") -> Iterator[str]:
    """Every dotted path of ``document`` that a value can be set at (mappings are descended)."""
    if isinstance(document, dict):
        for key, value in document.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            yield path
            if isinstance(value, dict):
                yield from leaf_paths(value, path)


def _set(document: dict[str, Any], path: str, value: Any) -> None:
    node: Any = document
    parts = path.split(".")
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if not isinstance(node, dict) or part not in node:
            raise KeyError(path)
        if last:
            node[part] = value
        else:
            node = node[part]


def _nearest(path: str, document: dict[str, Any]) -> str:
    paths = list(leaf_paths(document))
    close = difflib.get_close_matches(path, paths, n=3, cutoff=0.5)
    if not close:
        head = path.rsplit(".", 1)[0]
        close = [p for p in paths if p.startswith(head + ".")][:5]
    return ", ".join(close) if close else "see `negosim schema` for the structure"


def apply_overrides(scenario: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """A new scenario with each ``path: value`` set, validated and cross-checked like a file.

    Raises
    ------
    UsageError
        For a path that does not exist (naming the nearest valid ones).
    ScenarioError
        For a value the scenario format does not accept (a salience of 2, an unknown option).
    """
    document = scenario.model_dump(by_alias=True, exclude_defaults=False)
    for raw_path, value in overrides.items():
        path = canonical_path(raw_path.replace("__", "."))
        try:
            _set(document, path, value)
        except KeyError:
            raise UsageError(
                f"unknown scenario path {raw_path!r} (nearest valid: {_nearest(path, document)})"
            ) from None
    where = f"{scenario.path or '<scenario>'} with overrides"
    try:
        changed = Scenario.model_validate(document)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            field = ".".join(str(p) for p in err["loc"])
            problems.append(
                Problem(f"{err['msg']} (got {err['input']!r})", path=where, field=field)
            )
        raise ScenarioError(problems) from None
    findings = check_scenario(changed)
    texts = scenario.source_texts
    for path, evidence in changed.evidence():
        text = texts.get(evidence.source)
        if text is not None and not quote_occurs(evidence.quote, text):
            findings.append(((path,), f"quote not found in source {evidence.source!r}"))
    if findings:
        raise ScenarioError(
            Problem(message, path=where, field=".".join(str(p) for p in loc))
            for loc, message in findings
        )
    changed._path = scenario.path
    changed._sha256 = scenario.sha256
    changed._source_texts = texts
    return changed
