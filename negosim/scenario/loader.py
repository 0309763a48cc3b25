"""Load a scenario file: YAML -> schema -> cross-references -> provenance, every problem located."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import re
import types
import typing
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from negosim.errors import Problem, ScenarioError
from negosim.limits import SOURCE_MAX_BYTES
from negosim.scenario.checks import check_scenario, split_path, unknown_sources
from negosim.scenario.files import FileRefused, read_user_file
from negosim.scenario.provenance import (
    HINT_BUDGET,
    HINT_FILE_BUDGET,
    Evidence,
    closest_passage,
    quote_occurs,
)
from negosim.scenario.schema import Scenario, Source
from negosim.scenario.yamlio import LIMITS, Limits, Locator, read_yaml

__all__ = ["format_field", "load_scenario", "load_scenario_text"]

MAX_SOURCE_BYTES = SOURCE_MAX_BYTES  # every limit's home: negosim/limits.py


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
        elif (special := _special_message(err)) is not None:
            message = special
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


# -- messages that say what to write instead ---------------------------------------------------

_ISO_SHAPED = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_DAY_MONTH_YEAR = re.compile(r"^\s*(\d{1,2})[/.](\d{1,2})[/.](\d{4})\s*$")
_YAML11_BOOLEANS = {"yes", "no", "on", "off", "y", "n"}
_EFFECT_TYPES = ("authority", "capability", "position", "salience")


def _date_message(value: Any) -> str | None:
    """A plain message for a date pydantic could not read, or ``None`` to keep pydantic's."""
    if not isinstance(value, str):
        return None
    iso = _ISO_SHAPED.match(value)
    if iso is not None:
        try:
            dt.date(*(int(part) for part in iso.groups()))
        except ValueError as exc:
            return f"not a date in the calendar: {exc} (got {value!r})"
        return None
    dmy = _DAY_MONTH_YEAR.match(value)
    hint = "write dates as ISO dates, YYYY-MM-DD"
    if dmy is not None:
        a, b, year = (int(part) for part in dmy.groups())
        readings = []
        for day, month in ((a, b), (b, a)):
            try:
                readings.append(dt.date(year, month, day).isoformat())
            except ValueError:
                continue
        if readings:
            either = " or ".join(dict.fromkeys(readings))
            hint += f" ({either})"
    return f"{hint} (got {value!r})"


def _special_message(err: Any) -> str | None:
    """Messages for mistakes that pydantic words for programmers: dates, YAML 1.1 booleans and
    unknown effect types."""
    kind, value = err["type"], err["input"]
    if kind.startswith("date"):
        return _date_message(value)
    if kind == "bool_type" and isinstance(value, str) and value.lower() in _YAML11_BOOLEANS:
        return (
            f"input should be true or false: YAML 1.2 reads {value} as text, not a boolean "
            f"(got {value!r})"
        )
    if kind == "effect_type":
        written = value.get("type") if isinstance(value, dict) else None
        if written is None:
            return f"an effect needs a `type`: one of {', '.join(_EFFECT_TYPES)}"
        if not isinstance(written, str):
            return f"unknown effect type {_got(written)} (known: {', '.join(_EFFECT_TYPES)})"
        close = difflib.get_close_matches(written, _EFFECT_TYPES, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return f"unknown effect type {written!r} ({hint}known: {', '.join(_EFFECT_TYPES)})"
    return None


# -- what can be checked when part of the file is not schema-valid ------------------------------


def _valid_sections(document: dict[str, Any], exc: ValidationError) -> dict[str, Any]:
    """The top-level sections that validated, each validated on its own: the checks that read
    only these sections can still run, so that one ``validate`` reports every problem."""
    bad = {err["loc"][0] for err in exc.errors(include_url=False) if err["loc"]}
    sections: dict[str, Any] = {}
    for name, info in Scenario.model_fields.items():
        if name in bad:
            continue
        annotation = info.annotation
        if annotation is None:  # pragma: no cover - every field of Scenario is annotated
            continue
        if name not in document:
            if not info.is_required():
                sections[name] = info.get_default(call_default_factory=True)
            continue
        try:
            sections[name] = TypeAdapter(annotation).validate_python(document[name])
        except ValidationError:
            continue
    return sections


def _raw_evidence(node: Any, loc: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Evidence]]:
    """Every well-formed ``evidence`` item of the plain document, with its location."""
    found: list[tuple[tuple[Any, ...], Evidence]] = []
    if isinstance(node, dict):
        for key, child in node.items():
            if key == "evidence" and isinstance(child, list):
                for i, item in enumerate(child):
                    try:
                        found.append(((*loc, key, i), Evidence.model_validate(item)))
                    except ValidationError:
                        continue
            else:
                found.extend(_raw_evidence(child, (*loc, key)))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            found.extend(_raw_evidence(child, (*loc, i)))
    return found


