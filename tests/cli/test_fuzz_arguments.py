"""Fuzzing every command's arguments (issue 12, point 9): a seeded mix of each command's real flags
with edge values — negative, zero, huge, non-numeric and empty numbers; paths that exist, do not,
are folders, are files, are devices; repeated and unknown flags — run in this process through
:func:`negosim.cli.main`.  Every argument list ends with exit 0, 1 or 2, never a traceback, and
says something on standard error when it fails.

The argument lists that once gave a traceback are kept below as explicit regression cases.
Work stays tiny (runs of 1 to 3, few bootstrap replicates, cheap backtest models), and three
things are built once and reused: the click command behind ``main`` (Typer rebuilds it from the
function signatures on every call), the one valid scenario and the JSON Schema (pure functions of
the code and of an unchanged file; hostile files still go through the real loader every time), so
that the whole file runs in seconds.
"""

from __future__ import annotations

import functools
import os
import shutil
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import typer.main

import negosim.scenario
from negosim.cli import main

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "scenario" / "fixtures" / "valid"
LISTS_PER_COMMAND = 200

SMALL = ["1", "2", "3"]
EDGE = ["0", "-1", "-7", "-0", str(2**31), str(2**63 - 1), str(2**63), str(-(2**63)), "9" * 30]
NOT_A_NUMBER = ["", " ", "abc", "1.5", "1e3", "0x10", "nan", "inf", "-inf", "--", "٣", "1_0"]
NAMES = ["", ",", " , ", "nope", "BARGAINING", "é", "a" * 300, "--runs"]
Rng = np.random.Generator


def pick(rng: Rng, values: list[str]) -> str:
    return values[int(rng.integers(len(values)))]


def number(rng: Rng, small: list[str] = SMALL) -> str:
    """Mostly a small valid number, else an edge or non-numeric value."""
    roll = rng.random()
    return pick(rng, small if roll < 0.7 else EDGE if roll < 0.88 else NOT_A_NUMBER)


def _make_paths(root: Path) -> None:
    """The files and folders of :class:`Paths`, made once per module and copied per test."""
    shutil.copytree(FIXTURE, root / "scenarios")
    scenario = str(root / "scenarios" / "minimal.yaml")
    (root / "broken.yaml").write_text("schema_version: 1\nmetadata: [\n", encoding="utf-8")
    (root / "empty.yaml").write_bytes(b"")
    (root / "binary.yaml").write_bytes(bytes(range(256)))
    (root / "notes.txt").write_text("not a scenario\n", encoding="utf-8")
    (root / "a dir").mkdir()
    assert main(["run", scenario, "--runs", "3", "--out", str(root / "run")]) == 0
    vary = "actors.alpha.capability=0.5,0.6"
    sweep = ["sweep", scenario, "--vary", vary, "--runs", "2", "--seed", "1"]
    assert main([*sweep, "--out", str(root / "sweep")]) == 0
    shutil.copytree(root / "run", root / "damaged-run")
    (root / "damaged-run" / "manifest.json").write_text("{not json", encoding="utf-8")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz-template")
    _make_paths(root)
    return root


class Paths:
    """The files and folders the fuzz points its path arguments at: a fresh copy of the
    template (a valid scenario with its source, broken and odd files, a folder, a run folder,
    a sweep folder, a run folder with a damaged manifest)."""

    def __init__(self, template: Path, root: Path):
        shutil.copytree(template, root, dirs_exist_ok=True, symlinks=True)
        self.root = root
        scenarios = root / "scenarios"
        self.scenario = str(scenarios / "minimal.yaml")
        self.run = root / "run"
        self.sweep = root / "sweep"
        damaged = root / "damaged-run"
        self.fresh = 0
        self.existing = [
            str(root / "notes.txt"),
            str(root / "a dir"),
            str(root / "missing"),
            str(root / "notes.txt" / "below-a-file"),
            "",
            "/dev/null",
            str(root / "broken.yaml"),
            str(root / "empty.yaml"),
            str(root / "binary.yaml"),
            str(scenarios),
        ]
        self.folders = [str(self.run), str(self.sweep), str(damaged), *self.existing]

    def scenario_file(self, rng: Rng) -> str:
        """Mostly the valid scenario, so that the flags after it get exercised."""
        return self.scenario if rng.random() < 0.7 else pick(rng, self.existing)

    def out(self, rng: Rng) -> str:
        """A new folder, or one of the awkward existing paths."""
        if rng.random() < 0.4:
            self.fresh += 1
            return str(self.root / "out" / str(self.fresh))
        return pick(rng, [*self.existing, str(self.run), str(self.sweep), "/proc/x"])


