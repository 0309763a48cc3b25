"""``negosim run --out`` holds one part at a time: peak memory does not grow with --runs.

The runs stream to disk block by block, the results file is assembled part by part and the
terminal summary is folded from the file one row group at a time, so twenty times the runs must
not cost more than a small, fixed margin of memory.

The scenario is played under complete information: what is measured is the pipeline, and a
model's own memory is bounded apart (``run.model_rows``); under private information the engine
is about ten times slower per run, which would make this test slow without testing more.
"""

from __future__ import annotations

from .harness import ROOT, run_bounded

SCENARIO = ROOT / "scenarios" / "two_state_fishing_quota.yaml"
BOUND_KIB = 30 * 1024  # 30 MiB: well under what 38,000 more runs held in memory would take


def test_peak_memory_of_run_is_flat_in_the_number_of_runs(tmp_path):
    peaks = {}
    scenario = tmp_path / SCENARIO.name
    text = SCENARIO.read_text(encoding="utf-8")
    assert text.rstrip().endswith("seed: 7")
    scenario.write_text(
        text.rstrip() + "\n  parameters:\n    information: complete\n", encoding="utf-8"
    )
    for runs in (2000, 40000):
        outcome = run_bounded(
            ["run", str(scenario), "--runs", str(runs), "--out", str(tmp_path / f"r{runs}")],
            timeout=30,
        )
        assert outcome.code == 0, outcome.stderr
        assert f"{runs:,} runs" in outcome.stdout
        peaks[runs] = outcome.peak_kib
    assert peaks[40000] - peaks[2000] < BOUND_KIB, peaks
