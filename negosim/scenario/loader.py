"""Load a scenario file: YAML -> schema -> cross-references -> provenance, every problem located."""

from __future__ import annotations

import difflib
import hashlib
import os
import types
import typing
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from negosim.errors import Problem, ScenarioError
from negosim.scenario.checks import check_scenario, split_path
from negosim.scenario.provenance import closest_passage, quote_occurs
from negosim.scenario.schema import Scenario
from negosim.scenario.yamlio import LIMITS, Limits, Locator, read_yaml

__all__ = ["format_field", "load_scenario", "load_scenario_text"]

MAX_SOURCE_BYTES = 5 * 1024 * 1024


def format_field(loc: Sequence[Any]) -> str:
    """``('actors', 'russia', 'evidence', 0)`` -> ``actors.russia.evidence[0]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _got(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# -- finding the fields a model allows, to suggest the right key for an unknown one ---------


def _members(annotation: Any) -> list[Any]:
    """Flatten Annotated / Union / Optional into the member annotations."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    return [annotation]


def _step(annotation: Any, part: Any) -> list[Any]:
    members = _members(annotation)
    models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
    if len(members) > 1 and isinstance(part, str):
        # At a tagged union pydantic puts the tag (e.g. 'uniform', 'authority') in the path.
        tagged = [m for m in models if m.__name__.lower().startswith(part.replace("_", ""))]
        if tagged:
            return tagged
    found: list[Any] = []
    for member in members:
        origin = typing.get_origin(member)
        if isinstance(member, type) and issubclass(member, BaseModel):
            for name, info in member.model_fields.items():
                if part in (name, info.alias):
                    found.append(info.annotation)
        elif origin is dict and isinstance(part, str):
            found.append(typing.get_args(member)[1])
        elif origin in (tuple, list) and isinstance(part, int):
            found.append(typing.get_args(member)[0])
    return found


def _allowed_keys(loc: Sequence[Any]) -> list[str]:
    candidates: list[Any] = [Scenario]
    for part in loc:
        nxt = [a for c in candidates for a in _step(c, part)]
        candidates = nxt or candidates  # union tags are not fields: stay where we are
    keys: list[str] = []
    for c in candidates:
        for member in _members(c):
            if isinstance(member, type) and issubclass(member, BaseModel):
                keys.extend(info.alias or name for name, info in member.model_fields.items())
    return sorted(set(keys))


def _validation_problems(exc: ValidationError, locator: Locator) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[tuple[Any, ...], str]] = set()
    # A value that fits no member of a union (a named style or a number, say) fails once per
    # member at the same field: one paragraph lists what each member would have accepted.
    alternatives: dict[tuple[tuple[Any, ...], str], int] = {}
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        line, matched = locator.locate(loc)
        field_loc: tuple[Any, ...] = matched
        if kind == "missing":
            field_loc = (*matched, loc[-1])
            message = "required field is missing"
        elif kind == "extra_forbidden":
            key = str(loc[-1])
            allowed = _allowed_keys(loc[:-1])
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            known = f"allowed: {', '.join(allowed)}" if allowed else "no fields allowed here"
            message = f"unknown field {key!r} ({hint}{known})"
        elif loc and loc[-1] == "[key]":
            message = (
                f"invalid id {_got(err['input'])}: ids are lower_snake_case "
                "(a letter, then letters, digits or _)"
            )
        elif kind == "string_pattern_mismatch":
            message = (
                f"invalid id {_got(err['input'])}: ids are lower_snake_case "
                "(a letter, then letters, digits or _)"
            )
        else:
            msg = err["msg"]
            for prefix in ("Value error, ", "Assertion failed, "):
                msg = msg.removeprefix(prefix)
            msg = msg[:1].lower() + msg[1:]
            if "(got" in msg or (kind == "value_error" and isinstance(err["input"], dict)):
                message = msg  # a check on a whole mapping: its message says what is wrong
            else:
                got = f" (got {_got(err['input'])})"
                message = f"{msg}{got}"
                earlier = alternatives.get((field_loc, got))
                if earlier is not None and len(loc) > len(matched):
                    first = problems[earlier]
                    either = first.message.removesuffix(got)
                    other = msg.removeprefix("input should be ")
                    problems[earlier] = replace(first, message=f"{either}; or {other}{got}")
                    continue
                if len(loc) > len(matched):
                    alternatives[(field_loc, got)] = len(problems)
        if (field_loc, message) in seen:
            continue
        seen.add((field_loc, message))
        problems.append(
            Problem(message, path=locator.path, line=line, field=format_field(field_loc) or None)
        )
    return problems


