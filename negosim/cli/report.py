"""Terminal output of the commands: progress bars, summaries and tables (rich).

Nothing here reads files or computes results: the commands pass in what the library returned.
Rich, pandas and the tables are imported where they are used, so that ``negosim validate`` stays
quick.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from negosim.scenario.schema import Scenario
    from negosim.tables.counts import RunCounts
    from negosim.tables.results import Results

__all__ = [
    "EXIT_USAGE",
    "issue_order",
    "print_comparison",
    "print_run_summary",
    "print_sweep_summary",
    "progress_bar",
    "scenario_summary",
    "short_path",
    "sweep_progress",
]

EXIT_USAGE = 2
"""Exit status of a command that printed a mistake of the user's (a :class:`NegosimError`)."""


def scenario_summary(scenario: Scenario) -> str:
    """What ``negosim validate`` prints under a valid file: one indented line per section."""
    packages = sorted({issue.package for issue in scenario.issues.values()})
    n_quotes = len(scenario.evidence())
    n_assumptions = len(scenario.assumptions())
    parts = [
        f"{len(scenario.actors)} actors ({', '.join(a.name for a in scenario.actors.values())})",
        f"{len(scenario.officials)} officials",
        f"{len(scenario.issues)} issues in {len(packages)} package(s) ({', '.join(packages)})",
        f"{len(scenario.events)} events",
        f"{len(scenario.deadlines)} deadline(s)"
        + (
            " (" + ", ".join(f"{d.label} {d.date}" for d in scenario.deadlines.values()) + ")"
            if scenario.deadlines
            else ""
        ),
        f"{n_quotes} evidence quotes, all found in their sources",
        f"{n_assumptions} assumptions",
        f"calendar {scenario.calendar.start} to {scenario.calendar.end}, "
        f"{len(scenario.calendar.round_dates())} rounds of {scenario.calendar.round_days} days",
        f"model {scenario.engine.model}",
    ]
    return "\n".join("  " + p for p in parts)


@contextlib.contextmanager
def progress_bar(total: int) -> Iterator[Callable[[int], None]]:
    """A transient progress bar on stderr for runs that take a while; yields ``advance(done)``."""
    if total < 5000 or not sys.stderr.isatty():
        yield lambda done: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("running"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} runs"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task("runs", total=total)
        yield lambda done: progress.update(task, completed=done)