Flag = tuple[str, Callable[[Rng, Paths], str] | None, float]  # name, value, probability


def _lists(
    rng: Rng,
    paths: Paths,
    positional: Callable[[Rng, Paths], list[str]],
    flags: list[Flag],
    *,
    cheap: list[str] | None = None,
) -> list[str]:
    """One argument list: the positionals, each flag with its probability (sometimes twice), an
    unknown flag now and then, in a shuffled order of flags."""
    args: list[list[str]] = []
    for name, value, probability in flags:
        for _ in range(2 if rng.random() < 0.05 else 1):  # a repeated flag
            if rng.random() < probability:
                args.append([name] if value is None else [name, value(rng, paths)])
    if rng.random() < 0.05:
        args.append([pick(rng, ["--nope", "-x", "--", "--runs=2", "-", "--help"])])
    order = rng.permutation(len(args))
    flat = [part for i in order for part in args[int(i)]]
    if cheap is not None and "--models" not in flat:
        flat += ["--models", pick(rng, cheap)]
    if rng.random() < 0.03 and flat:
        flat = flat[:-1]  # a flag left without its value
    return [*positional(rng, paths), *flat]


def _root(rng: Rng, paths: Paths) -> str:
    return pick(rng, [str(paths.root), "/", *paths.existing])


SOURCES_ROOT: Flag = ("--sources-root", _root, 0.1)


def _validate(rng: Rng, paths: Paths) -> list[str]:
    files = [paths.scenario_file(rng) for _ in range(int(rng.integers(0, 4)))]
    return _lists(rng, paths, lambda r, p: ["validate", *files], [SOURCES_ROOT])


def _schema(rng: Rng, paths: Paths) -> list[str]:
    def extra(r: Rng, p: Paths) -> list[str]:
        return ["schema"] + ([pick(r, ["x", p.scenario])] if r.random() < 0.1 else [])

    return _lists(
        rng,
        paths,
        extra,
        [("--out", lambda r, p: p.out(r), 0.6), ("-o", lambda r, p: p.out(r), 0.2)],
    )


MODELS = ["bargaining", "compromise", "nash", "expected_utility", "exchange", *NAMES]


def _run(rng: Rng, paths: Paths) -> list[str]:
    return _lists(
        rng,
        paths,
        lambda r, p: ["run", p.scenario_file(r)],
        [
            ("--runs", lambda r, p: number(r), 0.95),
            ("--seed", lambda r, p: number(r, ["0", "1", "2012"]), 0.5),
            ("--out", lambda r, p: p.out(r), 0.9),
            ("--model", lambda r, p: pick(r, MODELS), 0.3),
            ("--trajectories", None, 0.2),
            ("--explain", None, 0.2),
            ("--run", lambda r, p: number(r, ["0", "1", "2"]), 0.2),
            ("--plot", None, 0.03),  # drawing is slow: rare
            SOURCES_ROOT,
        ],
    )


GOOD_VARY = [
    "actors.alpha.capability=0.5,0.6",
    "actors.alpha.capability=0.1:0.9:3",
    "actors.beta.capability=0.2,0.3",
]
BAD_VARY = [
    "actors.alpha.capability=0:1:0",
    "actors.alpha.capability=0:1:-2",
    "actors.alpha.capability=0:1:1000000000",
    "actors.alpha.capability=nan,inf",
    "actors.alpha.capability=1e400,2",
    "actors.alpha.capability=-5,5",
    "actors.alpha.capability=",
    "actors.nobody.capability=1,2",
    "actors..capability=1",
    "nope",
    "=",
    "=1,2",
    "",
    "a=b=c",
    "actors.alpha.capability=1:2:3:4",
    "actors.alpha.name=x,y",
    "issues.treaty.kind=continuous,ordinal",
]


