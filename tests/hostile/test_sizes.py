"""Hostile sizes (issue 12, points 2 and 4): every size is counted exactly and refused before work.

Each case runs the command in a child limited to 1 GiB and 10 s (:mod:`tests.hostile.harness`)
and asserts what a user must see: exit 2, one first line (located at the package's line when a
file is involved), no traceback.  Before this issue a 16 x 16 package counted 0 and 101^10
counted negative in int64, both passed the 50,000 limit and ``itertools.product`` died of a
``MemoryError``; ``--vary ...:1000000000`` and ``simulate(runs=100_000_000)`` did the same.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.core.sized_scenarios import issue_line, sized_scenario
from tests.hostile.harness import (
    MEMORY_LIMIT,
    TIME_LIMIT,
    Outcome,
    assert_clean_refusal,
    run_bounded,
)

FISHING = Path(__file__).resolve().parents[2] / "scenarios" / "two_state_fishing_quota.yaml"
PATIENCE = "actors.northland.behaviour.patience"

# A snippet that calls the API the way the CLI does: a NegosimError is printed, exit 2.
SNIPPET = """\
import sys
from negosim.errors import NegosimError
try:
{body}
except NegosimError as exc:
    print(exc, file=sys.stderr)
    sys.exit(2)
"""


def python(body: str, **kwargs: object) -> Outcome:
    code = SNIPPET.format(body=textwrap.indent(textwrap.dedent(body), "    "))
    return run_bounded([], python_code=code, **kwargs)  # type: ignore[arg-type]


def sweep(*args: str) -> Outcome:
    """``negosim sweep`` of the fishing scenario, seed 1, with ``args``."""
    return run_bounded(["sweep", str(FISHING), "--seed", "1", *args])


def bounded(outcome: Outcome) -> None:
    """Well inside the harness's limits: refused up front, not after the work."""
    assert outcome.seconds < TIME_LIMIT
    assert outcome.peak_kib * 1024 < MEMORY_LIMIT // 2, outcome.peak_kib


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# One package each: (issues, what the message must say).  The counts are the true products.
PACKAGES = {
    "16x16": ([("ordinal", 16, "main")] * 16, "16^16 = 1.8e19 combinations"),  # int64: 0
    "101^10": ([("continuous", 0, "md")] * 10, "101^10 = 1.1e20 combinations"),  # int64: < 0
    "101^13": ([("continuous", 0, "md")] * 13, "101^13 = 1.1e26 combinations"),
}


@pytest.mark.parametrize("case", list(PACKAGES))
def test_validate_refuses_an_oversized_package_at_its_line(tmp_path: Path, case: str) -> None:
    issues, count = PACKAGES[case]
    text = sized_scenario(2, issues)
    path = write(tmp_path, text)
    outcome = run_bounded(["validate", str(path)])
    located = f"{path}:{issue_line(text, 'i0')}: issues.i0.package: "
    assert_clean_refusal(outcome, located=located, contains=count)
    first = outcome.stderr.splitlines()[0]
    assert "the bargaining engine enumerates at most 50,000" in first
    # Every model's limit is named, so that a user of compare knows them too.
    for model in ("compromise", "exchange", "expected_utility", "nash"):
        assert model in first
    bounded(outcome)


@pytest.mark.parametrize("case", list(PACKAGES))
def test_run_refuses_exactly_what_validate_refuses(tmp_path: Path, case: str) -> None:
    path = write(tmp_path, sized_scenario(2, PACKAGES[case][0]))
    checked = run_bounded(["validate", str(path)])
    ran = run_bounded(["run", str(path), "--out", str(tmp_path / "out")])
    assert_clean_refusal(ran, contains=PACKAGES[case][1])
    assert ran.stderr.splitlines()[0] == checked.stderr.splitlines()[0]
    assert not (tmp_path / "out").exists()
    bounded(ran)


def test_a_fine_grid_step_counts_its_grid(tmp_path: Path) -> None:
    # Two continuous issues at grid_step 0.1: 1001 points each, 1,002,001 combinations.
    text = sized_scenario(2, [("continuous", 0, "main")] * 2, parameters="{grid_step: 0.1}")
    path = write(tmp_path, text)
    outcome = run_bounded(["validate", str(path)])
    assert_clean_refusal(
        outcome,
        located=f"{path}:{issue_line(text, 'i0')}: ",
        contains="1001^2 = 1,002,001 combinations",
    )
    assert "set a coarser grid_step" in outcome.stderr
    bounded(outcome)


def test_a_vanishing_grid_step_is_counted_without_overflow(tmp_path: Path) -> None:
    # 100 / 5e-324 overflows a float: the count falls back to exact fractions.
    path = write(
        tmp_path, sized_scenario(2, [("continuous", 0, "main")], parameters="{grid_step: 5e-324}")
    )
    outcome = run_bounded(["validate", str(path)])
    assert_clean_refusal(outcome, located=f"{path}:", contains="combinations of options")
    bounded(outcome)


