"""``negosim plot``: every figure that a results folder supports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from negosim.errors import UsageError

__all__ = ["plot_command"]


def plot_command(
    folder: Annotated[Path, typer.Argument(help="A results folder (negosim run or sweep --out).")],
    fmt: Annotated[str, typer.Option("--format", help="png, svg or pdf.")] = "png",
) -> None:
    """Write every figure that the results in FOLDER support, into FOLDER/figures.

    The tables are checked against the checksums written with them first; the figures replace
    FOLDER/figures as one set.
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
    scenario_path = results.manifest.get("scenario", {}).get("path")
    scenario = None
    if scenario_path and Path(scenario_path).is_file():
        scenario = load_scenario(scenario_path)
    else:
        typer.echo(f"note: scenario file {scenario_path!r} not found; plots use ids", err=True)
    for path in plot_all(results, scenario, folder / "figures", fmt=fmt):
        typer.echo(f"Wrote {path}")
