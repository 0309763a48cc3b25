"""Cheap imports: ``import negosim``, ``negosim --help`` and ``negosim validate`` load neither Mesa,
matplotlib nor Dask.  Each case runs in a fresh interpreter and reports ``sys.modules`` at exit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"
HEAVY = ("mesa", "matplotlib", "dask", "distributed")
# Only import negosim and --help promise these too: validate checks engine.model against the
# registry of models, whose modules use pandas.
DATA = ("pandas", "pyarrow")

REPORT = """
import atexit, json, sys
atexit.register(lambda: sys.__stderr__.write(
    "MODULES " + json.dumps(sorted({name.split('.')[0] for name in sys.modules})) + "\\n"))
"""


def _loaded(code: str, tmp_path: Path) -> tuple[int, set[str], str]:
    done = subprocess.run(
        [sys.executable, "-c", REPORT + code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        timeout=300,
    )
    line = [row for row in done.stderr.splitlines() if row.startswith("MODULES ")][-1]
    return done.returncode, set(json.loads(line.removeprefix("MODULES "))), done.stdout


def _cli(*args: str) -> str:
    return f"from negosim.cli import main\nsys.exit(main({list(args)!r}))\n"


def test_import_negosim_is_cheap(tmp_path):
    code, modules, _ = _loaded("import negosim\n", tmp_path)
    assert code == 0
    assert modules.isdisjoint(HEAVY + DATA), sorted(modules & set(HEAVY + DATA))


def test_help_is_cheap(tmp_path):
    code, modules, out = _loaded(_cli("--help"), tmp_path)
    assert code == 0 and "validate" in out
    assert modules.isdisjoint(HEAVY + DATA), sorted(modules & set(HEAVY + DATA))


@pytest.mark.parametrize("command", ["run", "sweep", "compare", "backtest", "plot", "audit"])
def test_command_help_is_cheap(tmp_path, command):
    code, modules, _ = _loaded(_cli(command, "--help"), tmp_path)
    assert code == 0
    assert modules.isdisjoint(HEAVY), sorted(modules & set(HEAVY))


def test_validate_loads_no_mesa_matplotlib_or_dask(tmp_path):
    code, modules, out = _loaded(_cli("validate", str(SEED)), tmp_path)
    assert code == 0 and out.startswith("ok ")
    assert modules.isdisjoint(HEAVY), sorted(modules & set(HEAVY))


def test_a_bargaining_run_does_load_mesa(tmp_path):
    """The check above is not vacuous: playing a block of the bargaining model needs Mesa."""
    code, modules, _ = _loaded(
        _cli("run", str(SEED), "--runs", "1", "--out", str(tmp_path / "out")), tmp_path
    )
    assert code == 0
    assert "mesa" in modules
    assert modules.isdisjoint(("matplotlib", "dask", "distributed"))


def test_lazy_names_resolve_to_the_library_functions(tmp_path):
    code, _, out = _loaded(
        "import negosim\n"
        "from negosim.simulation.simulate import simulate\n"
        "from negosim.sweeps.sweep import sweep\n"
        "from negosim.scenario.loader import load_scenario\n"
        "assert negosim.simulate is simulate and negosim.sweep is sweep\n"
        "assert negosim.load_scenario is load_scenario\n"
        "namespace = {}\n"
        "exec('from negosim import *', namespace)\n"
        "names = set(negosim.__all__)\n"
        "print(sorted(names - set(namespace)), names <= set(dir(negosim)))\n",
        tmp_path,
    )
    assert code == 0
    assert out.strip() == "[] True"


def test_an_unknown_name_is_an_attribute_error():
    import negosim

    with pytest.raises(AttributeError, match="no attribute 'simulat'"):
        _ = negosim.simulat
