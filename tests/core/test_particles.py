"""Beliefs as particles (issue 13, point 1): what each actor believes about the others' numbers.

The scenario is ``tests/scenario/fixtures/beliefs/valid.yaml``: the minimal scenario in which
Alpha declares a belief about Beta's fallback value, patience and parliament, and Beta about
Alpha's risk attitude, salience and the utility of one option.  Every expected value below comes
from the file's numbers (a distribution's bounds, its mean and variance in closed form), or from
the documented site names, never from the program's output.
"""

from __future__ import annotations

import math
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from negosim.core.compiled import Compiled, compile_scenario
from negosim.core.particles import (
    Particles,
    held_belief,
    sample_particles,
    slice_particles,
    stack_particles,
)
from negosim.core.sampling import BlockParams, Sites, block_seed, sample_block
from negosim.errors import UsageError
from negosim.scenario.loader import load_scenario, load_scenario_text

FIXTURES = Path(__file__).resolve().parents[1] / "scenario" / "fixtures"
BELIEFS = FIXTURES / "beliefs" / "valid.yaml"
MINIMAL = FIXTURES / "valid" / "minimal.yaml"
ALPHA, BETA = 0, 1
TREATY = 0
N, P = 400, 16  # 6,400 particles per site


def _compiled(path: Path = BELIEFS, **replacements: str) -> Compiled:
    text = path.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert text.count(old) == 1
        text = text.replace(old, new)
    return compile_scenario(load_scenario_text(text, base_dir=path.parent, path=str(path)))


def _uniform_mean_ok(values: np.ndarray, low: float, high: float) -> bool:
    """All draws in [low, high] and the mean within 5 standard errors of (low + high) / 2.

    The variance of U(low, high) is (high - low)^2 / 12, so the mean of m draws has standard error
    (high - low) / sqrt(12 m); a correct sampler fails this with probability below 1e-6.
    """
    m = values.size
    tolerance = 5 * (high - low) / math.sqrt(12 * m)
    inside = bool(((values >= low) & (values <= high)).all())
    return inside and abs(values.mean() - (low + high) / 2) < tolerance


@pytest.fixture(scope="module")
def compiled() -> Compiled:
    return _compiled()


@pytest.fixture(scope="module")
def sets(compiled: Compiled) -> list[Particles]:
    return sample_particles(compiled, block_seed(11, 0), N, P)


def test_one_common_prior_per_actor_then_the_declared_beliefs_in_order(sets):
    assert [(s.target, s.holder) for s in sets] == [
        (ALPHA, None),
        (BETA, None),
        (BETA, ALPHA),  # alpha's belief about beta
        (ALPHA, BETA),  # beta's belief about alpha
    ]
    for s in sets:
        assert (s.n, s.p) == (N, P)
        assert s.salience.shape == (N, P, 1)
        assert [u.shape for u in s.explicit_utility] == [(N, P, 3)]  # none, political, legal
        for name in ("patience", "risk", "fallback_value", "pass_probability"):
            assert getattr(s, name).shape == (N, P)


def test_held_belief_is_the_declared_one_else_the_common_prior(sets):
    assert held_belief(sets, ALPHA, BETA) is sets[2]
    assert held_belief(sets, BETA, ALPHA) is sets[3]
    # An actor without a declared belief about a target holds the common prior.
    three = [*sets[:2], sets[3]]
    assert held_belief(three, ALPHA, BETA) is sets[1]


def test_the_common_prior_follows_the_declared_distributions(sets):
    alpha, beta = sets[ALPHA], sets[BETA]
    # Alpha's salience is uniform on [0.6, 0.9].
    assert _uniform_mean_ok(alpha.salience[:, :, TREATY], 0.6, 0.9)
    # Beta's patience is triangular [0.9, 0.95, 1.0]: mean (a + b + c) / 3 = 0.95 and variance
    # (a^2 + b^2 + c^2 - ab - ac - bc) / 18.
    a, b, c = 0.9, 0.95, 1.0
    sd = math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18)
    draws = beta.patience
    assert draws.min() >= a and draws.max() <= c
    assert abs(draws.mean() - (a + b + c) / 3) < 5 * sd / math.sqrt(draws.size)
    # Particles within a replicate differ: they are draws, not one number repeated.
    assert (alpha.salience[:, :, TREATY].std(axis=1) > 0).all()


