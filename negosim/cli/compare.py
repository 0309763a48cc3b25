"""``negosim compare``: several decision models on one scenario, side by side.

A thin edge over :func:`negosim.simulation.compare.run_models`; a mistake the user can make raises
:class:`~negosim.errors.UsageError`, which the CLI prints with exit 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from negosim.cli.options import Json, Output, Quiet, SourcesRoot, Verbose, split_names

if TYPE_CHECKING:
    import pandas as pd

    from negosim.scenario.schema import Scenario
    from negosim.tables.results import Results

__all__ = ["compare_command", "red_line_caveat"]


def compare_command(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    models: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated models, e.g. bargaining,compromise,nash "
            "(default: every registered model that can run the scenario)."
        ),
    ] = None,
    runs: Annotated[
        int | None, typer.Option(help="Runs per model (default: the scenario's).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Master seed (default: the scenario's).")] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write runs.parquet (every model's runs), compare.parquet, one comparison "
            "figure per issue and a manifest here (negosim plot OUT redraws them)."
        ),
    ] = None,
    sources_root: SourcesRoot = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    json: Json = False,
) -> None:
    """Run several decision models on one scenario and show their outcomes side by side."""
    from negosim.cli.report import print_comparison
    from negosim.models.registry import get_model
    from negosim.scenario import load_scenario
    from negosim.simulation.compare import (
        comparison_table,
        red_line_breaches,
        run_models,
        supported_models,
    )

    output = Output(quiet=quiet, verbose=verbose, json=json)
    scenario = load_scenario(file, sources_root=sources_root)
    if out is not None:
        from negosim.io import ensure_folder

        ensure_folder(out)  # refused in one line before the work, not after it
    names = split_names(models, "--models")
    if names is None:
        names, skipped = supported_models(scenario)
        for name, why in skipped.items():
            output.note(f"skipping {name}: {why}")
    output.detail(f"models: {', '.join(names)}")
    results = run_models(scenario, names, runs=runs, seed=seed)
    table = comparison_table(results)
    if output.tables:
        print_comparison(scenario, table)
    n_runs = next(iter(results.values())).manifest["runs"]
    seed_used = next(iter(results.values())).manifest["seed"]
    output.say(f"{n_runs:,} runs per model, seed {seed_used}; the same draws under every model.")
    timeless = [n for n in results if not get_model(n).supports.deadlines]
    if timeless:
        output.say(
            f"{', '.join(timeless)}: forecasting models; they ignore the calendar (rounds, "
            "events, deadlines), red lines and fallbacks, and forecast one outcome per run from "
            "the actors' stated stances."
        )
    breaches = red_line_breaches(scenario, results)
    for line in red_line_caveat(scenario, breaches):
        output.say(line)
    written: list[str] = []
    if out is not None:
        written = _write_folder(out, scenario, results, table)
        for path in written:
            output.say(f"Wrote {path}")
        output.say(f"Redraw the figures with: negosim plot {out}")
    if json:
        from negosim.cli.documents import comparison_document

        document = comparison_document(scenario, table, runs=n_runs, seed=seed_used, files=written)
        document["red_lines"] = [
            {k: row[k] for k in ("model", "count", "runs", "probability", "low", "high")}
            | {
                "breaches": [
                    dict(zip(("actor", "issue", "outcome"), b, strict=True))
                    for b in row["breaches"]
                ]
            }
            for row in breaches.to_dict(orient="records")
        ]
        output.document(document)


def red_line_caveat(scenario: Scenario, breaches: pd.DataFrame) -> list[str]:
    """The lines ``compare`` prints under its table: each model's share of runs agreed outside
    a stated red line, and the most frequent such outcome."""
    if not any(stance.red_line for a in scenario.actors.values() for stance in a.stances.values()):
        return []
    parts = []
    for row in breaches.to_dict(orient="records"):
        share = f"{row['model']} {100 * float(row['probability']):.1f}%"
        if row["breaches"]:
            actor_id, issue_id, outcome = row["breaches"][0]
            issue = scenario.issues[issue_id]
            options = issue.options or {}
            what = options[outcome].label if outcome in options else outcome
            whose = scenario.actors[actor_id].name
            share += f" (most often {whose}'s red line on {issue.label}: {what})"
        parts.append(share)
    return [
        "Runs agreed outside an actor's stated red line (an outcome it never agrees to): "
        + "; ".join(parts)
        + "."
    ]


def _write_folder(
    out: Path, scenario: Scenario, results: dict[str, Results], table: pd.DataFrame
) -> list[str]:
    """Write the runs of every model (``runs.parquet``, a ``model`` column), the comparison
    table, one figure per issue, the scenario's copy and, last, a manifest listing them with
    their SHA-256: ``negosim plot OUT`` reads the folder as results of several models."""
    from negosim.io import file_sha256
    from negosim.plots import plot_model_comparison
    from negosim.plots.all import save_figure
    from negosim.simulation.snapshot import read_scenario_copy
    from negosim.tables.results import comparison_runs, write_manifest, write_parquet_atomic

    written: list[str] = []
    files = {}
    for name, frame in (("runs.parquet", comparison_runs(results)), ("compare.parquet", table)):
        path = write_parquet_atomic(out / name, frame)
        files[name] = {"sha256": file_sha256(path), "rows": len(frame)}
        written.append(str(path))
    for issue_id in scenario.issues:
        ax = plot_model_comparison(results, issue_id, scenario=scenario)
        written.append(str(save_figure(ax, out / f"compare_{issue_id}.png")))
    first = next(iter(results.values())).manifest
    manifest = {**first, "kind": "compare", "models": list(results), "files": files}
    manifest["model"] = {"name": "compare", "models": list(results)}
    copy = read_scenario_copy(scenario)
    if copy is not None:
        copy.write(out)
        manifest["scenario"] = {**first.get("scenario", {}), **copy.manifest_entry()}
    written.append(str(write_manifest(out, manifest)))
    return written
