"""What actors believe about each other's types, and how they learn from the talks.

An observer's belief about another actor is a set of particles
(:class:`~negosim.core.particles.Particles`): ``P`` draws of that actor's own uncertain numbers
per replicate, from the declared distribution (the common prior) or from the observer's declared
belief (a misperception).  Positions, officials, events and capabilities are public, so a
particle shares the replicate's public state (the target's ideal points as they stand) and
differs in its private numbers.  :func:`particle_group` values a package for every particle at
once (the particles are folded into the replicate axis of the shared utility kernels).

Learning is Bayes' rule on the strategies being played (:mod:`negosim.models.bargaining.
planning`): after each round, every observer keeps the weight of the types that would have
answered (or proposed) as the actor did, and the others' weight is multiplied by a small
``tremble`` (a mistake probability, so that a surprise never empties a belief).  Answers and
offers are public, so the common prior stays common: one set of weights per set of particles.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from negosim.core import utility
from negosim.core.compiled import Compiled, PackageSpace
from negosim.core.fallbacks import reservation
from negosim.core.particles import Particles
from negosim.models.bargaining.planning import Group

__all__ = ["believed_zone", "likelihood_update", "minds", "particle_group", "weighted_quantiles"]


def minds(n_actors: int, sets: Sequence[Particles], complete: bool) -> list[list[int]]:
    """``mind[a][i]``: the group actor ``a`` uses for actor ``i``.

    Groups ``0..A-1`` are the actors' true types; group ``A + s`` is particle set ``s``.  Under
    complete information everyone uses the truth; otherwise the observer's declared belief
    about ``i`` if there is one, else ``i``'s common set.
    """
    mind = [list(range(n_actors)) for _ in range(n_actors)]
    if complete:
        return mind
    common = {s.target: n_actors + k for k, s in enumerate(sets) if s.holder is None}
    declared = {
        (s.holder, s.target): n_actors + k for k, s in enumerate(sets) if s.holder is not None
    }
    for a in range(n_actors):
        for i in range(n_actors):
            if i != a:
                mind[a][i] = declared.get((a, i), common[i])
    return mind


def particle_group(
    compiled: Compiled,
    package: PackageSpace,
    particles: Particles,
    *,
    ideal: np.ndarray,
    choice: np.ndarray,
    pass_probability: np.ndarray,
    fallback_acts: bool,
    table: np.ndarray,
) -> Group:
    """The particles' valuation of one package, as a :class:`Group` ``(P, J, R)``.

    ``ideal`` and ``choice`` are the target's public ``(I, R)`` stance; ``pass_probability``
    ``(R, A)`` the true chances of every ratifying body (the target's own is replaced by each
    particle's); ``fallback_acts`` whether the target's fallback acts on the package; ``table``
    the combinations in play.
    """
    R, P = particles.n, particles.p
    j = particles.target
    rows = R * P
    option_u: list[np.ndarray | None] = [None] * len(compiled.issue_ids)
    for i in package.issues:
        nominal = compiled.scenario.issues[compiled.issue_ids[i]].kind == "nominal"
        option_u[i] = utility.option_utility(
            compiled.option_values[i],
            np.repeat(ideal[i], P)[:, None],
            np.repeat(choice[i], P)[:, None] if nominal else None,
            particles.explicit_utility[i].reshape(rows, 1, -1),
            particles.risk.reshape(rows, 1),
        )
    salience = particles.salience.reshape(rows, 1, -1)
    u = utility.package_utility(package, option_u, salience)  # type: ignore[arg-type]
    no_deal = u[:, 0, package.no_deal].copy()  # a copy: the utilities are weighed in place below
    stated = particles.fallback_value.reshape(rows)
    kept = reservation(stated, no_deal, fallback_acts)
    others = np.delete(pass_probability, j, axis=1).prod(axis=1)  # (R,)
    ratify = (others[:, None] * particles.pass_probability).reshape(rows)
    u_eff = utility.effective_utility(package, u, kept[:, None], ratify, in_place=True, actors=[j])
    best = u_eff[:, 0].max(axis=1).reshape(R, P).T
    on_table = np.take(u_eff[:, 0], table, axis=1).reshape(R, P, len(table))
    return Group(
        owner=j,
        u=np.ascontiguousarray(on_table.transpose(1, 2, 0)),
        reservation=np.ascontiguousarray(kept.reshape(R, P).T),
        patience=np.ascontiguousarray(particles.patience.T),
        best=np.ascontiguousarray(best),
    )


def likelihood_update(
    weights: np.ndarray, consistent: np.ndarray, observed: np.ndarray, tremble: float
) -> np.ndarray:
    """Bayes' rule with trembles: ``weights`` ``(P, R)`` times ``1 - tremble`` where a particle
    would have done what was observed (``consistent``, ``(P, R)``) and ``tremble`` where not,
    renormalised, in the replicates where something was ``observed`` ``(R,)``."""
    likelihood = np.where(consistent, 1.0 - tremble, tremble)
    posterior = weights * np.where(observed[None, :], likelihood, 1.0)
    total = posterior.sum(axis=0, keepdims=True)
    # A replicate that observed nothing keeps its weights exactly (no renormalisation round-off
    # that would depend on what other replicates of the block saw).
    moved = observed[None, :] & (total > 0)
    updated: np.ndarray = np.where(moved, posterior / np.where(total > 0, total, 1.0), weights)
    return updated


def believed_zone(own: np.ndarray, chances: Sequence[np.ndarray]) -> np.ndarray:
    """``(R,)`` the believed chance that the best single combination beats every fallback:
    ``max_x own(x) * prod(chances(x))``, ``own`` ``(J, R)`` the actor's own answer at its
    fallback and ``chances`` the others' ``(J, R)`` chances of beating theirs."""
    if own.shape[0] == 0:
        return np.zeros(own.shape[1])
    together = own.astype(float)
    for chance in chances:
        together = together * chance
    zone: np.ndarray = together.max(axis=0)
    return zone


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """``(len(qs), R)`` quantiles of ``values`` ``(P, R)`` under ``weights`` ``(P, R)`` (the
    smallest value whose cumulative weight reaches each ``q``)."""
    order = np.argsort(values, axis=0, kind="stable")
    v = np.take_along_axis(values, order, axis=0)
    cumulative = np.cumsum(np.take_along_axis(weights, order, axis=0), axis=0)
    out = np.empty((len(qs), values.shape[1]))
    for n, q in enumerate(qs):
        index = np.minimum((cumulative < q - 1e-12).sum(axis=0), values.shape[0] - 1)
        out[n] = np.take_along_axis(v, index[None, :], axis=0)[0]
    return out
