"""Benchmark: a large sweep of the seed scenario streamed to Parquet, 1 vs 2 worker processes.

    .venv/bin/python benchmarks/bench_sweep.py [--runs 1000000]

Prints runs per second and the peak resident memory of the driver and of the worker processes
(``ru_maxrss``).  The sweep is 10 design points x runs/10, in blocks of 1,000, with
``collect=False`` so that nothing but the current blocks is held in memory.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from negosim import load_scenario
from negosim.sweeps import sweep

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"


def run(total: int, workers: int) -> tuple[float, float]:
    scenario = load_scenario(SEED)
    folder = Path(tempfile.mkdtemp(prefix="negosim-bench-"))
    grid = {"actors.russia.fallback.value": [0.3 + 0.04 * i for i in range(10)]}
    start = time.perf_counter()
    try:
        sweep(
            scenario,
            grid,
            runs=total // 10,
            seed=1,
            block_size=1000,
            out=folder,
            executor="processes" if workers > 1 else None,
            workers=workers,
            collect=False,
        )
        seconds = time.perf_counter() - start
        size = sum(p.stat().st_size for p in folder.rglob("*.parquet"))
    finally:
        shutil.rmtree(folder)
    return seconds, size / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: one configuration
    args = parser.parse_args()
    if args.one is not None:
        seconds, mib = run(args.runs, args.one)
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"  {args.one} worker(s): {seconds:7.1f} s, {args.runs / seconds:9,.0f} runs/s, "
            f"{mib:6.1f} MiB of Parquet; peak RSS: driver {own:5.0f} MiB, "
            f"largest worker {children:5.0f} MiB"
        )
        return
    print(f"sweep of {args.runs:,} runs of the seed scenario (10 points, blocks of 1,000)")
    for workers in (1, 2):  # each configuration in a fresh process, so peaks are its own
        subprocess.run(
            [sys.executable, __file__, "--runs", str(args.runs), "--one", str(workers)], check=True
        )


if __name__ == "__main__":
    main()
