"""Every size limit and memory budget of negosim, in one place.

A scenario file, a command line or an API call can ask for work that grows with a number the user
chose: actors, options, the combinations of a package, runs, design points, worker processes.
Each such number is counted here exactly (with Python integers, which never wrap around) and
refused before any work starts when it passes the limit below, so that ``negosim validate``,
``run``, ``compare`` and ``sweep`` refuse the same things with the same message.  The limits are
documented in ``docs/scenario-format.md`` (section *Limits*).

Fixed limits bound counts; the **memory budget** bounds what an allocation is estimated to take.
It is 4 GiB unless the environment variable ``NEGOSIM_MEMORY_BUDGET`` says otherwise (a number of
bytes, or a size such as ``512M``, ``8G`` or ``1.5GiB``; binary units).

This module imports nothing from negosim but the errors, so that every layer can read it.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any

from negosim.errors import UsageError

__all__ = [
    "DEFAULT_COMBINATIONS",
    "DEFAULT_MEMORY_BUDGET",
    "MAX_BLOCK_SIZE",
    "MAX_DESIGN_POINTS",
    "MAX_RUNS",
    "MAX_SWEEP_TASKS",
    "MEMORY_BUDGET_ENV",
    "MODEL_COMBINATIONS",
    "SCENARIO_COUNTS",
    "SCENARIO_MAX_BYTES",
    "SOURCE_MAX_BYTES",
    "WORKER_BYTES",
    "YAML_MAX_DEPTH",
    "YAML_MAX_NODES",
    "block_bytes",
    "check_design_points",
    "check_expected_utility",
    "check_memory",
    "check_workers",
    "combination_limit",
    "expected_utility_bytes",
    "forecast_bytes",
    "format_bytes",
    "format_count",
    "grid_points",
    "max_workers",
    "memory_budget",
    "oversized_packages",
    "package_combinations",
    "package_message",
    "package_sizes",
    "results_bytes",
]

# --- scenario files -------------------------------------------------------------------------

SCENARIO_MAX_BYTES = 256 * 1024
"""Largest scenario file read.  It bounds the parse, which is pure Python (ruamel.yaml in
round-trip mode, for the line numbers): measured 0.5-4 s per 100 KB depending on the shape, so
a file at the limit parses in at most about 11 s (flow nesting 40 deep throughout; under 7 s for
any other shape), while a realistic 15-actor x 13-issue scenario with quotes is about 124 KB
(0.6 s)."""
YAML_MAX_NODES = 200_000
"""Most values a YAML document may expand to (aliases included): stops alias bombs."""
YAML_MAX_DEPTH = 40
"""Deepest nesting of a YAML document."""
SOURCE_MAX_BYTES = 5 * 1024 * 1024
"""Largest source document a quote is checked against."""

SCENARIO_COUNTS: Mapping[str, int] = {
    "actors": 40,
    "issues": 40,
    "options": 50,  # per issue
    "officials": 400,
    "events": 400,
    "deadlines": 50,
    "sources": 200,
    "rounds": 1000,
    "calendar_days": 36_525,  # 100 years from calendar.start to calendar.end
}
"""Most entries of each kind a scenario may hold (``options`` counts per issue)."""

# --- packages -------------------------------------------------------------------------------

DEFAULT_COMBINATIONS = 50_000
"""Most combinations of options in one package that a model enumerates, unless it declares its
own limit in :data:`MODEL_COMBINATIONS`."""

MODEL_COMBINATIONS: Mapping[str, int] = {
    # The bargaining engine keeps about eight (combinations x actors) grids per replicate.
    "bargaining": 50_000,
    # The forecasting models score every combination of a package for every replicate and
    # actor; their memory is bounded separately by the budget (see forecast_bytes).
    "compromise": 50_000,
    "exchange": 50_000,
    "expected_utility": 50_000,
    "nash": 50_000,
}
"""Each shipped model's limit on the combinations of one package."""

ENGINE = "bargaining"

# --- runs, designs, workers -----------------------------------------------------------------