def test_compare_names_the_model_that_refuses(tmp_path: Path) -> None:
    # The bargaining engine plays three continuous issues at grid_step 50 (3^3 = 27
    # combinations); the compromise model plays them at step 1: 101^3 = 1,030,301.
    text = sized_scenario(2, [("continuous", 0, "main")] * 3, parameters="{grid_step: 50}")
    path = write(tmp_path, text)
    assert run_bounded(["validate", str(path)]).code == 0
    outcome = run_bounded(["compare", str(path), "--models", "bargaining,compromise"])
    assert_clean_refusal(outcome, located=f"{path}: ", contains="101^3 = 1,030,301 combinations")
    assert "model 'compromise' enumerates at most 50,000" in outcome.stderr
    bounded(outcome)


def test_simulate_refuses_runs_that_would_not_fit_in_memory() -> None:
    # `negosim run` streams its runs to disk; simulate() holds them: refused with the estimate.
    outcome = python(
        f"""
        import negosim
        scenario = negosim.load_scenario({str(FISHING)!r})
        negosim.simulate(scenario, runs=100_000_000, seed=1)
        """
    )
    assert_clean_refusal(outcome, contains="100,000,000 runs held in memory would need about")
    assert "over the memory budget of 4.0 GiB (NEGOSIM_MEMORY_BUDGET)" in outcome.stderr
    assert "negosim run --out" in outcome.stderr
    bounded(outcome)


def test_the_memory_budget_is_read_from_the_environment() -> None:
    body = f"""
        import negosim
        negosim.simulate(negosim.load_scenario({str(FISHING)!r}), runs=100_000, seed=1)
        """
    outcome = python(body, env={"NEGOSIM_MEMORY_BUDGET": "1M"})
    assert_clean_refusal(outcome, contains="over the memory budget of 1.0 MiB")
    wrong = python(body, env={"NEGOSIM_MEMORY_BUDGET": "plenty"})
    assert_clean_refusal(wrong, contains="NEGOSIM_MEMORY_BUDGET must be a positive size")


def test_sweep_refuses_a_billion_levels_before_building_them() -> None:
    outcome = sweep("--vary", f"{PATIENCE}=0.3:0.7:1000000000", "--runs", "10", "--out", "unused")
    assert_clean_refusal(outcome, contains="has 1,000,000,000 design points")
    assert "at most 100,000" in outcome.stderr
    bounded(outcome)


def test_sweep_counts_a_grid_exactly(tmp_path: Path) -> None:
    # 1000 x 1000 levels: each factor is allowed, their product is not.
    outcome = sweep(
        *("--runs", "10", "--out", str(tmp_path / "o"), "--vary", f"{PATIENCE}=0.3:0.7:1000"),
        *("--vary", "actors.southland.behaviour.patience=0.3:0.7:1000"),
    )
    assert_clean_refusal(outcome, contains="a grid of 1000 x 1000 levels has 1,000,000")
    bounded(outcome)


def test_sweep_refuses_more_blocks_than_it_writes(tmp_path: Path) -> None:
    outcome = sweep(
        *("--vary", f"{PATIENCE}=0.3:0.7:3", "--runs", "100000000", "--block-size", "1"),
        *("--out", str(tmp_path)),
    )
    assert_clean_refusal(outcome, contains="the sweep has 300,000,000 blocks")
    bounded(outcome)


@pytest.mark.parametrize(
    ("workers", "message"),
    [
        ("48", "--workers 48 is more than this machine can use: at most"),
        ("0", "--workers must be a whole number >= 1 (got 0)"),
        ("-3", "--workers must be a whole number >= 1 (got -3)"),
    ],
)
def test_sweep_refuses_a_worker_count_it_cannot_use(
    tmp_path: Path, workers: str, message: str
) -> None:
    outcome = sweep(
        *("--vary", f"{PATIENCE}=0.3:0.7:3", "--runs", "10", "--out", str(tmp_path / "o")),
        *("--workers", workers),
    )
    assert_clean_refusal(outcome, contains=message)
    assert not (tmp_path / "o").exists()  # refused before anything was started or written
    bounded(outcome)


def test_expected_utility_on_many_actors_is_refused_over_budget(tmp_path: Path) -> None:
    # 40 actors on 16 issues: a block of 1,000 runs is 16,000 contests of 40 actors.
    text = sized_scenario(
        40, [("continuous", 0, f"p{k}") for k in range(16)], model="expected_utility"
    )
    path = write(tmp_path, text)
    outcome = run_bounded(["run", str(path), "--runs", "1000", "--out", str(tmp_path / "o")])
    assert_clean_refusal(
        outcome, contains="model 'expected_utility' on a block of 1,000 runs (40 actors, 16 issues)"
    )
    assert "over the memory budget of 4.0 GiB" in outcome.stderr
    bounded(outcome)


def test_expected_utility_api_refuses_its_cubic_memory() -> None:
    # One contest of 2,000 actors: the third-party sums alone are 16 n^3 = 128 GB.
    outcome = python(
        """
        import numpy as np
        from negosim.models.expected_utility import expected_utility
        n = 2000
        expected_utility(np.linspace(0, 100, n), np.full(n, 0.5), np.ones(n))
        """
    )
    assert_clean_refusal(
        outcome, contains="the expected utility model on 1 contest(s) of 2,000 actors"
    )
    bounded(outcome)
