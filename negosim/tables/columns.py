"""The column schema of the runs and trajectories tables: name, dtype and meaning, in one place.

:func:`negosim.core.frames.runs_frame` and :func:`~negosim.core.frames.trajectories_frame` build
the tables; this module says what their columns are, for the docs to cite and a test to check
against a simulation.  A name with ``<ACTOR>``, ``<PACKAGE>`` or ``<ISSUE>`` stands for one column
per actor, package or issue of the scenario, in file order.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = [
    "RUNS_COLUMNS",
    "SWEEP_COLUMNS",
    "TRAJECTORY_COLUMNS",
    "Column",
    "expected_columns",
    "trajectory_variables",
]


@dataclass(frozen=True)
class Column:
    """One column (or one family of columns, ``utility_<ACTOR>``) of a results table.

    Attributes
    ----------
    name
        The column's name; ``<ACTOR>``, ``<PACKAGE>`` or ``<ISSUE>`` marks a family.
    dtype
        Its pandas dtype as ``str(series.dtype)`` prints it.
    meaning
        What it holds.
    """

    name: str
    dtype: str
    meaning: str

    @property
    def family(self) -> str | None:
        """``"actors"``, ``"packages"`` or ``"issues"`` for a family of columns, else ``None``."""
        for marker, family in (("<ACTOR>", "actors"), ("<PACKAGE>", "packages")):
            if marker in self.name:
                return family
        return "issues" if "<ISSUE>" in self.name else None

    @property
    def prefix(self) -> str:
        """The name before its marker (``utility_``), or the whole name."""
        return self.name.split("<", 1)[0]


RUNS_COLUMNS: tuple[Column, ...] = (
    Column("run", "int64", "run id, 0 to runs - 1"),
    Column("block", "int64", "the replicate block the run was played in"),
    Column("replicate", "int64", "the run's index in its block"),
    Column("seed", "int64", "the master seed"),
    Column("issue", "string", "issue id; one row per run x issue, issues in file order"),
    Column("package", "string", "the package the issue is negotiated in"),
    Column(
        "outcome",
        "string",
        "option id of the outcome the issue ends with: the one agreed, or without a deal the one "
        "an actor's fallback imposes, else the status quo; missing for continuous",
    ),
    Column("value", "float64", "place of that outcome on the issue's 0-100 scale"),
    Column("agreed", "bool", "the issue's package was agreed (and ratified)"),
    Column(
        "end_reason",
        "string",
        "how the package ended: agreement, breakdown, ratification_failed, deadline or forecast",
    ),
    Column(
        "end_round",
        "int64",
        "the round the package ended in, 1 first (as --explain counts: round 1 is the calendar's "
        "start)",
    ),
    Column("end_date", "datetime64[ms]", "the date of that round"),
    Column(
        "run_end_reason",
        "string",
        "agreement if every package agreed, breakdown if any broke down, else deadline",
    ),
    Column(
        "inefficient_failure",
        "boolean",
        "the package was not agreed although, while it was open, some package was worth at "
        "least its fallback to every actor (missing for models that do not tell)",
    ),
    Column("utility_<ACTOR>", "float64", "the actor's utility of its package's outcome"),
    Column("fallback_<ACTOR>", "bool", "the actor's fallback plays out in the run"),
)

SWEEP_COLUMNS: tuple[Column, ...] = (
    Column("point", "int64", "design point id (sweeps only)"),
    Column("<FACTOR>", "", "one column per swept factor, named by its dotted path (sweeps only)"),
)

TRAJECTORY_COLUMNS: tuple[Column, ...] = (
    Column("run", "int64", "run id"),
    Column("round", "int64", "the round, 1 first (as end_round and --explain count)"),
    Column("date", "datetime64[ms]", "the round's date"),
    Column("actor", "string", "actor id; one row per run x round x actor"),
    Column(
        "aspiration_<PACKAGE>",
        "float64",
        "the utility (0-1) the actor holds out for on the package; empty once it has ended",
    ),
    Column(
        "ideal_<ISSUE>",
        "float64",
        "the actor's ideal point (0-100) on the issue; empty once the run's talks have ended",
    ),
    Column(
        "belief_<ACTOR>",
        "float64",
        "the median of what the row's actor believes the other actor's bottom line (reservation "
        "value, 0-1) on the first package is, after the round; its own for itself; empty once "
        "that package has ended or when the model keeps no beliefs",
    ),
    Column("belief_low_<ACTOR>", "float64", "the 5 % point of that belief"),
    Column("belief_high_<ACTOR>", "float64", "the 95 % point of that belief"),
)


def expected_columns(
    schema: tuple[Column, ...],
    *,
    actors: list[str] | tuple[str, ...] = (),
    packages: list[str] | tuple[str, ...] = (),
    issues: list[str] | tuple[str, ...] = (),
) -> dict[str, str]:
    """The columns (name -> dtype) a table of ``schema`` has for these actor, package and issue
    ids, in table order (each family expanded in the order of its ids)."""
    ids = {"actors": actors, "packages": packages, "issues": issues}
    out: dict[str, str] = {}
    for column in schema:
        family = column.family
        if family is None:
            out[column.name] = column.dtype
        else:
            for item in ids[family]:
                out[f"{column.prefix}{item}"] = column.dtype
    return out


def trajectory_variables(trajectories: pd.DataFrame | None) -> list[str]:
    """The per-package and per-issue columns of a trajectories table (``aspiration_<PACKAGE>``,
    ``ideal_<ISSUE>``), in table order; none without a table.  (The ``belief_*`` columns are
    per pair of actors and are not drawn one figure each.)"""
    if trajectories is None:
        return []
    prefixes = tuple(c.prefix for c in TRAJECTORY_COLUMNS if c.family in ("packages", "issues"))
    return [str(c) for c in trajectories.columns if str(c).startswith(prefixes)]
