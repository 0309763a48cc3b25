"""``negosim plot``: every figure that a results folder supports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from negosim.cli.options import SourcesRoot
from negosim.errors import ScenarioError, UsageError

__all__ = ["plot_command"]


def plot_command(
    folder: Annotated[Path, typer.Argument(help="A results folder (negosim run or sweep --out).")],
    fmt: Annotated[str, typer.Option("--format", help="png, svg or pdf.")] = "png",
    sources_root: SourcesRoot = None,
) -> None:
    """Write every figure that the results in FOLDER support, into FOLDER/figures.

    The tables are checked against the checksums written with them first; the figures replace
    FOLDER/figures as one set.  The scenario is reloaded (for labels) with the --sources-root the
    results were made with, recorded in their manifest, unless --sources-root names another.
    """
    from negosim.plots import plot_all
    from negosim.scenario import load_scenario
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
    recorded = results.manifest.get("scenario", {})
    scenario_path = recorded.get("path")
    root = sources_root if sources_root is not None else recorded.get("sources_root")
    scenario = None
    if scenario_path and Path(scenario_path).is_file():
        # The manifest names the file, and a manifest may come from anyone: the scenario is used
        # only if it is the very file the results were made from, and a file that does not load
        # is never echoed (its validation errors would print its content).
        try:
            candidate = load_scenario(scenario_path, sources_root=root)
        except ScenarioError:
            candidate = None
        if candidate is not None and candidate.sha256 == recorded.get("sha256"):
            scenario = candidate
        else:
            typer.echo(
                f"note: scenario file {scenario_path!r} is not the one these results were made "
                "from, or no longer loads (run `negosim validate` on it); plots use ids",
                err=True,
            )
    else:
        typer.echo(f"note: scenario file {scenario_path!r} not found; plots use ids", err=True)
    for path in plot_all(results, scenario, folder / "figures", fmt=fmt):
        typer.echo(f"Wrote {path}")
