"""The README's commands exist, and ``__all__`` is honest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import negosim
from negosim.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


# The README's python blocks run in tests/test_readme_blocks.py.


def test_readme_commands_exist(capsys):
    shell = "\n".join(re.findall(r"```(?:bash|text)\n(.*?)```", README, flags=re.S))
    commands = set(re.findall(r"^(?:\$ )?negosim (\w+)", shell, flags=re.M))
    assert {"validate", "schema", "run", "sweep"} <= commands
    for command in sorted(commands):
        assert main([command, "--help"]) == 0, command
    capsys.readouterr()


def test_readme_two_commands_are_the_scripts():
    assert "./scripts/run" in README and "./scripts/test" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert "./scripts/test" in ci


@pytest.mark.parametrize("name", negosim.__all__)
def test_all_names_exist(name):
    assert hasattr(negosim, name)


def test_public_functions_have_docstrings():
    for name in negosim.__all__:
        obj = getattr(negosim, name)
        if callable(obj) and not name.startswith("_"):
            assert obj.__doc__, name


def _modules() -> list[str]:
    import pkgutil

    return sorted(
        info.name
        for info in pkgutil.walk_packages(negosim.__path__, prefix="negosim.")
        if not info.name.endswith("__main__")  # running the command is not importing it
    )


@pytest.mark.parametrize("module_name", _modules())
def test_every_module_is_documented_and_its_all_is_honest(module_name):
    import importlib
    import inspect

    module = importlib.import_module(module_name)
    assert module.__doc__, f"{module_name} has no docstring"
    for name in getattr(module, "__all__", ()):
        assert hasattr(module, name), f"{module_name}.__all__ names missing {name!r}"
        obj = getattr(module, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert obj.__doc__, f"{module_name}.{name} has no docstring"
