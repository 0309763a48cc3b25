"""``negosim backtest``: the forecasting models scored on real decisions.

A thin edge over :func:`negosim.validation.splits.run_splits` (the headline: repeated random splits
by proposal) and :func:`negosim.validation.backtest.run_backtest` (the data README's odd/even
halves), which score the same forecasts; a mistake the user can make raises
:class:`~negosim.errors.UsageError`, which the CLI prints with exit 2.
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

    from negosim.validation.splits import SplitResults

__all__ = [
    "BACKTEST_DATASETS",
    "CAPABILITIES",
    "backtest_command",
    "print_backtest",
    "print_splits",
]

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
    splits: Annotated[
        int, typer.Option(help="Random splits by proposal (half trains, half is held out).")
    ] = 200,
    seed: Annotated[int, typer.Option(help="Seed of the splits and the bootstraps.")] = 0,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write backtest.csv, backtest_splits.csv, backtest_by_split.csv, backtest.png "
            "and backtest_halves.png here."
        ),
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
    if splits < 1:
        raise UsageError(f"--splits must be at least 1 (got {splits})")
    if seed < 0:
        raise UsageError(f"--seed must be a whole number >= 0 (got {seed})")
    if out is not None:
        from negosim.io import ensure_folder

        ensure_folder(out)  # refused in one line before the work, not after it
    import numpy as np

    from negosim.validation.backtest import run_backtest
    from negosim.validation.deu3 import load_deu3
    from negosim.validation.forecasters import prepare_models, resolve_models
    from negosim.validation.splits import check_splits_memory, run_splits

    names = split_names(models, "--models")
    output.detail(f"scoring {', '.join(names or ['every backtest model'])} on {dataset}")
    data = load_deu3()
    # Refused before the models run (seconds), not after.
    check_splits_memory(len(resolve_models(names)), splits, boot, data)
    prepared = prepare_models(names, data, capability)  # type: ignore[arg-type]  # checked above
    by_splits = run_splits(n_splits=splits, n_boot=boot, seed=seed, data=data, prepared=prepared)
    table = run_backtest(n_boot=boot, rng=np.random.default_rng(seed), data=data, prepared=prepared)
    if output.tables:
        print_splits(by_splits, dataset=dataset, capability=capability)
        print_backtest(table, dataset=dataset, capability=capability, boot=boot)
    written: list[str] = []
    if out is not None:
        from negosim.io import write_text_atomic
        from negosim.plots.all import save_figure
        from negosim.validation.plot import plot_backtest, plot_splits

        frames = {
            "backtest.csv": table,
            "backtest_splits.csv": by_splits.summary,
            "backtest_by_split.csv": by_splits.by_split,
        }
        for name, frame in frames.items():
            written.append(str(write_text_atomic(out / name, frame.to_csv(index=False))))
        written.append(str(save_figure(plot_splits(by_splits), out / "backtest.png")))
        written.append(str(save_figure(plot_backtest(table), out / "backtest_halves.png")))
        for path in written:
            output.say(f"Wrote {path}")
    if json:
        from negosim.cli.documents import backtest_document

        document = backtest_document(
            table, dataset=dataset, capability=capability, boot=boot, files=written
        )
        document["splits"] = {
            "n_splits": splits,
            "seed": seed,
            "held_out": "half of the proposals, rounded up; the other half trains",
            "mdd": "2.80 x the bootstrap SE of the pooled held-out difference (5 %, 80 % power)",
            "summary": [
                {str(k): (str(v) if k in ("model", "params") else v) for k, v in row.items()}
                for row in by_splits.summary.to_dict(orient="records")
            ],
        }
        output.document(document)


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
        title=f"The data README's fixed split: {BACKTEST_DATASETS[dataset]}, mean absolute "
        "error on 0-100",
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


def print_splits(results: SplitResults, *, dataset: str, capability: str) -> None:
    """Print :func:`~negosim.validation.splits.run_splits` output as a rich table.

    One row per model: its median held-out MAE over the splits; its held-out difference from the
    compromise baseline over the splits, median [5 %, 95 %] (negative: better than the baseline);
    the share of splits where it is better; the pooled held-out difference with its 95 % paired
    bootstrap interval and minimum detectable difference; the issues scored.  Then what each
    tuned model chose most often.
    """
    from rich.console import Console
    from rich.table import Table

    def signed(value: float) -> str:
        return f"{0.0 if abs(value) < 5e-3 else value:+.2f}"

    console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 140)
    shown = Table(
        title=f"{BACKTEST_DATASETS[dataset]}: held-out mean absolute error on 0-100, "
        f"{results.n_splits:,} random splits by proposal",
        title_justify="left",
        caption=(
            "Each split trains on half of the proposals (tuned models choose there) and holds out "
            "the rest. Pooled: each issue's held-out difference averaged over the splits holding "
            f"it out; 95% interval from {results.n_boot:,} paired bootstrap replicates over "
            "proposals. MDD: the difference a 5% test detects with 80% power. "
            f"Capability = {capability}; seed {results.seed}."
        ),
        caption_justify="left",
    )
    columns = ("model", "held-out MAE", "− compromise [5%, 95%]", "better in")
    for column in (*columns, "pooled − compromise [95%]", "MDD", "issues"):
        shown.add_column(column, justify="left" if column == "model" else "right")
    notes = []
    for row in results.summary.to_dict(orient="records"):
        shown.add_row(
            str(row["model"]),
            f"{row['mae']:.2f}",
            f"{signed(row['diff_median'])} [{signed(row['diff_p05'])}, {signed(row['diff_p95'])}]",
            f"{row['share_better']:.0%}",
            f"{signed(row['pooled_diff'])} [{signed(row['pooled_low'])}, "
            f"{signed(row['pooled_high'])}]",
            f"{row['mdd']:.2f}",
            str(int(row["n_issues"])),
        )
        if "splits" in str(row["params"]):
            notes.append(f"  {row['model']}: {row['params']}")
    console.print(shown)
    if notes:
        console.print("Most frequent choice of each tuned model:\n" + "\n".join(notes))
    console.print()
