"""Fuzzing `negosim validate` and `negosim run`: every input ends as exit 0 or a located error
with exit 2 — never a traceback or a hang."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negosim.cli import main
from tests.scenario.test_loader_properties import BASE_TEXT, VALID, mutated_documents

COUNTER = {"validate": 0, "run": 0}


def _check(capsys, args: list[str]) -> None:
    code = main(args)
    captured = capsys.readouterr()
    assert code in (0, 2), (code, captured.err)
    assert "Traceback" not in captured.err
    if code == 2:
        assert captured.err.strip()


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(doc=mutated_documents())
def test_validate_and_run_mutated_scenarios(doc, tmp_path_factory, capsys):
    folder = tmp_path_factory.mktemp("fuzz", numbered=True)
    (folder / "memo.txt").write_text((VALID / "memo.txt").read_text())
    path = folder / "s.yaml"
    path.write_text(json.dumps(doc, allow_nan=True))
    _check(capsys, ["validate", str(path)])
    COUNTER["validate"] += 1
    _check(capsys, ["run", str(path), "--runs", "3", "--out", str(folder / "out")])
    COUNTER["run"] += 1


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_validate_raw_bytes(data, tmp_path_factory, capsys):
    path = tmp_path_factory.mktemp("raw", numbered=True) / "s.yaml"
    path.write_bytes(data)
    _check(capsys, ["validate", str(path)])


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    start=st.integers(0, len(BASE_TEXT) - 1), length=st.integers(1, 60), insert=st.text(max_size=8)
)
def test_run_spliced_text(start, length, insert, tmp_path_factory, capsys):
    folder = tmp_path_factory.mktemp("splice", numbered=True)
    (folder / "memo.txt").write_text((VALID / "memo.txt").read_text())
    path = folder / "s.yaml"
    path.write_text(BASE_TEXT[:start] + insert + BASE_TEXT[start + length :])
    _check(capsys, ["run", str(path), "--runs", "3", "--out", str(folder / "out")])


def test_cli_argument_errors(tmp_path, capsys):
    seed = "scenarios/nato_russia_missile_defence_2012.yaml"
    for args, needle in [
        (["run", seed, "--runs", "-1"], "runs must be a whole number"),
        (["run", seed, "--model", "oracle"], "unknown model 'oracle'"),
        (
            ["sweep", seed, "--vary", "nope", "--runs", "5", "--seed", "1", "--out", str(tmp_path)],
            "--vary needs PATH=start:stop:num",
        ),
        (
            [
                "sweep",
                seed,
                "--vary",
                "actors.x.capability=1,2",
                "--runs",
                "5",
                "--seed",
                "1",
                "--out",
                str(tmp_path / "a"),
            ],
            "unknown scenario path 'actors.x.capability'",
        ),
        (
            [
                "sweep",
                seed,
                "--vary",
                "actors.russia.capability=0.1,0.2",
                "--runs",
                "0",
                "--seed",
                "1",
                "--out",
                str(tmp_path / "b"),
            ],
            "runs must be a whole number",
        ),
    ]:
        assert main(args) == 2, args
        err = capsys.readouterr().err
        assert needle in err and "Traceback" not in err
