"""``negosim backtest``: the forecasting models scored on real decisions.

A thin edge over :func:`negosim.validation.backtest.run_backtest`; a mistake the user can make
raises :class:`~negosim.errors.UsageError`, which the CLI prints with exit 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from negosim.cli.options import Json, Output, Quiet, Verbose, split_names
from negosim.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BACKTEST_DATASETS", "CAPABILITIES", "backtest_command", "print_backtest"]

BACKTEST_DATASETS = {"deu3": "DEU III, 353 EU legislative issues (Arregui & Perarnaud 2021)"}
CAPABILITIES = ("gdp", "council", "shapley_shubik")


def backtest_command(
    dataset: Annotated[str, typer.Argument(help="Validation data set: deu3.")] = "deu3",
    capability: Annotated[
        str, typer.Option(help="Capability measure: gdp, council or shapley_shubik.")
    ] = "gdp",
    boot: Annotated[int, typer.Option(help="Bootstrap replicates (resampling proposals).")] = 2000,
    models: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated backtest models (default: all; the compromise "
            "baseline is always included)."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    out: Annotated[
        Path | None, typer.Option(help="Write backtest.csv and backtest.png here.")
    ] = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
    json: Json = False,
) -> None:
    """Score the forecasting models on real decisions, beside the compromise baseline."""
    output = Output(quiet=quiet, verbose=verbose, json=json)
    if dataset not in BACKTEST_DATASETS:
        raise UsageError(
            f"unknown data set {dataset!r} (known: {', '.join(sorted(BACKTEST_DATASETS))})"
        )
    if capability not in CAPABILITIES:
        raise UsageError(
            f"--capability must be one of {', '.join(CAPABILITIES)} (got {capability!r})"
        )
    if boot < 1:
        raise UsageError(f"--boot must be at least 1 (got {boot})")
    if seed < 0:
        raise UsageError(f"--seed must be a whole number >= 0 (got {seed})")
    if out is not None:
        from negosim.io import ensure_folder

        ensure_folder(out)  # refused in one line before the work, not after it
    import numpy as np

    from negosim.validation.backtest import run_backtest

    names = split_names(models, "--models")
    output.detail(f"scoring {', '.join(names or ['every backtest model'])} on {dataset}")
    table = run_backtest(
        names,
        capability=capability,  # type: ignore[arg-type]  # checked against CAPABILITIES above
        n_boot=boot,
        rng=np.random.default_rng(seed),
    )
    if output.tables:
        print_backtest(table, dataset=dataset, capability=capability, boot=boot)
    written: list[str] = []
    if out is not None:
        from negosim.io import write_text_atomic
        from negosim.plots.all import save_figure
        from negosim.validation.plot import plot_backtest

        written.append(str(write_text_atomic(out / "backtest.csv", table.to_csv(index=False))))
        written.append(str(save_figure(plot_backtest(table), out / "backtest.png")))
        for path in written:
            output.say(f"Wrote {path}")
    if json:
        from negosim.cli.documents import backtest_document

        output.document(
            backtest_document(
                table, dataset=dataset, capability=capability, boot=boot, files=written
            )
        )


def print_backtest(table: pd.DataFrame, *, dataset: str, capability: str, boot: int) -> None:
    """Print :func:`~negosim.validation.backtest.run_backtest` output as a rich table.

    One row per model: MAE with its 95% bootstrap interval on the odd (tuning) half, the even
    (held-out) half and overall, the paired difference to the compromise baseline on the even
    half (negative: better than the baseline) and the number of issues scored; then each model's
    reported parameters.
    """
    from rich.console import Console
    from rich.table import Table

    def interval(cell: dict[Any, Any], column: str, sign: str = "") -> str:
        values = [float(cell[c]) for c in (column, f"{column}_low", f"{column}_high")]
        values = [0.0 if abs(v) < 5e-3 else v for v in values]  # no "-0.00"
        return f"{values[0]:{sign}.2f} [{values[1]:{sign}.2f}, {values[2]:{sign}.2f}]"

    console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 140)
    shown = Table(
        title=f"{BACKTEST_DATASETS[dataset]}: mean absolute error on 0-100",
        title_justify="left",
        caption=(
            f"95% intervals from {boot:,} bootstrap replicates over proposals; capability = "
            f"{capability}. Tune on the odd half only; quote the even half."
        ),
        caption_justify="left",
    )
    for column in ("model", "odd (tuning)", "even (held out)", "all", "even − compromise"):
        shown.add_column(column, justify="left" if column == "model" else "right")
    shown.add_column("issues", justify="right")
    notes = []
    for model, group in table.groupby("model", sort=False):
        cells = {str(half): dict(row) for half, row in group.set_index("half").iterrows()}
        shown.add_row(
            str(model),
            interval(cells["odd"], "mae"),
            interval(cells["even"], "mae"),
            interval(cells["all"], "mae"),
            interval(cells["even"], "diff", "+"),
            str(int(cells["all"]["n_issues"])),
        )
        if cells["even"]["params"]:
            notes.append(f"  {model}: {cells['even']['params']}")
    console.print(shown)
    if notes:
        console.print("Parameters:\n" + "\n".join(notes))