MAX_RUNS = 100_000_000
"""Most runs of one simulation (or per design point of a sweep)."""
MAX_BLOCK_SIZE = 100_000
"""Most replicates in one block."""
MAX_DESIGN_POINTS = 100_000
"""Most points of a sweep's design (a grid's combinations, a Latin hypercube's ``n``, the
``num`` of one ``--vary start:stop:num``): each point's scenario is built and checked up front."""
MAX_SWEEP_TASKS = 1_000_000
"""Most blocks of a sweep (design points x blocks per point): each is one Parquet part on disk."""
WORKER_BYTES = 256 * 2**20
"""What one worker process is reckoned to take (a Python with numpy, pandas and Mesa loaded)."""

# --- memory ---------------------------------------------------------------------------------

MEMORY_BUDGET_ENV = "NEGOSIM_MEMORY_BUDGET"
DEFAULT_MEMORY_BUDGET = 4 * 2**30

_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)


def memory_budget() -> int:
    """The memory budget in bytes: ``NEGOSIM_MEMORY_BUDGET`` if set, else 4 GiB.

    Raises
    ------
    UsageError
        If the variable is set to something that is not a positive size.
    """
    text = os.environ.get(MEMORY_BUDGET_ENV, "").strip()
    if not text:
        return DEFAULT_MEMORY_BUDGET
    match = _SIZE.match(text)
    size = int(float(match.group(1)) * _UNITS[match.group(2).lower()]) if match else 0
    if size <= 0:
        raise UsageError(
            f"{MEMORY_BUDGET_ENV} must be a positive size such as 4G, 512M or 1073741824 "
            f"(got {text[:40]!r})"
        )
    return size