def test_constants_give_identical_particles(sets):
    alpha, beta = sets[ALPHA], sets[BETA]
    assert (beta.salience[:, :, TREATY] == 0.5).all()  # salience: 0.5
    assert (beta.pass_probability == 0.5).all()  # pass_probability: 0.5
    assert (alpha.risk == 0.0).all() and (alpha.patience == 0.98).all()  # the defaults
    assert (sets[3].explicit_utility[TREATY][:, :, 1] == 0.8).all()  # {fixed: 0.8}


def test_what_the_truth_does_not_give_stays_marked(sets):
    alpha, beta = sets[ALPHA], sets[BETA]
    # Neither fallback declares a value: it is computed from the no-deal outcomes.
    assert np.isnan(alpha.fallback_value).all() and np.isnan(beta.fallback_value).all()
    # Alpha has no ratifying body; no stance declares utilities, so none are explicit.
    assert (alpha.pass_probability == 1.0).all()
    assert all(np.isnan(u).all() for s in (alpha, beta) for u in s.explicit_utility)


def test_a_declared_belief_changes_only_the_numbers_it_names(sets):
    beta, alpha_about_beta = sets[BETA], sets[2]
    # Named: fallback_value U(0.2, 0.4) (the truth gives none), patience U(0.8, 0.9),
    # pass_probability U(0.1, 0.3).
    assert _uniform_mean_ok(alpha_about_beta.fallback_value, 0.2, 0.4)
    assert _uniform_mean_ok(alpha_about_beta.patience, 0.8, 0.9)
    assert _uniform_mean_ok(alpha_about_beta.pass_probability, 0.1, 0.3)
    # Not named: the common prior's arrays themselves.
    assert alpha_about_beta.salience is beta.salience
    assert alpha_about_beta.risk is beta.risk
    assert alpha_about_beta.explicit_utility[TREATY] is beta.explicit_utility[TREATY]

    alpha, beta_about_alpha = sets[ALPHA], sets[3]
    assert _uniform_mean_ok(beta_about_alpha.risk, -0.5, 0.0)
    assert _uniform_mean_ok(beta_about_alpha.salience[:, :, TREATY], 0.2, 0.5)
    utility = beta_about_alpha.explicit_utility[TREATY]
    assert (utility[:, :, 1] == 0.8).all()  # political
    assert np.isnan(utility[:, :, [0, 2]]).all()  # none, legal: still from distance
    for name in ("patience", "fallback_value", "pass_probability"):
        assert getattr(beta_about_alpha, name) is getattr(alpha, name)
    # The common prior of Alpha is untouched by Beta's belief.
    assert _uniform_mean_ok(alpha.salience[:, :, TREATY], 0.6, 0.9)
    assert np.isnan(alpha.explicit_utility[TREATY]).all()


def test_misperception_of_a_bottom_line():
    """Issue 13's example: Beta's fallback value is U(0.4, 0.6); Alpha believes U(0.2, 0.4)."""
    c = _compiled(
        **{
            "      outcomes: {treaty: none}\n      assumption: Without a deal nothing changes.\n"
            "    behaviour:\n      concession: boulware": (
                "      outcomes: {treaty: none}\n      value: {uniform: [0.4, 0.6]}\n"
                "      assumption: Without a deal nothing changes.\n"
                "    behaviour:\n      concession: boulware"
            )
        }
    )
    seed = block_seed(3, 0)
    truth = sample_block(c, seed, N * P)
    sets = sample_particles(c, seed, N, P)
    assert _uniform_mean_ok(truth.fallback_value[:, BETA], 0.4, 0.6)
    assert _uniform_mean_ok(sets[BETA].fallback_value, 0.4, 0.6)  # the common prior
    assert _uniform_mean_ok(held_belief(sets, ALPHA, BETA).fallback_value, 0.2, 0.4)


