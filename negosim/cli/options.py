"""Parsing of option values that several commands share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from negosim.errors import UsageError

__all__ = ["SourcesRoot", "split_names"]

# A scenario reads source files only inside its own folder, unless the user names another one.
SourcesRoot = Annotated[
    Path | None,
    typer.Option(
        "--sources-root",
        help="Also allow the scenario and its source files to be read from under this folder "
        "(by default only the scenario's own folder).",
    ),
]


def split_names(text: str | None, option: str) -> list[str] | None:
    """The names of a comma-separated option value; ``None`` when the option was not given."""
    if text is None:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise UsageError(f"{option} needs at least one name (got {text!r})")
    return names
