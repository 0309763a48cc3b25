"""Time the expected utility model: milliseconds per run at 10, 30 and 100 actors.

Usage: ``.venv/bin/python benchmarks/bench_eum.py [--sizes 10 30 100] [--rounds 10] [--repeat 20]``

Each run is one issue with random positions (0-100), saliences and capabilities, played for up to
``--rounds`` rounds with ``tol=0`` (a run stops early only at an exact fixed point; the rounds
played are printed).  The growth exponent is the slope of log(time per round) against log(actors),
fitted over all sizes and between the two largest: fixed numpy overhead dominates small runs, the
probability of success (a sum over third parties for every pair, n^3) dominates large ones.  The
public object-per-actor ports cost ~n^5 per round.  A batch of replicates shows what vectorising
across Monte Carlo replicates buys.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from negosim.models.expected_utility import expected_utility


def _inputs(rng: np.random.Generator, batch: tuple[int, ...], n: int) -> tuple[np.ndarray, ...]:
    positions = rng.uniform(0, 100, size=(*batch, n))
    salience = rng.uniform(10, 100, size=(*batch, n))
    capability = rng.uniform(0.1, 5, size=(*batch, n))
    return positions, salience, capability


def _time(args: tuple[np.ndarray, ...], rounds: int, repeat: int) -> tuple[float, int]:
    expected_utility(*args, max_rounds=rounds)  # warm up
    best = np.inf
    played = 0
    for _ in range(repeat):
        start = time.perf_counter()
        result = expected_utility(*args, max_rounds=rounds, tol=0.0)
        best = min(best, time.perf_counter() - start)
        played = result.n_rounds
    return best, played


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 30, 100])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    rng = np.random.default_rng(options.seed)

    sizes = sorted(options.sizes)
    per_round = []
    print(f"expected utility model, up to {options.rounds} rounds, best of {options.repeat}")
    for n in sizes:
        seconds, played = _time(_inputs(rng, (), n), options.rounds, options.repeat)
        per_round.append(seconds / max(played, 1))
        print(
            f"  {n:4d} actors: {1e3 * seconds:8.2f} ms per run "
            f"({played} rounds, {1e3 * per_round[-1]:.3f} ms per round)"
        )
    if len(sizes) > 1:
        slope = np.polyfit(np.log(sizes), np.log(per_round), 1)[0]
        top = np.log(per_round[-1] / per_round[-2]) / np.log(sizes[-1] / sizes[-2])
        print(
            f"  growth exponent (time per round ~ n^k): k = {slope:.2f} over all sizes, "
            f"{top:.2f} between {sizes[-2]} and {sizes[-1]} actors"
        )

    replicates = 1000
    seconds, played = _time(_inputs(rng, (replicates,), 10), options.rounds, 3)
    print(
        f"  batch of {replicates} replicates x 10 actors: {1e3 * seconds:.1f} ms "
        f"({1e6 * seconds / replicates:.1f} us per replicate, {played} rounds)"
    )


if __name__ == "__main__":
    main()
