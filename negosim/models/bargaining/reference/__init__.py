"""The bargaining rules written again the way Mesa's tutorials write models: the speed reference.

One :class:`mesa.Model` per replicate, one :class:`mesa.Agent` per actor and per official, scalar
Python attributes, plain loops over types, combinations and rounds.  It implements the rules of
:mod:`~negosim.models.bargaining.planning`, :mod:`~negosim.models.bargaining.beliefs` and
:mod:`~negosim.models.bargaining.model` (private types, beliefs as particles, screening offers,
answers at the value of continuing, Bayes' rule with trembles, walk-aways, the inefficient-failure
flag; complete information as the special case) without importing their code, and it takes its
inputs from the same sampled :class:`~negosim.core.sampling.BlockParams` and
:func:`~negosim.core.particles.sample_particles`: replicate ``r`` of a block is a slice of the
block's draws.  For a given ``(master_seed, block, n)`` it must therefore agree with
:func:`~negosim.models.bargaining.run.run_block` run by run;
``tests/models/bargaining/test_reference_equivalence.py`` checks that, and
``benchmarks/bench_engine.py`` times both.

One rule is stated where the engine takes a shortcut: a proposer may offer any combination inside
every red line (red lines are public).  The engine screens over the combinations that some
replicate of its model values at least at every fallback, which is the same set in a model of
many replicates, not always in a model of a few.

Floating point follows the engine's order of operations (sums in file order starting from zero,
ties broken like :func:`numpy.argmax`: the first maximum in combination order) and the same
tolerance, ``1e-9``.  Python's ``**`` and numpy's vectorised power may differ in the last bit;
that can only matter for a comparison within a few ulps of the tolerance edge.

The package reads like the tutorial it imitates:

- :mod:`~negosim.models.bargaining.reference.inputs`: one replicate's inputs (its true numbers
  and its particles) as Python numbers, and scalar helpers with NumPy's semantics;
- :mod:`~negosim.models.bargaining.reference.valuation`: what a package is worth to one type;
- :mod:`~negosim.models.bargaining.reference.planning`: acceptance chances, screening offers and
  the backward induction over groups of types;
- :mod:`~negosim.models.bargaining.reference.learning`: Bayes' rule and the walk-away rule;
- :mod:`~negosim.models.bargaining.reference.agents`: the actors and officials;
- :mod:`~negosim.models.bargaining.reference.model`: the model (events, proposers, valuations and
  plans, one round per step) and :func:`run_reference_block`.

Statuses are :class:`~negosim.core.status.Status` values, like the engine's; the only engine
code it shares is :func:`~negosim.models.bargaining.mesa_compat.forget_model`, Mesa bookkeeping.
Run ``python -m negosim.models.bargaining.reference`` for a small demonstration on the seed
scenario.
"""

from negosim.models.bargaining.reference.agents import ReferenceActor, ReferenceOfficial
from negosim.models.bargaining.reference.inputs import ReplicateInputs, replicate_inputs
from negosim.models.bargaining.reference.model import (
    ReferenceNegotiation,
    ReferenceResult,
    run_reference_block,
)

__all__ = [
    "ReferenceActor",
    "ReferenceNegotiation",
    "ReferenceOfficial",
    "ReferenceResult",
    "ReplicateInputs",
    "replicate_inputs",
    "run_reference_block",
]