def _read_sources(
    scenario: Scenario, base_dir: Path, locator: Locator
) -> tuple[dict[str, str], list[Problem]]:
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    for source_id, source in scenario.sources.items():
        loc = ("sources", source_id, "file")
        line, _ = locator.locate(loc)
        target = (base_dir / source.file).resolve()
        where = f"{source.file} (resolved to {target})"
        try:
            size = target.stat().st_size
            if size > MAX_SOURCE_BYTES:
                raise ValueError(
                    f"source text is {size:,} bytes, over the {MAX_SOURCE_BYTES:,} limit"
                )
            texts[source_id] = target.read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            message = f"source file not found: {where}"
        except IsADirectoryError:
            message = f"source file is a directory: {where}"
        except UnicodeDecodeError:
            message = f"source file is not UTF-8 text: {where}"
        except (OSError, ValueError) as exc:
            message = f"cannot read source file {where}: {exc}"
        else:
            continue
        problems.append(Problem(message, path=locator.path, line=line, field=format_field(loc)))
    return texts, problems


def _quote_problems(scenario: Scenario, texts: dict[str, str], locator: Locator) -> list[Problem]:
    problems: list[Problem] = []
    for path, evidence in scenario.evidence():
        text = texts.get(evidence.source)
        if text is None or quote_occurs(evidence.quote, text):
            continue  # unknown or unreadable sources are reported elsewhere
        loc = (*split_path(path), "quote")
        line, _ = locator.locate(loc)
        file = scenario.sources[evidence.source].file
        message = f"quote not found in source {evidence.source!r} ({file}): {evidence.quote!r}"
        passage, ratio = closest_passage(evidence.quote, text)
        if ratio >= 0.6:
            message += f"; closest passage: {passage!r}"
        problems.append(Problem(message, path=locator.path, line=line, field=format_field(loc)))
    return problems


def load_scenario_text(
    data: bytes | str,
    *,
    path: str = "<scenario>",
    base_dir: str | os.PathLike[str] | None = None,
    limits: Limits = LIMITS,
) -> Scenario:
    """Load a scenario from YAML text; ``base_dir`` is where relative source files are found.

    Raises
    ------
    ScenarioError
        With one located problem per mistake.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    document, locator = read_yaml(raw, path, limits=limits)
    if not isinstance(document, dict):
        raise ScenarioError(
            [
                Problem(
                    f"a scenario is a mapping of sections (got {_got(document)})", path=path, line=1
                )
            ]
        )
    try:
        scenario = Scenario.model_validate(document)
    except ValidationError as exc:
        raise ScenarioError(_validation_problems(exc, locator)) from None
    problems: list[Problem] = []
    for loc, message in check_scenario(scenario):
        line, _ = locator.locate(loc)
        problems.append(Problem(message, path=path, line=line, field=format_field(loc)))
    texts, source_problems = _read_sources(scenario, Path(base_dir or "."), locator)
    problems += source_problems
    problems += _quote_problems(scenario, texts, locator)
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise ScenarioError(problems)
    scenario._path = path
    scenario._sha256 = hashlib.sha256(raw).hexdigest()
    scenario._source_texts = texts
    return scenario


def load_scenario(path: str | os.PathLike[str], *, limits: Limits = LIMITS) -> Scenario:
    """Load and fully check a scenario file.

    Parameters
    ----------
    path
        A YAML scenario file; source files are resolved relative to its folder.

    Returns
    -------
    Scenario
        The validated, frozen scenario.

    Raises
    ------
    ScenarioError
        One located paragraph per problem: ``path:line: field: what is wrong (got X)``.
    """
    shown = os.fspath(path)
    file = Path(path)
    try:
        if file.is_dir():
            raise ScenarioError([Problem("is a directory, not a scenario file", path=shown)])
        size = file.stat().st_size
        if size > limits.max_bytes:
            raise ScenarioError(
                [
                    Problem(
                        f"file is {size:,} bytes, over the {limits.max_bytes:,}-byte limit",
                        path=shown,
                    )
                ]
            )
        raw = file.read_bytes()
    except FileNotFoundError:
        raise ScenarioError([Problem("no such file", path=shown)]) from None
    except PermissionError:
        raise ScenarioError([Problem("permission denied", path=shown)]) from None
    except OSError as exc:
        raise ScenarioError([Problem(f"cannot read: {exc.strerror or exc}", path=shown)]) from None
    return load_scenario_text(raw, path=shown, base_dir=file.parent, limits=limits)
