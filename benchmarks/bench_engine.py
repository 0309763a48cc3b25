"""Benchmark: the vectorised engine against one Mesa model per replicate (the reference).

    .venv/bin/python benchmarks/bench_engine.py

Prints, for the seed scenario under the default rules (private information, 8 particles per
belief) on one core (numeric libraries limited to one thread, the process pinned to one CPU
with ``sched_setaffinity``, like ``taskset -c 0``):

(a) the wall time of 10,000 runs through ``negosim.simulate`` (tidy runs table included) and runs
    per second; target (issue 13) < 5 s;
(b) the engine's model alone, as ``simulate`` plays it: ten blocks of 1,000 (each sampled from its
    own seed, particles included), stacked up to ``model_rows`` replicates per Mesa model
    (``run_blocks``), every round played, arrays returned;
(c) the reference (:mod:`negosim.models.bargaining.reference`): the same rules written the way
    Mesa's tutorials write models, one model per replicate with scalar agents and loops over
    types, combinations and rounds, through ``run_reference_block``, which also samples the
    inputs and particles and returns arrays.  Both give identical runs
    (``tests/models/bargaining/test_reference_equivalence.py``);
(d) the per-run speed ratio (c)/(b), like for like, and (c)/(a), which also charges the engine for
    the tidy table.  Target (issue 13): at least 100.

The same figures under complete information follow, for comparison with the previous engine.
Shared machines run the same work at speeds that differ by a factor of two from one second to the
next, so the measurements are interleaved in rounds, the best of each is used, and the medians
are printed beside them.  Takes about two minutes.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"  # one core: no hidden BLAS threads (set before numpy is imported)

import platform  # noqa: E402 - after the thread settings
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent

import mesa  # noqa: E402
import numpy as np  # noqa: E402

from negosim import load_scenario, simulate  # noqa: E402
from negosim.core.compiled import compile_scenario  # noqa: E402
from negosim.models.bargaining.reference import run_reference_block  # noqa: E402
from negosim.models.bargaining.run import model_rows, run_blocks  # noqa: E402
from negosim.simulation import batches  # noqa: E402

SEED = HERE.parent / "scenarios" / "nato_russia_missile_defence_2012.yaml"
ENGINE_RUNS = 10_000
BLOCK = 1_000
REFERENCE_RUNS = {"private": 60, "complete": 100}
ROUNDS = 3


def timed(action: Callable[[], object]) -> float:
    """Wall time of one call of ``action``, in seconds."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


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
    print(f"seed scenario ({SEED.name}), one process, {pinned}, OMP/OPENBLAS/MKL threads = 1")
    print(f"  python {platform.python_version()}, numpy {np.__version__}, mesa {mesa.__version__}")
    print(f"  best of {ROUNDS} interleaved rounds (median in brackets)")
    blocks = [(block, BLOCK, block * BLOCK) for block in range(ENGINE_RUNS // BLOCK)]
    for information in ("private", "complete"):
        options = {"information": information}
        n_ref = REFERENCE_RUNS[information]
        particles = 8 if information == "private" else 0
        rows = model_rows(compiled, particles)

        def whole(options=options) -> None:
            simulate(scenario, runs=ENGINE_RUNS, seed=1, parameters=options)

        def engine_model(rows=rows, options=options) -> None:  # simulate short of the table
            for batch in batches(blocks, rows):
                run_blocks(compiled, master_seed=1, blocks=batch, **options)

        def reference(n=n_ref, options=options) -> None:
            run_reference_block(compiled, master_seed=1, block=0, n=n, first_run=0, **options)

        per_run: dict[str, list[float]] = {"simulate": [], "model": [], "ref": []}
        for _ in range(ROUNDS):
            per_run["simulate"].append(timed(whole) / ENGINE_RUNS)
            per_run["model"].append(timed(engine_model) / ENGINE_RUNS)
            per_run["ref"].append(timed(reference) / n_ref)
        best = {key: min(values) for key, values in per_run.items()}
        median = {key: float(np.median(values)) for key, values in per_run.items()}

        def us(key: str, best=best, median=median) -> str:
            return f"{best[key] * 1e6:,.0f} us per run ({median[key] * 1e6:,.0f})"

        print(f"information: {information}")
        print(
            f"  (a) negosim.simulate(runs={ENGINE_RUNS:,}, seed=1), tidy table included: "
            f"{best['simulate'] * ENGINE_RUNS:.2f} s -> {1 / best['simulate']:,.0f} runs/s, "
            f"{us('simulate')}; target < 5 s"
        )
        print(
            f"  (b) engine model alone ({ENGINE_RUNS // BLOCK} blocks of {BLOCK:,}, up to "
            f"{rows:,} runs per model): {1 / best['model']:,.0f} runs/s, {us('model')}"
        )
        print(
            f"  (c) reference, one Mesa model per replicate, {n_ref} runs: "
            f"{1 / best['ref']:,.0f} runs/s, {us('ref')}"
        )
        print(
            f"  (d) per-run speed ratio (c)/(b): {best['ref'] / best['model']:.0f}x "
            f"(median {median['ref'] / median['model']:.0f}x; target >= 100x); "
            f"(c)/(a), tidy table charged to the engine: {best['ref'] / best['simulate']:.0f}x"
        )


if __name__ == "__main__":
    main()
