"""The actors own their state: their columns of the block's draws, replicates last, changed only
by their own methods; Mesa's generator is seeded from the block's stream and changes nothing."""

from __future__ import annotations

from pathlib import Path

import mesa
import numpy as np

from negosim import load_scenario
from negosim.core.compiled import compile_scenario
from negosim.core.sampling import block_seed, sample_block
from negosim.models.bargaining.agents import ActorAgent
from negosim.models.bargaining.model import NegotiationModel
from negosim.models.bargaining.run import mesa_seed
from negosim.scenario.schema import CapabilityEffect, SalienceEffect

SEED = Path(__file__).resolve().parents[3] / "scenarios" / "nato_russia_missile_defence_2012.yaml"


def _model(rng: int = 0) -> NegotiationModel:
    compiled = compile_scenario(load_scenario(SEED))
    return NegotiationModel(compiled, sample_block(compiled, block_seed(4, 2), 30), rng=rng)


def test_actors_are_an_agentset_in_file_order_holding_their_own_draws():
    model = _model()
    c, p = model.compiled, model.params
    assert isinstance(model.actors, mesa.agent.AgentSet)
    assert [actor.actor_id for actor in model.actors] == list(c.actor_ids)
    for a, actor in enumerate(model.actors):
        assert isinstance(actor, ActorAgent)
        assert actor.salience.shape == (len(c.issue_ids), p.n)  # (I, R): replicates last
        np.testing.assert_array_equal(actor.salience, p.salience[:, a, :].T)
        np.testing.assert_array_equal(actor.capability, p.capability[:, a])
        assert not np.shares_memory(actor.salience, p.salience)  # its own copy


def test_an_effect_changes_only_its_actor_and_the_masked_replicates():
    model = _model()
    russia, nato = model._by_id["russia"], model._by_id["nato"]
    i = model.compiled.issue_ids.index("guarantees")
    before_russia, before_nato = russia.salience.copy(), nato.salience.copy()
    capability = russia.capability.copy()
    mask = np.arange(model.params.n) % 2 == 0
    russia.apply_effect(
        SalienceEffect(type="salience", actor="russia", issue="guarantees", add=0.2),
        np.full(model.params.n, 0.2),
        mask,
    )
    russia.apply_effect(
        CapabilityEffect(type="capability", actor="russia", multiply=0.5),
        np.full(model.params.n, 0.5),
        mask,
    )
    expected = before_russia[i].copy()
    expected[mask] = np.minimum(expected[mask] + 0.2, 1.0)
    np.testing.assert_allclose(russia.salience[i], expected, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(
        np.delete(russia.salience, i, axis=0), np.delete(before_russia, i, axis=0)
    )
    np.testing.assert_array_equal(russia.capability[~mask], capability[~mask])
    np.testing.assert_allclose(russia.capability[mask], capability[mask] / 2, rtol=1e-15)
    np.testing.assert_array_equal(nato.salience, before_nato)


def test_mesa_seed_depends_on_the_block_only_and_changes_no_result():
    assert mesa_seed(1, 3) == mesa_seed(1, 3)
    assert len({mesa_seed(1, b) for b in range(50)}) == 50
    assert mesa_seed(1, 0) != mesa_seed(2, 0)
    outcomes = []
    for rng in (mesa_seed(4, 2), 12345):
        model = _model(rng)
        while model.running:
            model.step()
        outcomes.append((model.status.copy(), model.combo.copy(), model.end_round.copy()))
    for first, second in zip(*outcomes, strict=True):
        np.testing.assert_array_equal(first, second)
