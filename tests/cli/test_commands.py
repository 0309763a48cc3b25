"""What the commands print, checked against the files and tables they summarise (read here
independently of the code that prints them)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from statistics import NormalDist

from ruamel.yaml import YAML

from negosim.cli import main
from negosim.sweeps import load_sweep

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"
QUOTA = ROOT / "scenarios" / "two_state_fishing_quota.yaml"
BROKEN = ROOT / "tests" / "scenario" / "fixtures" / "broken" / "unknown_model.yaml"
COMMANDS = ["validate", "schema", "run", "sweep", "plot", "compare", "backtest", "audit"]


def _yaml(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _count_key(node, key: str) -> int:
    if isinstance(node, dict):
        return (key in node) + sum(_count_key(v, key) for v in node.values())
    if isinstance(node, list):
        return sum(_count_key(v, key) for v in node)
    return 0


def test_help_lists_every_command_in_order(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    listed = re.findall(r"^│ (\w+) +\S", out.split("Commands")[1], flags=re.M)
    assert listed == COMMANDS


def test_validate_summarises_what_the_file_declares(capsys):
    doc = _yaml(QUOTA)
    assert main(["validate", str(QUOTA)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"ok {QUOTA}: {doc['metadata']['title']}"
    names = ", ".join(actor["name"] for actor in doc["actors"].values())
    start, end = doc["calendar"]["start"], doc["calendar"]["end"]
    assert doc["calendar"]["round_length"] == "2w"
    rounds = (end - start).days // 14 + 1
    deadline = next(iter(doc["deadlines"].values()))
    assert lines[1:] == [
        f"  {len(doc['actors'])} actors ({names})",
        "  0 officials",
        "  1 issues in 1 package(s) (main)",
        "  0 events",
        f"  1 deadline(s) ({deadline['label']} {deadline['date']})",
        "  0 evidence quotes, all found in their sources",
        f"  {_count_key(doc, 'assumption')} assumptions",
        f"  calendar {start} to {end}, {rounds} rounds of 14 days",
        f"  model {doc['engine']['model']}",
    ]


def test_validate_reports_each_file_and_fails_if_any_is_invalid(capsys):
    assert main(["validate", str(QUOTA), str(BROKEN)]) == 2
    captured = capsys.readouterr()
    assert captured.out.startswith(f"ok {QUOTA}: ")
    assert f"{BROKEN}:" in captured.err and "unknown model 'bargainig'" in captured.err
    assert captured.err.rstrip().endswith("1 of 2 file(s) invalid")


def test_schema_describes_the_shipped_files(tmp_path, capsys):
    target = tmp_path / "scenario.schema.json"
    assert main(["schema", "--out", str(target)]) == 0
    assert capsys.readouterr().out == f"wrote {target}\n"
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["title"] == "negosim scenario"
    for path in (SEED, QUOTA):
        assert set(_yaml(path)) <= set(document["properties"])
    assert {"schema_version", "metadata", "calendar", "issues", "actors"} <= set(
        document["required"]
    )
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == target.read_text(encoding="utf-8")


def _wilson(k: int, n: int) -> tuple[float, float]:
    z = NormalDist().inv_cdf(0.975)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_sweep_summary_counts_each_point_from_its_runs(tmp_path, capsys):
    out = tmp_path / "sweep"
    factor = "actors.russia.stances.guarantees.salience"
    args = ["sweep", str(SEED), "--vary", f"{factor}=0.3,0.9", "--runs", "30", "--seed", "3"]
    assert main([*args, "--block-size", "10", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "2 design points x 30 runs, seed 3, model bargaining" in printed
    assert printed.rstrip().endswith(
        f"Wrote {out}/runs/ (6 parts), design.parquet, manifest.json"
    )  # 2 points x 3 blocks of 10 runs
    cell = r" +([\d.]+)%? │"
    rows = re.findall(r"^│ +(\d+) │" + cell * 2 + r" +([\d.]+)% -" + cell * 2, printed, flags=re.M)
    per_run = load_sweep(out).runs.drop_duplicates(["point", "run"])
    assert len(rows) == 2
    for point, value, agree, low, high, broke in rows:
        runs = per_run[per_run["point"] == int(point)]
        assert len(runs) == 30
        assert float(value) == runs[factor].iloc[0]
        k = int((runs["run_end_reason"] == "agreement").sum())
        assert float(agree) == round(100 * k / 30, 1)
        assert float(broke) == round(100 * (runs["run_end_reason"] == "breakdown").mean(), 1)
        expected = _wilson(k, 30)
        assert abs(float(low) - 100 * expected[0]) <= 0.051
        assert abs(float(high) - 100 * expected[1]) <= 0.051
    # run again into the same folder: every part is on disk, the summary is the same
    assert main([*args, "--block-size", "10", "--out", str(out)]) == 0
    assert capsys.readouterr().out == printed


def test_a_lone_surrogate_in_a_file_is_printed_escaped_not_a_crash(tmp_path):
    """Found by the fuzzer: a JSON escape for half a UTF-16 pair made printing the error fail
    with UnicodeEncodeError.  Run in a child so that the real standard streams are used."""
    import subprocess
    import sys

    path = tmp_path / "s.yaml"
    path.write_text('{"schema_version": 1, "metadata": {"id": "x\\ud800", "title": "t"}}')
    proc = subprocess.run(
        [sys.executable, "-m", "negosim", "validate", str(path)], capture_output=True, check=False
    )
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2, err
    assert "Traceback" not in err
    assert "(got 'x\\ud800')" in err  # escaped, as written in the file