def format_bytes(n: int | float) -> str:
    """``1536`` -> ``'1.5 KiB'``; binary units, one decimal."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if value < 1024 or unit == "PiB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def check_memory(estimate: int, what: str, advice: str) -> None:
    """Refuse work whose estimated memory passes the budget.

    Parameters
    ----------
    estimate
        Estimated peak bytes of the work.
    what
        What would take that memory, e.g. ``"100,000,000 runs held in memory"``.
    advice
        What to do instead (one clause).

    Raises
    ------
    UsageError
        ``"<what> would need about X GiB, over the memory budget of 4.0 GiB
        (NEGOSIM_MEMORY_BUDGET): <advice>"``.
    """
    budget = memory_budget()
    if estimate > budget:
        raise UsageError(
            f"{what} would need about {format_bytes(estimate)}, over the memory budget of "
            f"{format_bytes(budget)} ({MEMORY_BUDGET_ENV}): {advice}"
        )


# --- counting combinations exactly ----------------------------------------------------------


def grid_points(grid_step: float) -> int:
    """Points of a continuous issue's grid on 0-100 at ``grid_step``: ``round(100 / step) + 1``.

    Exact for any positive step (a step so small that the division overflows a float is counted
    with fractions instead).
    """
    ratio = 100 / grid_step
    if math.isfinite(ratio):
        return round(ratio) + 1
    return round(Fraction(100) / Fraction(grid_step)) + 1


def _grid_step(model: str, parameters: Mapping[str, Any]) -> float:
    """The grid step a model compiles continuous issues at: the bargaining engine's
    ``grid_step`` parameter when it is valid (an invalid one is the model's to refuse), else 1."""
    step = parameters.get("grid_step") if model == ENGINE else None
    if isinstance(step, int | float) and not isinstance(step, bool) and 0 < step <= 50:
        return float(step)
    return 1.0


def package_sizes(scenario: Any, package: str, grid_step: float = 1.0) -> list[int]:
    """Options of each issue of ``package``, in file order (a continuous issue counts its grid).

    ``scenario`` is a :class:`~negosim.scenario.schema.Scenario` or a compiled scenario (anything
    with ``issues`` mapping ids to issues, or with ``scenario``).
    """
    s = getattr(scenario, "scenario", scenario)
    return [
        grid_points(grid_step) if issue.kind == "continuous" else len(issue.options)
        for issue in s.issues.values()
        if issue.package == package
    ]


def package_combinations(scenario: Any, package: str, grid_step: float = 1.0) -> int:
    """Combinations of options of ``package``: the exact product of its issues' sizes.

    Parameters
    ----------
    scenario
        A scenario or a compiled scenario.
    package
        The package id.
    grid_step
        Resolution of continuous issues (the bargaining engine's ``grid_step``; 1 elsewhere).

    Returns
    -------
    int
        A Python integer: ``16 ** 16`` is 18,446,744,073,709,551,616, not 0.
    """
    return math.prod(package_sizes(scenario, package, grid_step))


def format_count(n: int) -> str:
    """``50000`` -> ``'50,000'``; a count of 16 digits or more in scientific notation
    (``'1.1e26'``), computed from the integer so that no float overflows."""
    if n < 10**15:
        return f"{n:,}"
    exponent = int(math.log10(n))
    if 10**exponent > n:  # log10 rounded up at an exact power
        exponent -= 1
    lead = n // 10 ** (exponent - 1)  # two leading digits
    mantissa, rest = divmod(lead, 10)
    return f"{mantissa}.{rest}e{exponent}"


def _product_text(sizes: Sequence[int]) -> str:
    """``[101, 101, 3]`` -> ``'101^2 x 3'`` (largest sizes first)."""
    counts: dict[int, int] = {}
    for size in sizes:
        counts[size] = counts.get(size, 0) + 1
    parts = [f"{size}^{k}" if k > 1 else f"{size}" for size, k in sorted(counts.items())[::-1]]
    return " x ".join(parts)


def combination_limit(model: str) -> int:
    """The most combinations of one package that ``model`` enumerates."""
    return MODEL_COMBINATIONS.get(model, DEFAULT_COMBINATIONS)


def _who(model: str) -> str:
    return "the bargaining engine" if model == ENGINE else f"model {model!r}"


def _other_limits(model: str) -> str:
    """The other shipped models' limits, grouped: names every limit in one clause."""
    by_limit: dict[int, list[str]] = {}
    for name, limit in MODEL_COMBINATIONS.items():
        if name != model:
            by_limit.setdefault(limit, []).append(name)
    words = [f"{', '.join(names)}: {limit:,}" for limit, names in sorted(by_limit.items())]
    return "; ".join(words)


def package_message(
    package: str, sizes: Sequence[int], issue_ids: Iterable[str], model: str, continuous: bool
) -> str:
    """The refusal of an oversized package: its exact count, its issues, the model's limit and
    every other model's, and what to do."""
    total = math.prod(sizes)
    if continuous and model == ENGINE:
        remedy = "set a coarser grid_step, or split the package"
    elif continuous:
        remedy = "split the package: a continuous issue counts 101 points"
    else:
        remedy = "split the package"
    ids = list(issue_ids)
    shown = ", ".join(ids[:8]) + (f" and {len(ids) - 8} more" if len(ids) > 8 else "")
    return (
        f"package {package!r} has {_product_text(sizes)} = {format_count(total)} combinations "
        f"of options (issues {shown}); {_who(model)} enumerates at most "
        f"{combination_limit(model):,} ({remedy}; the other models' limits: "
        f"{_other_limits(model)})"
    )


def oversized_packages(
    scenario: Any, model: str | None = None
) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every package of ``scenario`` with more combinations than its model enumerates.

    Parameters
    ----------
    scenario
        A schema-valid scenario.
    model
        The model that will play it (default: the scenario's ``engine.model``, with the
        scenario's parameters, e.g. the bargaining engine's ``grid_step``).

    Yields
    ------
    tuple
        ``(loc, message)``: ``loc`` is the first issue of the package (its ``package`` field),
        for the loader to turn into ``file:line``.
    """
    name = model or scenario.engine.model
    params = scenario.engine.parameters if name == scenario.engine.model else {}
    step = _grid_step(name, params)
    limit = combination_limit(name)
    for package in dict.fromkeys(issue.package for issue in scenario.issues.values()):
        sizes = package_sizes(scenario, package, step)
        if math.prod(sizes) > limit:
            members = {k: i for k, i in scenario.issues.items() if i.package == package}
            continuous = any(i.kind == "continuous" for i in members.values())
            yield (
                ("issues", next(iter(members)), "package"),
                package_message(package, sizes, members, name, continuous),
            )


# --- runs held in memory --------------------------------------------------------------------

_BYTES_PER_CELL = 10  # measured: about 9.4 bytes per cell of the runs table, strings included
_RUNS_COLUMNS = 13  # run, block, ... run_end_reason; then a utility and a fallback per actor
_TRAJECTORY_COLUMNS = 4  # run, round, date, actor; then one per package and per issue, and
# three per actor (what the row's actor believes of it)


def results_bytes(
    runs: int,
    *,
    n_actors: int,
    n_issues: int,
    n_packages: int = 1,
    n_rounds: int = 0,
    trajectories: bool = False,
) -> int:
    """Estimated peak bytes of ``runs`` runs held in memory as tables (the runs table, and the
    trajectories table with ``trajectories``), counting the blocks and their concatenation."""
    cells = runs * n_issues * (_RUNS_COLUMNS + 2 * n_actors)
    if trajectories:
        rows = runs * max(1, n_rounds) * n_actors
        cells += rows * (_TRAJECTORY_COLUMNS + n_packages + n_issues + 3 * n_actors)
    return 2 * _BYTES_PER_CELL * cells  # the blocks' frames and the concatenated table


def forecast_bytes(n: int, n_actors: int, combinations: Iterable[int]) -> int:
    """Estimated peak bytes of a forecasting model's block of ``n`` replicates: it scores every
    combination of every package for every replicate and actor (float64, about four live
    grids of ``(n, actors, combinations)``)."""
    return 4 * 8 * n * n_actors * sum(combinations)


def expected_utility_bytes(batch: int, n_actors: int) -> int:
    """Estimated peak bytes of the expected utility model on ``batch`` contests (replicates x
    issues) of ``n_actors`` actors: about sixteen ``(batch, n, n)`` float64 arrays, and the
    ``(chunk, n, n, n)`` third-party sums, chunked to 4 million elements but never less than one
    contest (``16 n^3`` bytes) nor more than the batch."""
    cube = n_actors**3
    return 16 * 8 * batch * n_actors**2 + 16 * min(batch * cube, max(4_000_000, cube))


def check_expected_utility(batch: int, n_actors: int) -> None:
    """Refuse the expected utility model on ``batch`` contests of ``n_actors`` actors when
    :func:`expected_utility_bytes` passes the memory budget."""
    check_memory(
        expected_utility_bytes(batch, n_actors),
        f"the expected utility model on {batch:,} contest(s) of {n_actors:,} actors",
        "pass fewer contests (or actors) at a time",
    )


def block_bytes(
    model: str, *, n: int, n_actors: int, n_issues: int, combinations: Sequence[int]
) -> int:
    """Estimated peak bytes of a forecasting model's block of ``n`` replicates: the grids of
    :func:`forecast_bytes`, and the expected utility model's contests (one per replicate and
    issue, :func:`expected_utility_bytes`)."""
    total = forecast_bytes(n, n_actors, combinations)
    if model == "expected_utility":
        total += expected_utility_bytes(n * n_issues, n_actors)
    return total


# --- designs and workers --------------------------------------------------------------------


def check_design_points(
    count: int, what: str, advice: str = "use fewer levels, or a Latin hypercube (--lhs N)"
) -> None:
    """Refuse a design of more than :data:`MAX_DESIGN_POINTS` points (``count`` exact)."""
    if count > MAX_DESIGN_POINTS:
        raise UsageError(
            f"{what} has {format_count(count)} design points; a sweep takes at most "
            f"{MAX_DESIGN_POINTS:,} ({advice})"
        )


def max_workers() -> int:
    """The most worker processes a sweep starts on this machine: twice the cores, and no more
    than the memory budget holds at :data:`WORKER_BYTES` each (at least 1)."""
    cores = os.cpu_count() or 1
    return max(1, min(2 * cores, memory_budget() // WORKER_BYTES))


def check_workers(workers: Any, *, local: bool = True, name: str = "workers") -> None:
    """Refuse a worker count that is not a whole number from 1 to :func:`max_workers` (the
    bound applies to ``local`` workers, started on this machine; ``None`` is the default);
    ``name`` is the argument's name in the message (``--workers`` on the command line)."""
    if workers is None:
        return
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise UsageError(f"{name} must be a whole number >= 1 (got {workers!r})")
    bound = max_workers()
    if local and workers > bound:
        cores = os.cpu_count() or 1
        raise UsageError(
            f"{name} {workers} is more than this machine can use: at most {bound} "
            f"(twice its {cores} cores, and {format_bytes(WORKER_BYTES)} each within the memory "
            f"budget of {format_bytes(memory_budget())}, {MEMORY_BUDGET_ENV})"
        )
