"""A model defined here, registered here, and run by everything that lists models: a new model
needs no other file (issue 11).  Also: the contract catches a model whose declarations lie."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import numpy as np
import pytest

import negosim
from negosim.core.blocks import BlockResult
from negosim.core.compiled import Compiled, compile_scenario
from negosim.core.fallbacks import fallback_plays
from negosim.core.status import Status
from negosim.models.base import DecisionModel, Supports
from negosim.models.contract import check_decision_model, contract_scenario
from negosim.models.registry import model_names, register, unregister
from negosim.simulation.compare import compare, run_models, supported_models


class StatusQuoModel(DecisionModel):
    """Everyone gets the status quo: the no-deal combination of every package, as a forecast."""

    name: ClassVar[str] = "toy"
    reference: ClassVar[str] = "Nobody 2024"
    supports: ClassVar[Supports] = Supports(
        issue_kinds=frozenset({"ordinal", "nominal", "continuous"}),
        deadlines=False,
        events=False,
        stochastic=False,
    )
    parameters: ClassVar[dict[str, Any]] = {"label": "status quo"}

    def compile(self) -> Compiled:
        return compile_scenario(self.scenario)

    def run_block(
        self,
        compiled: Compiled,
        *,
        master_seed: int,
        block: int,
        n: int,
        first_run: int,
        record: bool = False,
        explain: bool = False,
        explain_at: int = 0,
    ) -> BlockResult:
        K, A = len(compiled.packages), compiled.n_actors
        status = np.full((K, n), Status.FORECAST, dtype=np.int8)
        return BlockResult(
            block=block,
            first_run=first_run,
            n=n,
            status=status,
            end_round=np.full((K, n), max(0, compiled.n_rounds - 1), dtype=np.int64),
            combo=np.array([[p.no_deal] * n for p in compiled.packages], dtype=np.int64),
            utility=np.zeros((K, n, A)),
            fallback=np.stack([fallback_plays(compiled, status, a) for a in range(A)]),
            aspirations=None,
            ideals=None,
            narrative=[],
        )


@pytest.fixture
def toy():
    register(StatusQuoModel)
    yield StatusQuoModel
    unregister("toy")


SCENARIO = contract_scenario({"x": ("ordinal", "p"), "y": ("continuous", "q")}, deadline=True)


def test_the_toy_model_is_listed_while_registered(toy):
    assert "toy" in model_names()
    assert "toy" in supported_models(SCENARIO)[0]


def test_the_toy_model_is_gone_after_unregistering():
    assert "toy" not in model_names()


def test_simulate_runs_the_toy_model(toy):
    runs = negosim.simulate(SCENARIO, runs=7, seed=3, model="toy").runs
    # The status quo of x is o0, of y the value 50; every run "forecasts" them.
    assert set(runs.loc[runs["issue"] == "x", "outcome"]) == {"o0"}
    assert set(runs.loc[runs["issue"] == "y", "value"]) == {50.0}
    assert set(runs["end_reason"]) == {"forecast"} and runs["agreed"].all()


def test_compare_and_run_models_run_the_toy_model(toy):
    results = run_models(SCENARIO, ["toy", "compromise"], runs=20, seed=1)
    assert list(results) == ["toy", "compromise"]
    table = compare(SCENARIO, ["toy", "compromise"], runs=20, seed=1)
    toy_x = table[(table["model"] == "toy") & (table["issue"] == "x")].set_index("outcome")
    assert toy_x.loc["o0", "probability"] == 1.0
    # Without a list, compare runs every registered model that fits: the toy one too.
    assert "toy" in set(compare(SCENARIO, runs=5, seed=1)["model"])


def test_the_contract_passes_the_toy_model(toy):
    assert "pickling" in check_decision_model(StatusQuoModel)


def test_the_contract_needs_no_registration():
    assert "declarations" in check_decision_model(StatusQuoModel)


class _CoinModel(StatusQuoModel):
    """Picks the no-deal combination or the last one by a coin of its own: stochastic."""

    def run_block(self, compiled: Compiled, **kwargs: Any) -> BlockResult:
        result = super().run_block(compiled, **kwargs)
        rng = np.random.default_rng([kwargs["master_seed"], kwargs["block"]])
        last = np.array([len(p.combos) - 1 for p in compiled.packages])[:, None]
        result.combo = np.where(rng.random(result.combo.shape) < 0.5, last, result.combo)
        return result


def _variant(base: type[DecisionModel], **attributes: Any) -> type[DecisionModel]:
    return type("Variant", (base,), attributes)


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (_variant(StatusQuoModel, reference="Nobody"), "'reference' must cite dated work"),
        (
            _variant(
                StatusQuoModel,
                supports=Supports(frozenset({"ordinal"}), False, False, stochastic=False),
                check=lambda self, scenario: None,  # forgets to refuse what it lacks
            ),
            "continuous issue: was built where it must refuse with UsageError",
        ),
        (_CoinModel, "not stochastic, so every seed gives the same outcomes"),
        (
            _variant(
                StatusQuoModel,
                supports=Supports(
                    frozenset({"ordinal", "nominal", "continuous"}),
                    False,
                    False,
                    False,
                    point_forecast=True,
                ),
            ),
            "declares a point forecast but has no point_forecast",
        ),
    ],
    ids=["undated", "kinds", "stochastic", "point_forecast"],
)
def test_the_contract_catches_false_declarations(model, message):
    with pytest.raises(AssertionError, match=message):
        check_decision_model(model)


def test_the_contract_catches_a_model_that_uses_an_undeclared_calendar():
    """A model declaring no deadlines must give the same outcomes without them."""

    class DeadlineAware(StatusQuoModel):
        def run_block(self, compiled: Compiled, **kwargs: Any) -> BlockResult:
            result = super().run_block(compiled, **kwargs)
            if self.scenario.deadlines:
                result.combo[:] = [[len(p.combos) - 1] for p in compiled.packages]
            return result

    with pytest.raises(AssertionError, match="deadlines \\(undeclared, so ignored\\)"):
        check_decision_model(DeadlineAware)


def test_contract_scenarios_come_from_yaml_text():
    scenario = contract_scenario({"x": ("nominal", "main")}, event=True, uncertain=True)
    assert scenario.path is None or "contract" not in str(scenario.path)
    assert set(scenario.issues["x"].options) == {"geneva", "vienna", "oslo"}
    assert json.loads(scenario.model_dump_json())["events"]["shift"]["effects"]
