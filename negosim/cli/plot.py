"""``negosim plot``: every figure that a results folder supports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from negosim.cli.options import Output, Quiet, SourcesRoot, Verbose
from negosim.errors import UsageError

__all__ = ["plot_command"]


def plot_command(
    folder: Annotated[Path, typer.Argument(help="A results folder (negosim run or sweep --out).")],
    fmt: Annotated[str, typer.Option("--format", help="png, svg or pdf.")] = "png",
    sources_root: SourcesRoot = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Write every figure that the results in FOLDER support, into FOLDER/figures.

    The tables are checked against the checksums written with them first; the figures replace
    FOLDER/figures as one set.  The scenario (for names, options and sources) is reloaded from
    the copy kept in FOLDER/scenario/, so plotting works from any folder; results written before
    copies were kept reload the file their manifest names, with the --sources-root they were
    made with unless --sources-root names another.
    """
    output = Output(quiet=quiet, verbose=verbose)
    from negosim.plots import plot_all
    from negosim.simulation.snapshot import load_results_scenario
    from negosim.sweeps import load_sweep
    from negosim.tables import load_results

    manifest_kind = None
    manifest_path = folder / "manifest.json"
    if manifest_path.is_file():
        try:
            manifest_kind = json.loads(manifest_path.read_text(encoding="utf-8")).get("kind")
        except (OSError, ValueError, AttributeError) as exc:
            raise UsageError(f"{manifest_path}: unreadable manifest: {exc}") from None
    results = load_sweep(folder) if manifest_kind == "sweep" else load_results(folder)
    scenario, note = load_results_scenario(folder, results.manifest, sources_root=sources_root)
    if note is not None:
        typer.echo(note, err=True)  # a warning: printed with -q too
    elif scenario is not None:
        output.detail(f"scenario reloaded from {scenario.path}")
    for path in plot_all(results, scenario, folder / "figures", fmt=fmt):
        output.say(f"Wrote {path}")
