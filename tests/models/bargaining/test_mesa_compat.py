"""What :mod:`negosim.models.bargaining.mesa_compat` relies on in Mesa, and that finished models
are freed.

If a Mesa release changes the private registry (its name, its type, what it is keyed by) or
starts keeping models alive some other way, these tests fail and ``forget_model`` must follow.
"""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import mesa
import pytest

from negosim import load_scenario
from negosim.core.compiled import compile_scenario
from negosim.core.sampling import block_seed, sample_block
from negosim.models.bargaining.mesa_compat import forget_model
from negosim.models.bargaining.model import NegotiationModel
from negosim.models.bargaining.run import run_block

SEED = Path(__file__).resolve().parents[3] / "scenarios" / "nato_russia_missile_defence_2012.yaml"


class _Toy(mesa.Model):
    def __init__(self) -> None:
        super().__init__(rng=1)
        mesa.Agent(self)
        mesa.Agent(self)


def test_the_private_registry_is_what_forget_model_expects():
    """Where Mesa has ``Agent._ids`` (3.0-3.3) it is a dict with one key per model that created
    agents, and forget_model removes that key; where it has none (3.5), agents are numbered on
    the model and there is nothing to forget."""
    model = _Toy()
    registry = getattr(mesa.Agent, "_ids", None)
    if registry is None:
        assert sorted(agent.unique_id for agent in model.agents) == [1, 2]
    else:
        assert isinstance(registry, dict)
        assert model in registry
        forget_model(model)
        assert model not in registry
    forget_model(model)  # twice, or on a model Mesa never registered: no error


def test_a_forgotten_model_is_garbage_collected():
    model = _Toy()
    forget_model(model)
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None


def test_an_unforgotten_model_stays_alive_where_mesa_keeps_a_registry():
    """The leak forget_model exists for: proof that the test above is not vacuous."""
    if getattr(mesa.Agent, "_ids", None) is None:
        pytest.skip("this Mesa keeps no class-level registry of models")
    model = _Toy()
    ref = weakref.ref(model)
    del model
    gc.collect()
    leaked = ref()
    assert leaked is not None
    forget_model(leaked)


def test_finished_blocks_are_freed():
    """A played block, and a model released after its last round, are collected.

    Other tests in the same process may hold models of their own: only the models made here are
    checked for."""
    gc.collect()
    before = {id(m) for m in getattr(mesa.Agent, "_ids", {}) if isinstance(m, NegotiationModel)}
    compiled = compile_scenario(load_scenario(SEED))
    run_block(compiled, master_seed=1, block=0, n=50, first_run=0)
    model = NegotiationModel(compiled, sample_block(compiled, block_seed(1, 1), 10))
    while model.running:
        model.step()
    model.release()
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None
    left = {id(m) for m in getattr(mesa.Agent, "_ids", {}) if isinstance(m, NegotiationModel)}
    assert left <= before
