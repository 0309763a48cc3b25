"""Sizes counted exactly, in one place (negosim.limits), and refused the same way everywhere."""

from __future__ import annotations

import pytest

from negosim import limits
from negosim.core.compiled import compile_scenario
from negosim.errors import UsageError
from negosim.scenario import load_scenario_text
from negosim.sweeps.design import Grid, LatinHypercube, parse_vary
from tests.core.sized_scenarios import sized_scenario


def _schema_only(text: str):  # type: ignore[no-untyped-def]
    """The scenario as the schema reads it, before the size checks (to count what they count)."""
    from negosim.scenario.schema import Scenario
    from negosim.scenario.yamlio import read_yaml

    document, _ = read_yaml(text.encode(), "s.yaml")
    return Scenario.model_validate(document)


def test_combinations_are_exact_python_integers() -> None:
    s = _schema_only(sized_scenario(2, [("ordinal", 16, "main")] * 16))
    assert limits.package_combinations(s, "main") == 16**16  # an int64 product gives 0
    s = _schema_only(sized_scenario(2, [("continuous", 0, "md")] * 13))
    assert limits.package_combinations(s, "md") == 101**13
    assert limits.package_combinations(s, "md", grid_step=50) == 3**13


def test_grid_points_match_the_compiled_grid() -> None:
    for step in (1.0, 0.5, 0.3, 2.5, 7.0, 50.0):
        s = load_scenario_text(
            sized_scenario(2, [("continuous", 0, "main")], parameters=f"{{grid_step: {step}}}")
        )
        compiled = compile_scenario(s, grid_step=step)
        assert len(compiled.option_values[0]) == limits.grid_points(step)
    assert limits.grid_points(5e-324) > 10**300  # no float overflow


def test_counts_print_exactly_or_in_scientific_notation() -> None:
    assert limits.format_count(50_000) == "50,000"
    assert limits.format_count(16**16) == "1.8e19"
    assert limits.format_count(101**13) == "1.1e26"
    assert limits.format_count(10**20) == "1.0e20"
    assert limits.format_count(10**5000).endswith("e5000")  # more digits than str() prints


def test_compile_refuses_before_building_and_names_the_model() -> None:
    text = sized_scenario(2, [("continuous", 0, "main")] * 3, parameters="{grid_step: 50}")
    s = load_scenario_text(text, path="s.yaml")
    assert len(compile_scenario(s, grid_step=50).packages[0].combos) == 27
    with pytest.raises(UsageError, match=r"^s\.yaml: package 'main' has 101\^3 = 1,030,301") as e:
        compile_scenario(s, model="nash")
    assert "model 'nash' enumerates at most 50,000" in str(e.value)


def test_the_loader_and_the_compiler_share_one_limit() -> None:
    # One issue of 50 options x 1000 (= 50,000 exactly) passes; one more combination does not.
    at_limit = sized_scenario(2, [("ordinal", 50, "main"), ("ordinal", 50, "main")])
    s = load_scenario_text(at_limit)
    assert len(compile_scenario(s).packages[0].combos) == 2500
    assert limits.combination_limit("bargaining") == limits.MODEL_COMBINATIONS["bargaining"]
    assert limits.combination_limit("a_model_of_ones_own") == limits.DEFAULT_COMBINATIONS


def test_memory_budget_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(limits.MEMORY_BUDGET_ENV, raising=False)
    assert limits.memory_budget() == 4 * 2**30
    for text, size in [
        ("512M", 512 * 2**20),
        ("1.5GiB", 3 * 2**29),
        ("2048", 2048),
        ("8g", 8 * 2**30),
    ]:
        monkeypatch.setenv(limits.MEMORY_BUDGET_ENV, text)
        assert limits.memory_budget() == size
    for text in ("0", "-1G", "lots", "4 parsecs"):
        monkeypatch.setenv(limits.MEMORY_BUDGET_ENV, text)
        with pytest.raises(UsageError, match="NEGOSIM_MEMORY_BUDGET must be a positive size"):
            limits.memory_budget()


def test_simulate_refuses_over_budget_before_running(monkeypatch: pytest.MonkeyPatch) -> None:
    from negosim.simulation import simulate

    s = load_scenario_text(sized_scenario(2, [("continuous", 0, "main")]))
    monkeypatch.setenv(limits.MEMORY_BUDGET_ENV, "64K")
    with pytest.raises(UsageError, match=r"10,000 runs held in memory would need about"):
        simulate(s, 10_000, 1)
    monkeypatch.setenv(limits.MEMORY_BUDGET_ENV, "4G")
    assert len(simulate(s, 20, 1).runs) == 20


def test_the_runs_estimate_covers_what_the_tables_take() -> None:
    from negosim.simulation import simulate

    s = load_scenario_text(sized_scenario(3, [("ordinal", 4, "p"), ("continuous", 0, "q")]))
    results = simulate(s, 2000, 1, trajectories=True)
    held = int(results.runs.memory_usage(deep=True).sum())
    assert results.trajectories is not None
    held += int(results.trajectories.memory_usage(deep=True).sum())
    estimate = limits.results_bytes(
        2000, n_actors=3, n_issues=2, n_packages=2, n_rounds=3, trajectories=True
    )
    assert held <= estimate <= 4 * held


def test_designs_are_counted_before_they_are_built() -> None:
    with pytest.raises(UsageError, match=r"--vary x has 1,000,000,000 design points"):
        parse_vary("x=0:1:1000000000")
    with pytest.raises(UsageError, match=r"a grid of 1000 x 1000 levels has 1,000,000"):
        Grid({"x": range(1000), "y": range(1000)}).table()
    with pytest.raises(UsageError, match="a Latin hypercube has 100,001 design points"):
        LatinHypercube({"x": (0.0, 1.0)}, n=limits.MAX_DESIGN_POINTS + 1).table()
    assert len(Grid({"x": range(100), "y": range(1000)}).table()) == limits.MAX_DESIGN_POINTS


def test_workers_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(limits.MEMORY_BUDGET_ENV, raising=False)
    bound = limits.max_workers()
    assert 1 <= bound <= 16  # 4 GiB at 256 MiB a worker
    limits.check_workers(None)
    limits.check_workers(bound)
    with pytest.raises(UsageError, match=f"at most {bound}"):
        limits.check_workers(bound + 1)
    limits.check_workers(bound + 1, local=False)  # a remote cluster's workers are its own
    for wrong in (0, -1, True, 2.0):
        with pytest.raises(UsageError, match="workers must be a whole number >= 1"):
            limits.check_workers(wrong)


def test_a_forecasting_block_over_budget_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from negosim.simulation import simulate

    s = load_scenario_text(
        sized_scenario(3, [("continuous", 0, "main")] * 2, model="expected_utility")
    )
    monkeypatch.setenv(limits.MEMORY_BUDGET_ENV, "16M")
    with pytest.raises(UsageError, match=r"model 'expected_utility' on a block of 1,000 runs"):
        simulate(s, 1000, 1)
    assert len(simulate(s, 10, 1).runs) == 20  # 10 runs x 2 issues