def _console() -> Console:
    """Stdout console; when piped, wide enough that tables do not wrap into unreadable cells."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 120)


def short_path(path: str) -> str:
    """``actors.russia.stances.guarantees.salience`` -> ``russia.guarantees.salience``."""
    parts = path.split(".")
    if parts[:1] == ["actors"]:
        parts = [p for i, p in enumerate(parts[1:]) if not (i == 1 and p == "stances")]
    return ".".join(parts)


def issue_order(scenario: Scenario) -> list[str]:
    """The scenario's issue ids as the summaries list them: packages together, in the order
    their first issue appears in the file, and the issues of a package in file order."""
    packages = dict.fromkeys(issue.package for issue in scenario.issues.values())
    return [i for p in packages for i, issue in scenario.issues.items() if issue.package == p]


def _pct(p: Any) -> str:
    return f"{100 * float(p):5.1f}%"


def print_run_summary(
    scenario: Scenario,
    counts: RunCounts,
    manifest: dict[str, Any],
    folder: Path,
    *,
    trajectories: bool = False,
) -> None:
    """Print outcome probabilities per issue, agreement and breakdown, fallbacks, and outputs.

    ``counts`` are the runs' counts folded part by part (:mod:`negosim.tables.counts`, with the
    agreed values of the continuous issues), ``manifest`` the results folder's manifest.
    """
    from rich.table import Table

    from negosim.tables.counts import (
        agreement_of,
        fallbacks_of,
        histogram_quantiles,
        outcomes_of,
    )
    from negosim.tables.outcomes import ending_words

    console = _console()
    n = counts.runs
    deadline = (
        ", ".join(f"{d.label} ({d.date})" for d in scenario.deadlines.values() if d.ends_talks)
        or f"calendar end ({scenario.calendar.end})"
    )
    console.print(
        f"[bold]{scenario.metadata.title}[/bold]\n"
        f"{n:,} runs, seed {manifest['seed']}, model {manifest['model']['name']}; "
        f"deadline: {deadline}"
    )
    table = Table(
        title="How each issue ends: agreed, or without a deal (95% intervals)",
        title_justify="left",
    )
    for column in ("issue", "outcome", "probability", "95% interval"):
        table.add_column(
            column, justify="right" if column != "issue" and column != "outcome" else "left"
        )
    probs = outcomes_of(counts)
    for issue_id in issue_order(scenario):
        group = probs[probs["issue"] == issue_id]
        for i, row in enumerate(group.itertuples()):
            table.add_row(
                scenario.issues[issue_id].label if i == 0 else "",
                ending_words(scenario, issue_id, row.outcome, bool(row.agreed)),
                _pct(row.probability),
                f"{_pct(row.low)} - {_pct(row.high)}",
            )
    console.print(table)
    continuous = [k for k, v in scenario.issues.items() if v.kind == "continuous"]
    for issue_id in continuous:
        if counts.agreed_rows.get(issue_id):
            low, mid, high = histogram_quantiles(counts.agreed_values[issue_id], [0.05, 0.5, 0.95])
            console.print(
                f"{scenario.issues[issue_id].label}: agreed value median {mid:.1f} "
                f"(90% of agreements between {low:.1f} and {high:.1f})"
            )
    summary = agreement_of(counts)
    ends = Table(title="How the talks end", title_justify="left")
    for column in ("", "probability", "95% interval"):
        ends.add_column(column, justify="left" if not column else "right")
    for row in summary.itertuples():
        ends.add_row(str(row.what), _pct(row.probability), f"{_pct(row.low)} - {_pct(row.high)}")
    console.print(ends)
    median = summary.attrs.get("median_agreement_date")
    if median is not None:
        console.print(f"Median date of full agreement: {median.date()}")
    fallbacks = fallbacks_of(counts)
    fb = Table(title="Fallbacks that play out", title_justify="left")
    for column in ("actor", "fallback", "probability", "95% interval"):
        fb.add_column(
            column, justify="right" if column in ("probability", "95% interval") else "left"
        )
    for row in fallbacks.itertuples():
        actor = scenario.actors[str(row.actor)]
        fb.add_row(
            actor.name,
            actor.fallback.description,
            _pct(row.probability),
            f"{_pct(row.low)} - {_pct(row.high)}",
        )
    console.print(fb)
    written = ["runs.parquet"]
    if (folder / "trajectories.parquet").exists() and trajectories:
        written.append("trajectories.parquet")
    for name in ("draws.parquet", "scenario/"):
        if (folder / name).exists():
            written.append(name)
    console.print(f"Wrote {folder}/{', '.join(written)} and manifest.json")


@contextlib.contextmanager
def sweep_progress(*, shown: bool = True) -> Iterator[Callable[[int, int], None]]:
    """A progress bar for sweeps (runs done, runs/s, time left); yields ``advance(done, total)``.
    Nothing is drawn unless ``shown`` and stderr is a terminal."""
    if not shown or not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("sweeping"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.completed:,}/{task.total:,} runs"),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task("runs", total=None, rate="")
        start = time.perf_counter()
        first: list[int] = []

        def advance(done: int, total: int) -> None:
            if not first:
                first.append(done)  # runs already on disk when resuming
            elapsed = max(time.perf_counter() - start, 1e-9)
            rate = (done - first[0]) / elapsed
            progress.update(task, completed=done, total=total, rate=f"{rate:,.0f} runs/s")

        yield advance


def print_sweep_summary(
    scenario: Scenario,
    results: Results,
    folder: Path,
    *,
    ends: pd.DataFrame,
    design: pd.DataFrame,
    parts: int,
) -> None:
    """Per design point: the factor values, P(full agreement) and P(breakdown).

    ``ends`` is :meth:`~negosim.sweeps.store.SweepStore.end_counts` of the sweep's folder,
    ``design`` its design table and ``parts`` the number of parts written.
    """
    from rich.table import Table

    from negosim.tables.summary import wilson_interval

    console = _console()
    info = results.manifest
    console.print(
        f"[bold]{scenario.metadata.title}[/bold]\n"
        f"{info['points']} design points x {info['runs_per_point']:,} runs, seed {info['seed']}, "
        f"model {info['model']['name']}"
    )
    table = Table(title="By design point (95% intervals)", title_justify="left")
    table.add_column("point", justify="right")
    for factor in design.columns:
        table.add_column(short_path(str(factor)), justify="right")
    for column in ("P(agreement)", "95% interval", "P(breakdown)"):
        table.add_column(column, justify="right")
    shown = ends[["runs", "agreements", "breakdowns"]].head(40)
    for row in shown.itertuples():
        point, n, agree, broke = (int(x) for x in row)
        low, high = wilson_interval(agree, n)
        values = [f"{v:.4g}" if isinstance(v, float) else str(v) for v in design.loc[point]]
        table.add_row(
            str(point), *values, _pct(agree / n), f"{_pct(low)} - {_pct(high)}", _pct(broke / n)
        )
    console.print(table)
    if len(ends) > len(shown):
        console.print(f"... and {len(ends) - len(shown)} more points")
    console.print(f"Wrote {folder}/runs/ ({parts} parts), design.parquet, manifest.json")


def print_comparison(scenario: Scenario, table: pd.DataFrame) -> None:
    """One row per way an issue ends (agreed on an option, or without a deal), one column per
    model: the probability by the deadline with its 95% interval."""
    from rich.table import Table

    from negosim.tables.outcomes import ending_words
    from negosim.tables.summary import wilson_interval

    console = _console()
    models = list(dict.fromkeys(table["model"]))
    out = Table(
        title="How each issue ends, by model (probability, 95% interval)", title_justify="left"
    )
    out.add_column("issue")
    out.add_column("outcome")
    for model in models:
        out.add_column(model, justify="right")
    for issue_id in issue_order(scenario):
        issue = scenario.issues[issue_id]
        rows = table[table["issue"] == issue_id]
        options: list[str | None] = list(issue.options) if issue.kind != "continuous" else [None]
        seen = [o if isinstance(o, str) else None for o in rows.loc[~rows["agreed"], "outcome"]]
        keys = [(o, True) for o in options] + [(o, False) for o in dict.fromkeys(seen)]
        for n, (option, agreed) in enumerate(keys):
            cells = []
            for model in models:
                theirs = rows[rows["model"] == model]
                mine = theirs[theirs["agreed"] == agreed]
                mine = mine[mine["outcome"].isna() if option is None else mine["outcome"] == option]
                count = int(mine["count"].sum())
                runs = int(theirs["runs"].iloc[0]) if len(theirs) else 0
                low, high = wilson_interval(count, runs)
                share = count / runs if runs else float("nan")
                cells.append(f"{100 * share:.1f}% ({100 * low:.1f}-{100 * high:.1f})")
            words = ending_words(scenario, issue_id, option, agreed)
            out.add_row(issue.label if n == 0 else "", words, *cells)
    console.print(out)
