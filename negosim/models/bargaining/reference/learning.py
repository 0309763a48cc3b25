"""How the reference's observers learn and when its actors walk away, in one replicate."""

from __future__ import annotations

from negosim.models.bargaining.reference.planning import Group, accept_chance

__all__ = ["bayes", "walks_away"]


def bayes(weights: list[float], consistent: list[bool], tremble: float) -> list[float]:
    """Bayes' rule with trembles: a particle that would have done what was seen keeps its
    weight times ``1 - tremble``, the others times ``tremble`` (a mistake); then renormalised
    (unchanged if every weight vanished)."""
    posterior = [
        w * ((1.0 - tremble) if c else tremble) for w, c in zip(weights, consistent, strict=True)
    ]
    total = 0.0
    for w in posterior:
        total += w
    if total > 0:
        return [w / total for w in posterior]
    return list(weights)


def walks_away(
    groups: list[Group], weights: list[list[float]], mind: list[list[int]], threshold: float
) -> bool:
    """True when some actor believes the chance that a combination on the table beats every
    fallback (its own surely, the others' with the weight of their types that prefer it to
    their own reservation values) is below ``threshold``, for every combination."""
    beats = [accept_chance(g, weights[n], g.reservation) for n, g in enumerate(groups)]
    A = len(mind)
    for j in range(A):
        best = 0.0
        for x in range(len(beats[j])):
            chance = 1.0 if beats[j][x] > 0 else 0.0
            for i in range(A):
                if i != j:
                    chance *= beats[mind[j][i]][x]
            best = max(best, chance)
        if best < threshold:
            return True
    return False