def test_sites_are_the_documented_names(compiled):
    """``beliefs.<target>.<path>`` for the common prior, ``beliefs.<holder>.<target>.<path>``
    for a declared belief; n*P draws of the site's own stream, row-major."""
    seed = block_seed(5, 2)
    sets = sample_particles(compiled, seed, 7, 3)
    sites = Sites(seed)
    common = sites.rng("beliefs.alpha.stances.treaty.salience").uniform(0.6, 0.9, 21)
    np.testing.assert_array_equal(sets[ALPHA].salience[:, :, TREATY], common.reshape(7, 3))
    declared = sites.rng("beliefs.alpha.beta.fallback.value").uniform(0.2, 0.4, 21)
    np.testing.assert_array_equal(sets[2].fallback_value, declared.reshape(7, 3))
    risk = sites.rng("beliefs.beta.alpha.behaviour.risk").uniform(-0.5, 0.0, 21)
    np.testing.assert_array_equal(sets[3].risk, risk.reshape(7, 3))


def _assert_same(a: list[Particles], b: list[Particles]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert (x.target, x.holder, x.n, x.p) == (y.target, y.holder, y.n, y.p)
        for f in fields(Particles):
            value = getattr(x, f.name)
            if isinstance(value, np.ndarray):
                np.testing.assert_array_equal(value, getattr(y, f.name))
        for u, v in zip(x.explicit_utility, y.explicit_utility, strict=True):
            np.testing.assert_array_equal(u, v)


def test_reproducible_from_seed_block_and_sizes(compiled, sets):
    _assert_same(sample_particles(compiled, block_seed(11, 0), N, P), sets)
    other = sample_particles(compiled, block_seed(11, 1), N, P)
    assert not np.array_equal(other[ALPHA].salience, sets[ALPHA].salience)


def _assert_params_equal(a: BlockParams, b: BlockParams) -> None:
    for f in fields(BlockParams):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y)
    for u, v in zip(a.explicit_utility, b.explicit_utility, strict=True):
        np.testing.assert_array_equal(u, v)


def test_beliefs_leave_the_truth_and_the_common_prior_as_they_were(compiled):
    """The same scenario without its beliefs draws the same truth and the same common prior."""
    plain = compile_scenario(load_scenario(MINIMAL))
    seed = block_seed(11, 0)
    _assert_params_equal(sample_block(compiled, seed, 50), sample_block(plain, seed, 50))
    without = sample_particles(plain, seed, 50, 4)
    assert len(without) == 2  # one common prior per actor, nothing declared
    _assert_same(sample_particles(compiled, seed, 50, 4)[:2], without)


def test_stack_then_slice_gives_each_block_back(compiled):
    first = sample_particles(compiled, block_seed(2, 0), 5, 4)
    second = sample_particles(compiled, block_seed(2, 1), 7, 4)
    both = stack_particles([first, second])
    assert [s.n for s in both] == [12] * 4
    np.testing.assert_array_equal(both[2].fallback_value[5:], second[2].fallback_value)
    _assert_same(slice_particles(both, 0, 5), first)
    _assert_same(slice_particles(both, 5, 12), second)
    assert stack_particles([first]) is first
    assert slice_particles(first, 0, 5) is first


def test_stacking_blocks_of_different_particle_counts_is_refused(compiled):
    with pytest.raises(ValueError, match="same P"):
        stack_particles(
            [
                sample_particles(compiled, block_seed(2, 0), 5, 4),
                sample_particles(compiled, block_seed(2, 1), 5, 3),
            ]
        )


def test_at_least_one_particle(compiled):
    with pytest.raises(UsageError, match=r"particles must be at least 1 \(got 0\)"):
        sample_particles(compiled, block_seed(0, 0), 5, 0)