# -- sources: read inside the scenario's folder only, then check every quote --------------------


def _source_message(source: Source, target: Path, refused: FileRefused, roots: list[Path]) -> str:
    written = source.file
    if refused.reason == "outside":
        folders = " or ".join(str(r) for r in roots)
        return (
            f"refused: {written!r} lies outside {folders}; a scenario reads source files only "
            "inside its own folder (name another folder with --sources-root)"
        )
    if refused.reason == "missing":
        return f"source file not found: {written} (resolved to {target})"
    return f"{refused} ({written})"


def _read_sources(
    sources: dict[str, Source], roots: list[Path], locator: Locator
) -> tuple[dict[str, str], list[Problem]]:
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    for source_id, source in sources.items():
        loc = ("sources", source_id, "file")
        line, _ = locator.locate(loc)
        target = roots[0] / source.file
        try:
            data = read_user_file(target, roots=roots, limit=MAX_SOURCE_BYTES, what="source file")
            texts[source_id] = data.decode("utf-8-sig")
        except FileRefused as refused:
            message = _source_message(source, Path(os.path.realpath(target)), refused, roots)
        except UnicodeDecodeError:
            message = f"source file is not UTF-8 text: {source.file}"
        else:
            continue
        problems.append(Problem(message, path=locator.path, line=line, field=format_field(loc)))
    return texts, problems


def _quote_problems(
    evidence: list[tuple[tuple[Any, ...], Evidence]],
    sources: dict[str, Source],
    texts: dict[str, str],
    locator: Locator,
) -> list[Problem]:
    problems: list[Problem] = []
    budget = HINT_FILE_BUDGET  # the hints of one file share one bounded amount of work
    for loc, item in evidence:
        text = texts.get(item.source)
        if text is None or quote_occurs(item.quote, text):
            continue  # unknown or unreadable sources are reported elsewhere
        quote_loc = (*loc, "quote")
        line, _ = locator.locate(quote_loc)
        file = sources[item.source].file
        message = f"quote not found in source {item.source!r} ({file}): {item.quote!r}"
        passage, ratio, spent = closest_passage(item.quote, text, budget=min(budget, HINT_BUDGET))
        budget -= spent
        if ratio >= 0.6:
            message += f"; closest passage: {passage!r}"
        problems.append(
            Problem(message, path=locator.path, line=line, field=format_field(quote_loc))
        )
    return problems


def _roots(base_dir: str | os.PathLike[str] | None, sources_root: Any) -> list[Path]:
    roots = [Path(os.path.realpath(base_dir or "."))]
    if sources_root is not None:
        roots.append(Path(os.path.realpath(sources_root)))
    return roots


