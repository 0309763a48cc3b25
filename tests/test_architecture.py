"""The shape of the package: no import cycles, no long modules, no private imports across
modules, and tests that import the package as installed (never through ``sys.path``)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "negosim"
MAX_LINES = 600


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_no_import_cycles():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "import_cycles.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("0 import cycle(s) in negosim/"), done.stdout


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_too_long(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines"


def _private_imports(path: Path) -> list[str]:
    """``from negosim.x import _y`` (and its relative forms) anywhere in the module."""
    found = []
    for node in ast.walk(_tree(path)):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level == 0 and not (node.module or "").split(".")[0] == "negosim":
            continue
        for alias in node.names:
            name = alias.name
            if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
                found.append(f"line {node.lineno}: from {node.module} import {name}")
    return found


def test_no_module_imports_a_private_name_of_another():
    found = {
        str(path.relative_to(ROOT)): hits for path in _modules() if (hits := _private_imports(path))
    }
    assert not found


def _uses_sys_path(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "path":
            if isinstance(node.value, ast.Name) and node.value.id == "sys":
                return True
        if isinstance(node, ast.ImportFrom) and node.module == "sys":
            if any(alias.name == "path" for alias in node.names):
                return True
    return False


def test_no_test_touches_sys_path():
    users = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "tests").rglob("*.py"))
        if _uses_sys_path(_tree(path))
    ]
    assert not users


def test_the_checks_see_what_they_look_for(tmp_path):
    """The checks above are not vacuous: each flags a file made to break its rule."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import sys\nsys.path.insert(0, '.')\nfrom negosim.scenario.checks import _split\n",
        encoding="utf-8",
    )
    assert _uses_sys_path(_tree(bad))
    assert _private_imports(bad) == ["line 3: from negosim.scenario.checks import _split"]
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "sub" / "__init__.py").write_text("", encoding="utf-8")
    (package / "a.py").write_text("def f():\n    from pkg.sub import b\n", encoding="utf-8")
    (package / "sub" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.a\n", encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "import_cycles.py"), str(package)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "2 module(s): pkg.a, pkg.sub.b" in done.stdout
    assert done.stdout.strip().endswith("1 import cycle(s) in pkg/")
