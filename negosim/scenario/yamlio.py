"""Read YAML safely and remember where every value came from.

YAML 1.2 through ruamel.yaml (``NO`` stays a string), duplicate keys rejected, and hostile documents
refused before anything is built: language-specific tags (``!!python/object``...), alias bombs
("billion laughs"), deep nesting and oversize files.  The result is plain Python data plus a
:class:`Locator` that maps a field path back to its line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from negosim.errors import Problem, ScenarioError

__all__ = ["LIMITS", "Limits", "Locator", "read_yaml"]


@dataclass(frozen=True)
class Limits:
    """Hard limits that keep a hostile file from hurting the machine (documented in the docs)."""

    max_bytes: int = 2 * 1024 * 1024
    max_nodes: int = 200_000
    max_depth: int = 40


LIMITS = Limits()

_SAFE_TAGS = {
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


@dataclass
class Locator:
    """Maps a path of keys and indices (as pydantic reports them) to a line in the file."""

    root: Any
    path: str
    _cache: dict[tuple[Any, ...], tuple[int | None, tuple[Any, ...]]] = field(default_factory=dict)

    def locate(self, loc: Sequence[Any]) -> tuple[int | None, tuple[Any, ...]]:
        """Return ``(line, matched)``: the 1-based line of the deepest part of ``loc`` found in the
        document, and the prefix of ``loc`` that was found (elements that are not keys of the data,
        such as pydantic's union tags, are skipped)."""
        key = tuple(loc)
        if key not in self._cache:
            self._cache[key] = self._locate(key)
        return self._cache[key]

    def _locate(self, loc: tuple[Any, ...]) -> tuple[int | None, tuple[Any, ...]]:
        node = self.root
        line = _start_line(node)
        matched: list[Any] = []
        for part in loc:
            if isinstance(node, CommentedMap) and part in node:
                key_line = node.lc.key(part)[0] + 1
                child = node[part]
                line = key_line
                node = child
                matched.append(part)
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
                line = node.lc.item(part)[0] + 1
                node = node[part]
                matched.append(part)
            else:
                continue
        return line, tuple(matched)


def _start_line(node: Any) -> int | None:
    lc = getattr(node, "lc", None)
    return None if lc is None or lc.line is None else lc.line + 1


def _problem_from_mark(path: str, exc: MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    what = " ".join(str(s) for s in (exc.context, exc.problem) if s) or "invalid YAML"
    what = " ".join(what.split())
    return Problem(
        f"YAML syntax error: {what}",
        path=path,
        line=None if mark is None else mark.line + 1,
        column=None if mark is None else mark.column + 1,
    )


def _check_nodes(root: Node, path: str, limits: Limits) -> None:
    """Refuse unsafe tags, excessive nesting and alias expansion before constructing anything."""
    sizes: dict[int, int] = {}

    def expanded_size(node: Node, depth: int) -> int:
        if depth > limits.max_depth:
            raise ScenarioError(
                [
                    Problem(
                        f"nesting deeper than {limits.max_depth} levels is refused",
                        path=path,
                        line=node.start_mark.line + 1,
                    )
                ]
            )
        if node.tag not in _SAFE_TAGS:
            tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
            raise ScenarioError(
                [
                    Problem(
                        f"tag {tag!r} is not allowed: scenario files hold plain data only",
                        path=path,
                        line=node.start_mark.line + 1,
                        column=node.start_mark.column + 1,
                    )
                ]
            )
        known = sizes.get(id(node))
        if known is not None:
            return known
        total = 1
        if isinstance(node, SequenceNode):
            for child in node.value:
                total += expanded_size(child, depth + 1)
        elif isinstance(node, MappingNode):
            for key, child in node.value:
                total += expanded_size(key, depth + 1) + expanded_size(child, depth + 1)
        elif not isinstance(node, ScalarNode):  # pragma: no cover - ruamel has no other kinds
            raise TypeError(type(node))
        if total > limits.max_nodes:
            raise ScenarioError(
                [
                    Problem(
                        f"document expands to more than {limits.max_nodes} values (alias bomb?); "
                        "refused",
                        path=path,
                        line=node.start_mark.line + 1,
                    )
                ]
            )
        sizes[id(node)] = total
        return total

    expanded_size(root, 0)


def _plain(value: Any) -> Any:
    """Convert ruamel's round-trip containers and scalars to plain Python types."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, dt.datetime):
        # A date with a time is accepted as its date only when the time is midnight.
        return value.date() if value.time() == dt.time() and value.tzinfo is None else value
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, value.day)
    if isinstance(value, str):
        return str(value)
    return value


def read_yaml(data: bytes, path: str, *, limits: Limits = LIMITS) -> tuple[Any, Locator]:
    """Parse one YAML document from ``data`` into plain Python data and its :class:`Locator`.

    Raises
    ------
    ScenarioError
        For oversize or undecodable input, YAML syntax errors (with line and column), duplicate
        keys, unsafe tags, deep nesting, alias bombs, or more than one document.
    """
    if len(data) > limits.max_bytes:
        raise ScenarioError(
            [
                Problem(
                    f"file is {len(data):,} bytes, over the {limits.max_bytes:,}-byte limit",
                    path=path,
                )
            ]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            [
                Problem(
                    f"file is not UTF-8 text (byte {exc.start} is {data[exc.start]:#04x})",
                    path=path,
                )
            ]
        ) from None
    if "\x00" in text:
        raise ScenarioError([Problem("file contains a NUL byte: not a text file", path=path)])
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        nodes = list(yaml.compose_all(text))
    except MarkedYAMLError as exc:
        raise ScenarioError([_problem_from_mark(path, exc)]) from None
    except (YAMLError, RecursionError, ValueError) as exc:
        raise ScenarioError([Problem(f"YAML error: {exc}", path=path)]) from None
    if len(nodes) != 1 or nodes[0] is None:
        what = "is empty" if not nodes or nodes[0] is None else f"holds {len(nodes)} documents"
        raise ScenarioError([Problem(f"file {what}; expected one scenario document", path=path)])
    _check_nodes(nodes[0], path, limits)
    try:
        root = yaml.load(text)
    except MarkedYAMLError as exc:
        raise ScenarioError([_problem_from_mark(path, exc)]) from None
    except (YAMLError, RecursionError, ValueError, TypeError) as exc:
        raise ScenarioError([Problem(f"YAML error: {exc}", path=path)]) from None
    return _plain(root), Locator(root, path)
