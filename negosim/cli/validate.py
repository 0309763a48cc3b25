"""``negosim validate``: check scenario files and summarise each valid one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from negosim.cli.options import Output, Quiet, SourcesRoot, Verbose
from negosim.cli.report import EXIT_USAGE, scenario_summary
from negosim.errors import ScenarioError

__all__ = ["validate_command"]


def validate_command(
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML files to check.")],
    sources_root: SourcesRoot = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Check scenario files; print a summary of each valid one. Exit 0 if all are valid, else 2."""
    from negosim.scenario import load_scenario

    output = Output(quiet=quiet, verbose=verbose)

    failed = 0
    for file in files:
        try:
            scenario = load_scenario(file, sources_root=sources_root)
        except ScenarioError as exc:
            failed += 1
            typer.echo(str(exc), err=True)
            continue
        output.say(f"ok {file}: {scenario.metadata.title}")
        output.say(scenario_summary(scenario))
        output.detail(f"  sha256 {scenario.sha256}")
    if failed:
        typer.echo(f"{failed} of {len(files)} file(s) invalid", err=True)
        raise typer.Exit(EXIT_USAGE)
