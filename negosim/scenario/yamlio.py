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
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from negosim.errors import Problem, ScenarioError
from negosim.limits import SCENARIO_MAX_BYTES, YAML_MAX_DEPTH, YAML_MAX_NODES

__all__ = ["LIMITS", "Limits", "Locator", "read_yaml"]


@dataclass(frozen=True)
class Limits:
    """Hard limits that keep a hostile file from hurting the machine (documented in the docs)."""

    max_bytes: int = SCENARIO_MAX_BYTES  # every limit's home: negosim/limits.py
    max_nodes: int = YAML_MAX_NODES
    max_depth: int = YAML_MAX_DEPTH


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


class _Constructor(RoundTripConstructor):
    """ruamel's round-trip constructor, except that a timestamp that is no date (``2012-02-30``)
    stays text: the schema then reports it at its field and line, with the other problems."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except (ValueError, OverflowError):
            return str(node.value)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _key_column(line: str) -> int:
    """Column of the first key on a line, after any ``- `` of sequence items."""
    body = line.lstrip(" ")
    column = len(line) - len(body)
    while body.startswith("- "):
        stripped = body[2:].lstrip(" ")
        column += len(body) - len(stripped)
        body = stripped
    return column


def _content_before(lines: list[str], index: int) -> int | None:
    """Index of the last line before ``index`` that holds more than blanks or a comment."""
    for i in range(min(index, len(lines)) - 1, -1, -1):
        text = lines[i].strip()
        if text and not text.startswith("#"):
            return i
    return None


def _content_after(lines: list[str], index: int) -> int | None:
    """Index of the first line after ``index`` that holds more than blanks or a comment."""
    for i in range(index + 1, len(lines)):
        text = lines[i].strip()
        if text and not text.startswith("#"):
            return i
    return None


def _indentation_problem(path: str, exc: MarkedYAMLError, lines: list[str]) -> Problem | None:
    """Say in plain words which line does not line up, or ``None`` if it is no indentation error.

    The parser notices a bad indentation on the first line that matches no open block, which is
    one line late when the first key of a block was indented too deep and the keys after it agree
    with each other (``     a: 1`` then ``    b: 2`` and ``    c: 3``): then the deeper line is
    named.
    """
    mark = exc.problem_mark
    problem = str(exc.problem or "")
    if mark is None or mark.line >= len(lines):
        return None
    at = mark.line
    before = _content_before(lines, at)
    if before is None:
        return None
    here, prev = _key_column(lines[at]), _key_column(lines[before])
    spaces = "space" if here == 1 else "spaces"
    if "mapping values are not allowed" in problem:
        if _indent(lines[at]) <= _indent(lines[before]):
            return None
        message = (
            f"this line is indented {here} {spaces}, deeper than the line before ({prev}), which "
            "already has its value: keys of one mapping start in the same column"
        )
    elif problem.startswith("expected <block end>"):
        # The line before opened its block alone, deeper than the lines after it that agree.
        opener = _content_before(lines, before)
        after = _content_after(lines, at)
        first_of_block = (
            here < prev
            and not lines[before].lstrip(" ").startswith("- ")
            and opener is not None
            and _key_column(lines[opener]) < here
            and after is not None
            and _key_column(lines[after]) == here
        )
        if first_of_block:
            at = before
            message = (
                f"this line is indented {prev} spaces but the next line {here}: keys of one "
                "mapping start in the same column"
            )
        else:
            message = (
                f"this line is indented {here} {spaces}, the column of no key it could belong "
                f"to (the line before is indented {prev}): keys of one mapping start in the same "
                "column"
            )
    else:
        return None
    return Problem(f"YAML indentation error: {message}", path=path, line=at + 1)


def _problem_from_mark(path: str, exc: MarkedYAMLError, text: str = "") -> Problem:
    mark = exc.problem_mark or exc.context_mark
    if "'\\t'" in str(exc.problem or "") and mark is not None:
        return Problem(
            "YAML syntax error: a tab character here; YAML indents with spaces only (replace "
            "the tab with spaces)",
            path=path,
            line=mark.line + 1,
            column=mark.column + 1,
        )
    indentation = _indentation_problem(path, exc, text.splitlines())
    if indentation is not None:
        return indentation
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
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    try:
        nodes = list(yaml.compose_all(text))
    except MarkedYAMLError as exc:
        raise ScenarioError([_problem_from_mark(path, exc, text)]) from None
    except (YAMLError, RecursionError, ValueError) as exc:
        raise ScenarioError([Problem(f"YAML error: {exc}", path=path)]) from None
    if len(nodes) != 1 or nodes[0] is None:
        what = "is empty" if not nodes or nodes[0] is None else f"holds {len(nodes)} documents"
        raise ScenarioError([Problem(f"file {what}; expected one scenario document", path=path)])
    _check_nodes(nodes[0], path, limits)
    try:
        # Construct from the nodes already composed and checked: parsing the text again would
        # double the time of the slowest step (pure-Python parsing, about 2-4 s per 100 KB).
        root = yaml.constructor.construct_document(nodes[0])
    except MarkedYAMLError as exc:
        raise ScenarioError([_problem_from_mark(path, exc, text)]) from None
    except (YAMLError, RecursionError, ValueError, TypeError) as exc:
        raise ScenarioError([Problem(f"YAML error: {exc}", path=path)]) from None
    return _plain(root), Locator(root, path)