def _vary(rng: Rng, paths: Paths) -> str:
    return pick(rng, GOOD_VARY if rng.random() < 0.6 else BAD_VARY)


def _sweep(rng: Rng, paths: Paths) -> list[str]:
    return _lists(
        rng,
        paths,
        lambda r, p: ["sweep", p.scenario_file(r)],
        [
            ("--vary", _vary, 0.97),
            ("--vary", _vary, 0.2),
            ("--runs", lambda r, p: number(r), 0.97),
            ("--seed", lambda r, p: number(r, ["0", "1"]), 0.97),
            ("--out", lambda r, p: p.out(r), 0.97),
            ("--lhs", lambda r, p: number(r, ["2", "3"]), 0.15),
            # No worker processes or clusters are started here (tests/hostile/test_workers.py
            # has those): counts that start none, and addresses refused before connecting.
            ("--workers", lambda r, p: number(r, ["1"]), 0.15),
            ("--scheduler", lambda r, p: pick(r, ["", "nope", "ftp://x", "tcp://", "::"]), 0.1),
            ("--block-size", lambda r, p: number(r), 0.2),
            ("--model", lambda r, p: pick(r, MODELS), 0.2),
            ("--no-workers-timeout", lambda r, p: number(r, ["0.1", "1", "30"]), 0.1),
            SOURCES_ROOT,
        ],
    )


FORMATS = ["png", "svg", "pdf", "PNG", "jpg", "", "png,svg", "../x"]


def _plot(rng: Rng, paths: Paths) -> list[str]:
    def folder(r: Rng, p: Paths) -> list[str]:
        # A folder that really plots is slow to draw (half a second): one list in fifteen.
        good = r.random() < 0.07
        return ["plot", pick(r, p.folders[:2] if good else p.folders[2:])]

    return _lists(rng, paths, folder, [("--format", lambda r, p: pick(r, FORMATS), 0.6)])


def _compare(rng: Rng, paths: Paths) -> list[str]:
    models = ["compromise", "nash", "compromise,nash", "bargaining", *NAMES]
    return _lists(
        rng,
        paths,
        lambda r, p: ["compare", p.scenario_file(r)],
        [
            ("--models", lambda r, p: pick(r, models), 0.9),
            ("--runs", lambda r, p: number(r), 0.95),
            ("--seed", lambda r, p: number(r, ["0", "1"]), 0.4),
            ("--out", lambda r, p: p.out(r), 0.15),  # a figure per issue: rare
            SOURCES_ROOT,
        ],
    )


# The backtest models that score in milliseconds; the others tune for seconds.
CHEAP_BACKTEST = ["compromise", "mean", "median", "status_quo", "mean,median", *NAMES]


def _backtest(rng: Rng, paths: Paths) -> list[str]:
    def dataset(r: Rng, p: Paths) -> list[str]:
        roll = r.random()
        return ["backtest"] + ([] if roll < 0.5 else ["deu3"] if roll < 0.8 else [pick(r, NAMES)])

    return _lists(
        rng,
        paths,
        dataset,
        [
            (
                "--capability",
                lambda r, p: pick(r, ["gdp", "council", "shapley_shubik", *NAMES]),
                0.4,
            ),
            ("--boot", lambda r, p: number(r, ["1", "2", "5"]), 0.95),
            ("--seed", lambda r, p: number(r, ["0", "1"]), 0.3),
            ("--out", lambda r, p: p.out(r), 0.1),
        ],
        cheap=CHEAP_BACKTEST,
    )


COMMANDS: dict[str, Callable[[Rng, Paths], list[str]]] = {
    "validate": _validate,
    "schema": _schema,
    "run": _run,
    "sweep": _sweep,
    "plot": _plot,
    "compare": _compare,
    "backtest": _backtest,
}


