"""The negosim error family.

Every error a user can cause derives from :class:`NegosimError` and renders itself as one paragraph
per problem, ``path:line: field.path: what is wrong (got X)``.  The CLI prints that text and exits
with status 2; any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["NegosimError", "NegosimWarning", "Problem", "ScenarioError", "UsageError"]


@dataclass(frozen=True)
class Problem:
    """One located problem in an input file.

    Parameters
    ----------
    message
        What is wrong, in plain words (may include ``(got X)``).
    path
        The file the problem is in, as the user gave it.
    line
        1-based line number, when known.
    column
        1-based column, when known (YAML syntax errors).
    field
        Dotted path of the offending field, e.g. ``actors.russia.capability``.
    """

    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None

    def render(self) -> str:
        """Return ``path:line[:column]: field: message``, leaving out what is unknown."""
        location = self.path or "<input>"
        if self.line is not None:
            location += f":{self.line}"
            if self.column is not None:
                location += f":{self.column}"
        parts = [location]
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)


class NegosimError(Exception):
    """Base class of every error a user can cause; ``str()`` is the message to print."""


class NegosimWarning(UserWarning):
    """Base class of negosim's warnings to the user; the CLI prints them as one line,
    ``warning: <message>``, without Python's file, line and category."""


class UsageError(NegosimError):
    """A wrong command-line or API argument (negative runs, unknown model, bad path)."""


class ScenarioError(NegosimError):
    """A scenario file that cannot be loaded: one or more located problems."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("ScenarioError needs at least one problem")
        super().__init__("\n".join(p.render() for p in self.problems))
