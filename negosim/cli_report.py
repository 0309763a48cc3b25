"""Terminal output of ``negosim run``: a progress bar and the summary tables (rich)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from negosim.results.results import Results
from negosim.results.summary import agreement_summary, fallback_probabilities, outcome_probabilities
from negosim.scenario.schema import Scenario

__all__ = ["print_run_summary", "progress_bar"]


@contextlib.contextmanager
def progress_bar(total: int) -> Iterator[Callable[[int], None]]:
    """A transient progress bar on stderr for runs that take a while; yields ``advance(done)``."""
    if total < 5000 or not sys.stderr.isatty():
        yield lambda done: None
        return
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


def _pct(p: Any) -> str:
    return f"{100 * float(p):5.1f}%"


def print_run_summary(scenario: Scenario, results: Results, folder: Path) -> None:
    """Print outcome probabilities per issue, agreement and breakdown, fallbacks, and outputs."""
    console = Console(highlight=False, soft_wrap=True)
    runs = results.runs
    n = runs["run"].nunique()
    deadline = (
        ", ".join(f"{d.label} ({d.date})" for d in scenario.deadlines.values() if d.ends_talks)
        or f"calendar end ({scenario.calendar.end})"
    )
    console.print(
        f"[bold]{scenario.metadata.title}[/bold]\n"
        f"{n:,} runs, seed {results.manifest['seed']}, model {results.manifest['model']['name']}; "
        f"deadline: {deadline}"
    )
    table = Table(title="Outcome by the deadline (95% intervals)", title_justify="left")
    for column in ("issue", "outcome", "probability", "95% interval"):
        table.add_column(
            column, justify="right" if column != "issue" and column != "outcome" else "left"
        )
    probs = outcome_probabilities(runs)
    for issue_id, group in probs.groupby("issue", sort=False):
        issue = scenario.issues[str(issue_id)]
        for i, row in enumerate(group.itertuples()):
            if not row.agreed:
                label = "no agreement"
            elif issue.kind == "continuous":
                label = "agreed value"
            else:
                label = issue.options[str(row.outcome)].label
            table.add_row(
                issue.label if i == 0 else "",
                label,
                _pct(row.probability),
                f"{_pct(row.low)} - {_pct(row.high)}",
            )
    console.print(table)
    continuous = [k for k, v in scenario.issues.items() if v.kind == "continuous"]
    for issue_id in continuous:
        agreed = runs[(runs["issue"] == issue_id) & runs["agreed"]]["value"]
        if len(agreed):
            q = agreed.quantile([0.05, 0.5, 0.95])
            console.print(
                f"{scenario.issues[issue_id].label}: agreed value median {q[0.5]:.1f} "
                f"(90% of agreements between {q[0.05]:.1f} and {q[0.95]:.1f})"
            )
    summary = agreement_summary(runs)
    ends = Table(title="How the talks end", title_justify="left")
    for column in ("", "probability", "95% interval"):
        ends.add_column(column, justify="left" if not column else "right")
    for row in summary.itertuples():
        ends.add_row(str(row.what), _pct(row.probability), f"{_pct(row.low)} - {_pct(row.high)}")
    console.print(ends)
    median = summary.attrs.get("median_agreement_date")
    if median is not None:
        console.print(f"Median date of full agreement: {median.date()}")
    fallbacks = fallback_probabilities(runs)
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
    console.print(f"Wrote {folder}/runs.parquet and manifest.json")