@pytest.fixture
def reuse_the_valid_scenario(monkeypatch):
    """Build the click command once, parse the fuzz's one valid scenario once, and build the
    JSON Schema once."""
    real_command = typer.main.get_command
    commands: dict[int, object] = {}

    def get_command(app):
        if id(app) not in commands:
            commands[id(app)] = real_command(app)
        return commands[id(app)]

    monkeypatch.setattr(typer.main, "get_command", get_command)
    real = negosim.scenario.load_scenario
    parsed: dict[tuple[str, str], negosim.scenario.Scenario] = {}
    valid: list[str] = []

    def load_scenario(path, **kwargs):
        if valid and os.fspath(path) == valid[0]:
            key = (os.fspath(path), repr(sorted(kwargs.items())))
            if key not in parsed:
                parsed[key] = real(path, **kwargs)
            return parsed[key]
        return real(path, **kwargs)

    monkeypatch.setattr(negosim.scenario, "load_scenario", load_scenario)
    schema = functools.cache(negosim.scenario.scenario_json_schema)
    monkeypatch.setattr(negosim.scenario, "scenario_json_schema", schema)
    return valid


def _outcome(args: list[str], capsys: pytest.CaptureFixture[str]) -> str | None:
    """None if ``negosim ARGS`` ended as a user must see it end, else what went wrong."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")  # a warning is printed, as on the command line
            code = main(args)
    except BaseException:  # anything escaping main is a traceback for the user
        capsys.readouterr()
        return traceback.format_exc(limit=-3)
    captured = capsys.readouterr()
    text = captured.out + captured.err
    if "Traceback" in text:
        return text
    if code not in (0, 1, 2):
        return f"exit {code}: {captured.err}"
    if code != 0 and not captured.err.strip():
        return f"exit {code} with nothing on standard error"
    return None


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_fuzzed_arguments_end_in_0_1_or_2_without_a_traceback(
    command, template, tmp_path, monkeypatch, capsys, reuse_the_valid_scenario
):
    monkeypatch.chdir(tmp_path)  # `run` without --out writes results/<id> here
    paths = Paths(template, tmp_path)
    reuse_the_valid_scenario.append(paths.scenario)
    capsys.readouterr()
    rng = np.random.default_rng([12, sorted(COMMANDS).index(command)])
    failures = []
    for _ in range(LISTS_PER_COMMAND):
        args = COMMANDS[command](rng, paths)
        problem = _outcome(args, capsys)
        if problem is not None:
            failures.append(f"negosim {' '.join(map(repr, args))}\n{problem}")
    assert not failures, f"{len(failures)} of {LISTS_PER_COMMAND}:\n\n" + "\n\n".join(failures)


# Argument lists that gave a traceback before issue 12, each with the path names it uses
# ({scenario}, {run}, {sweep}, {file}, {dir}, {new}) filled in from a fresh Paths.
REGRESSIONS = [
    # A bootstrap of a few replicates whose interval misses its point estimate: matplotlib's
    # errorbar refused the negative offset when drawing backtest.png.
    "backtest --boot 5 --models compromise --out {new}",
    "backtest --boot 1 --models compromise,mean --out {new}",
    # A scheduler address Dask cannot parse: ValueError from distributed.
    "sweep {scenario} --vary actors.alpha.capability=0.5,0.6 --runs 2 --seed 1 --out {new} "
    "--scheduler nope",
    "sweep {scenario} --vary actors.alpha.capability=0.5,0.6 --runs 2 --seed 1 --out {new} "
    "--scheduler ftp://x",
    "sweep {scenario} --vary actors.alpha.capability=0.5,0.6 --runs 2 --seed 1 --out {new} "
    "--scheduler ",
    # A bootstrap too large for memory: numpy's MemoryError (or "maximum allowed dimension").
    "backtest --boot 2147483648 --models status_quo",
    "backtest deu3 --boot 999999999999999999999999999999 --models compromise",
    # Trajectories asked of a forecasting model, which plays no rounds: ValueError.
    "run {scenario} --trajectories --runs 1 --model compromise --out {new}",
    "run {scenario} --trajectories --explain --runs 1 --model exchange --out {new}",
]


@pytest.mark.parametrize("arguments", REGRESSIONS)
def test_argument_lists_that_once_gave_a_traceback(
    arguments, template, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    paths = Paths(template, tmp_path)
    capsys.readouterr()
    line = arguments.format(
        scenario=paths.scenario,
        run=paths.run,
        sweep=paths.sweep,
        file=tmp_path / "notes.txt",
        dir=tmp_path / "a dir",
        new=tmp_path / "new",
    )
    args = line.split(" ")
    assert _outcome(args, capsys) is None
