"""Benchmark: the vectorised engine against one Mesa model per replicate (the reference).

    .venv/bin/python benchmarks/bench_engine.py

Prints, for the seed scenario on one core (numeric libraries limited to one thread, the process
pinned to one CPU with ``sched_setaffinity``, like ``taskset -c 0``): the wall time of 10,000 runs
through ``negosim.simulate`` (best of 3, tidy runs table included) and runs per second; the
reference's runs per second (``benchmarks/reference_model.py``, the same rules written the way
Mesa's tutorials write models: one model per replicate, scalar agents); and the per-run speed
ratio.  The reference is timed twice: re-valuing packages and re-solving floors only when a stance
changed, as the engine does (like for like, the ratio that counts), and in every round, as a
tutorial model's ``step`` would.  Both give identical results.  Targets (issue 3): 10,000 runs in
under 5 s, and a ratio of at least 100.  Takes well under a minute.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"  # one core: no hidden BLAS threads (set before numpy is imported)

import platform  # noqa: E402 - after the thread settings
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import mesa  # noqa: E402
import numpy as np  # noqa: E402
from reference_model import run_reference_block  # noqa: E402

from negosim import load_scenario, simulate  # noqa: E402
from negosim.engine.compiled import compile_scenario  # noqa: E402

SEED = HERE.parent / "scenarios" / "nato_russia_missile_defence_2012.yaml"
ENGINE_RUNS = 10_000
REFERENCE_RUNS = 300  # like for like
EVERY_ROUND_RUNS = 100  # the literal tutorial step, about 3x slower


def best_of(repeats: int, action: Callable[[], object]) -> float:
    """Shortest wall time of ``repeats`` calls of ``action``, in seconds.

    Parameters
    ----------
    repeats
        How many times to call ``action``.
    action
        The work to time.
    """
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    """Time the engine and the reference on the seed scenario and print labelled figures."""
    pinned = "not pinned"
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        pinned = f"pinned to CPU {cpu}"
    scenario = load_scenario(SEED)
    compiled = compile_scenario(scenario)
    simulate(scenario, runs=1000, seed=1)  # warm up imports and caches
    engine = best_of(3, lambda: simulate(scenario, runs=ENGINE_RUNS, seed=1))

    def reference_block(n: int, every_round: bool) -> Callable[[], object]:
        return lambda: run_reference_block(
            compiled, master_seed=1, block=0, n=n, first_run=0, every_round=every_round
        )

    reference = best_of(2, reference_block(REFERENCE_RUNS, False))
    every_round = best_of(2, reference_block(EVERY_ROUND_RUNS, True))
    engine_per_run = engine / ENGINE_RUNS
    reference_per_run = reference / REFERENCE_RUNS
    every_round_per_run = every_round / EVERY_ROUND_RUNS
    print(f"seed scenario ({SEED.name}), one process, {pinned}, OMP/OPENBLAS/MKL threads = 1")
    print(f"  python {platform.python_version()}, numpy {np.__version__}, mesa {mesa.__version__}")
    print(
        f"  (a) engine, negosim.simulate(runs={ENGINE_RUNS:,}, seed=1), best of 3: "
        f"{engine:.2f} s wall -> {1 / engine_per_run:,.0f} runs/s "
        f"({engine_per_run * 1e6:.0f} us per run; target < 5 s)"
    )
    print(
        f"  (b) reference, one Mesa model per replicate, {REFERENCE_RUNS} runs, best of 2: "
        f"{reference:.2f} s -> {1 / reference_per_run:,.0f} runs/s "
        f"({reference_per_run * 1e3:.2f} ms per run; re-values only on change, like the engine)"
    )
    print(
        f"      same, re-valuing every round, {EVERY_ROUND_RUNS} runs, best of 2: "
        f"{every_round:.2f} s -> {1 / every_round_per_run:,.0f} runs/s "
        f"({every_round_per_run * 1e3:.2f} ms per run)"
    )
    print(
        f"  (c) per-run speed ratio, like for like: {reference_per_run / engine_per_run:.0f}x "
        f"(target >= 100x); against the every-round reference: "
        f"{every_round_per_run / engine_per_run:.0f}x"
    )


if __name__ == "__main__":
    main()
