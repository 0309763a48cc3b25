"""Benchmark: the vectorised engine against one Mesa model per replicate (the reference).

    .venv/bin/python benchmarks/bench_engine.py

Prints, for the seed scenario on one core (numeric libraries limited to one thread): the time of
10,000 runs through ``negosim.simulate`` (best of 3) and runs per second; the reference's runs per
second (``benchmarks/reference_model.py``, the same rules written the way Mesa's tutorials write
models: one model per replicate, scalar agents); and the per-run speed ratio.  Targets (issue 3):
10,000 runs in under 5 s, and a ratio of at least 100.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"  # one core: no hidden BLAS threads (set before numpy is imported)

import sys  # noqa: E402 - after the thread settings
import time  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from reference_model import run_reference_block  # noqa: E402

from negosim import load_scenario, simulate  # noqa: E402
from negosim.engine.compiled import compile_scenario  # noqa: E402

SEED = HERE.parent / "scenarios" / "nato_russia_missile_defence_2012.yaml"


def best_of(repeats: int, action) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    scenario = load_scenario(SEED)
    simulate(scenario, runs=1000, seed=1)  # warm up imports and caches
    engine = best_of(3, lambda: simulate(scenario, runs=10_000, seed=1))
    compiled = compile_scenario(scenario)
    n_ref = 300
    reference = best_of(
        2, lambda: run_reference_block(compiled, master_seed=1, block=0, n=n_ref, first_run=0)
    )
    engine_per_run = engine / 10_000
    reference_per_run = reference / n_ref
    print("seed scenario, one core")
    print(
        f"  engine:    10,000 runs in {engine:.2f} s -> {1 / engine_per_run:9,.0f} runs/s "
        f"({engine_per_run * 1e6:.0f} us per run; target < 5 s)"
    )
    print(
        f"  reference: {n_ref} runs in {reference:.2f} s -> {1 / reference_per_run:9,.0f} runs/s "
        f"({reference_per_run * 1e3:.2f} ms per run; one Mesa model per replicate)"
    )
    print(f"  ratio:     {reference_per_run / engine_per_run:.0f}x faster per run (target >= 100x)")


if __name__ == "__main__":
    main()
