"""What several commands share: option declarations, how help shows them, and where output goes.

:class:`Command` and :class:`Group` are the Click classes every command and the application use,
so that help shows an on/off option as a flag (``--explain``, not ``--explain <bool>``) and an
argument as ``FILE`` (not ``{file}``).  :class:`Output` routes what a command prints according to
``-q/--quiet``, ``-v/--verbose`` and ``--json``.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from negosim.errors import UsageError

__all__ = [
    "Command",
    "Group",
    "Json",
    "Output",
    "Quiet",
    "SourcesRoot",
    "Verbose",
    "split_names",
]

# A scenario reads source files only inside its own folder, unless the user names another one.
SourcesRoot = Annotated[
    Path | None,
    typer.Option(
        "--sources-root",
        metavar="DIR",
        help="Also allow the scenario and its source files to be read from under this folder "
        "(by default only the scenario's own folder).",
    ),
]
Quiet = Annotated[
    bool,
    typer.Option("-q", "--quiet", help="Print nothing but errors and warnings."),
]
Verbose = Annotated[
    bool,
    typer.Option("-v", "--verbose", help="Also say what is done, step by step (on stderr)."),
]
Json = Annotated[
    bool,
    typer.Option("--json", help="Print the summary as one JSON document on stdout, and only it."),
]


def split_names(text: str | None, option: str) -> list[str] | None:
    """The names of a comma-separated option value; ``None`` when the option was not given."""
    if text is None:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise UsageError(f"{option} needs at least one name (got {text!r})")
    return names


def _flags_as_flags(params: list[Any]) -> None:
    # Typer shows every option's type, a flag's too ("<bool>"); an empty metavar shows none.
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""


class Command(TyperCommand):
    """A command whose help shows flags without a type and arguments in capitals."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)  # includes --help, made on first use
        _flags_as_flags(params)
        return params

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = (param.metavar or param.name or "arg").upper()
                name = name if param.required else f"[{name}]"
                pieces.append(name + ("..." if param.nargs != 1 else ""))
        return pieces


class Group(TyperGroup):
    """The application: its own options (``--version``, completion) shown as flags too."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        _flags_as_flags(params)
        return params


class Output:
    """Where a command's text goes, by ``-q``, ``-v`` and ``--json``.

    ``say`` is the command's result (stdout; nothing with ``-q``, and kept out of stdout with
    ``--json``, whose document says it instead), ``note`` a line about what happens (stderr;
    nothing with ``-q``), ``detail`` a step (stderr, only with ``-v``) and :meth:`document` the
    one JSON document of ``--json``.

    Raises
    ------
    UsageError
        For ``-q`` together with ``-v``.
    """

    def __init__(self, *, quiet: bool = False, verbose: bool = False, json: bool = False):
        if quiet and verbose:
            raise UsageError("-q/--quiet and -v/--verbose exclude each other; give one")
        self.quiet, self.verbose, self.json = quiet, verbose, json

    @property
    def tables(self) -> bool:
        """Whether the command prints its summary tables (neither ``-q`` nor ``--json``)."""
        return not (self.quiet or self.json)

    def say(self, text: str) -> None:
        if self.tables:
            typer.echo(text)

    def note(self, text: str) -> None:
        if not self.quiet:
            typer.echo(text, err=True)

    def detail(self, text: str) -> None:
        if self.verbose:
            typer.echo(text, err=True)

    def document(self, data: dict[str, Any]) -> None:
        """Print ``data`` as JSON on stdout (with ``--json``, whatever ``-q`` says)."""
        if self.json:
            text = json.dumps(_finite(data), indent=2, default=str, allow_nan=False)
            sys.stdout.write(text + "\n")
            sys.stdout.flush()


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities as ``None`` (JSON has no such numbers) and numpy
    scalars as Python numbers."""
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # a numpy scalar
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