def load_scenario_text(
    data: bytes | str,
    *,
    path: str = "<scenario>",
    base_dir: str | os.PathLike[str] | None = None,
    sources_root: str | os.PathLike[str] | None = None,
    limits: Limits = LIMITS,
) -> Scenario:
    """Load a scenario from YAML text.

    Parameters
    ----------
    data
        The YAML text.
    path
        How messages name the file.
    base_dir
        The scenario's folder (default: the working directory): relative source files are found
        there, and a source file must lie inside it (symlinks resolved) ...
    sources_root
        ... or inside this folder, named explicitly by the user (``--sources-root``).
    limits
        The size limits of the YAML document.

    Raises
    ------
    ScenarioError
        With one located problem per mistake; every check that does not depend on a part that
        failed still runs, so one call reports every independent problem.
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
    problems: list[Problem] = []
    scenario: Scenario | None = None
    try:
        scenario = Scenario.model_validate(document)
    except ValidationError as exc:
        problems += _validation_problems(exc, locator)
        sections = _valid_sections(document, exc)
        checked = Scenario.model_construct(**sections)
        findings = check_scenario(checked, sections=set(sections))
        evidence = _raw_evidence(document)
        sources: dict[str, Source] = sections.get("sources", {})
        if "sources" in sections:
            findings += unknown_sources(evidence, sources)
    else:
        findings = check_scenario(scenario)
        evidence = [(tuple(split_path(p)), item) for p, item in scenario.evidence()]
        sources = scenario.sources
    for loc, message in findings:
        line, _ = locator.locate(loc)
        problems.append(Problem(message, path=path, line=line, field=format_field(loc)))
    texts, source_problems = _read_sources(sources, _roots(base_dir, sources_root), locator)
    problems += source_problems
    problems += _quote_problems(evidence, sources, texts, locator)
    if problems or scenario is None:
        problems.sort(key=lambda p: p.line or 0)
        raise ScenarioError(problems)
    scenario._path = path
    scenario._sha256 = hashlib.sha256(raw).hexdigest()
    scenario._sources_root = None if sources_root is None else os.path.realpath(sources_root)
    scenario._source_texts = texts
    return scenario


def load_scenario(
    path: str | os.PathLike[str],
    *,
    sources_root: str | os.PathLike[str] | None = None,
    limits: Limits = LIMITS,
) -> Scenario:
    """Load and fully check a scenario file.

    Parameters
    ----------
    path
        A YAML scenario file. It is read only if it is a regular file that lies in its folder
        once symlinks are resolved (or under ``sources_root``); source files are resolved
        relative to that folder and must lie inside it.
    sources_root
        A folder the user names explicitly (``--sources-root``) from which the scenario and its
        sources may also be read, e.g. a shared library of source texts.
    limits
        The size limits of the YAML document.

    Returns
    -------
    Scenario
        The validated, frozen scenario.

    Raises
    ------
    ScenarioError
        One located paragraph per problem: ``path:line: field: what is wrong (got X)``; a
        refused file is named, and nothing read from it is printed.
    """
    shown = os.fspath(path)
    folder = Path(os.path.dirname(os.path.abspath(path)))
    roots = _roots(folder, sources_root)
    try:
        raw = read_user_file(path, roots=roots, limit=limits.max_bytes, what="scenario file")
    except FileRefused as refused:
        raise ScenarioError([Problem(_scenario_message(refused, roots), path=shown)]) from None
    return load_scenario_text(
        raw, path=shown, base_dir=folder, sources_root=sources_root, limits=limits
    )


def _scenario_message(refused: FileRefused, roots: list[Path]) -> str:
    if refused.reason == "outside":
        folders = " or ".join(str(r) for r in roots)
        return (
            f"refused: a symlink to a file outside {folders}; a scenario file is read only "
            "inside its own folder (name another folder with --sources-root)"
        )
    if refused.reason == "missing":
        return "no such file"
    if refused.reason == "permission":
        return "permission denied"
    if refused.reason == "special":
        return (
            str(refused)
            .replace("scenario file is ", "is ")
            .replace("not a regular file", "not a scenario file")
        )
    return str(refused).replace("scenario file is ", "file is ")
