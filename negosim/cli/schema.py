"""``negosim schema``: the JSON Schema of scenario files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from negosim.cli.options import Output, Quiet, Verbose

__all__ = ["schema_command"]


def schema_command(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")
    ] = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Print the JSON Schema of scenario files (for editor autocompletion)."""
    from negosim.scenario import scenario_json_schema

    text = json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        from negosim.io import write_text_atomic

        write_text_atomic(out, text)
        Output(quiet=quiet, verbose=verbose).say(f"wrote {out}")
