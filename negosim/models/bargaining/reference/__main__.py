"""A small demonstration: ``python -m negosim.models.bargaining.reference`` plays 20 runs of the
seed scenario with the reference and prints how each package ended."""

from __future__ import annotations

from pathlib import Path

from negosim import load_scenario
from negosim.core.compiled import compile_scenario
from negosim.core.status import END_REASONS
from negosim.models.bargaining.reference.model import run_reference_block

ROOT = Path(__file__).resolve().parents[4]  # the repository holding scenarios/

if __name__ == "__main__":  # pragma: no cover - a demonstration
    compiled = compile_scenario(
        load_scenario(ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml")
    )
    result = run_reference_block(compiled, master_seed=1, block=0, n=20, first_run=0)
    for k, package in enumerate(compiled.packages):
        reasons = [END_REASONS[s] for s in result.status[k]]
        print(package.package_id, {r: reasons.count(r) for r in sorted(set(reasons))})
