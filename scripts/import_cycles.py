#!/usr/bin/env python3
"""Find the import cycles among the modules of the ``negosim`` package.

Usage::

    python scripts/import_cycles.py [PACKAGE_DIR]

Every ``.py`` file under ``PACKAGE_DIR`` (default: the ``negosim/`` folder beside this script's
folder) is parsed with :mod:`ast`, never imported.  Every ``import`` statement counts, wherever it
sits: at module level, inside a function, or under ``if TYPE_CHECKING:``.  The edges of the graph:

* ``import negosim.a.b`` imports ``negosim.a.b`` (and, as Python does, the packages
  ``negosim`` and ``negosim.a``, that is their ``__init__`` modules);
* ``from negosim.a import b`` imports ``negosim.a``, and also ``negosim.a.b`` when that is a
  module of the package (a submodule, not a name defined in ``a``);
* relative imports (``from . import x``, ``from ..a import b``) are resolved against the module's
  own package.

The packages that Python imports on the way to a module count too (``from negosim.tables.results
import Results`` runs ``negosim/tables/__init__.py``), except the importing module's own
ancestors: they are imported before it runs, and counting them would make every ``__init__`` that
re-exports its submodules a cycle.  An explicit import of an ancestor (``from negosim import x``
inside ``negosim/a.py``) does count.

The script prints every cycle, that is each strongly connected component of more than one module
and each module that imports itself, as its members and one shortest cycle through them, then
their count; it exits 1 if there is any, else 0.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path


def module_names(package_dir: Path) -> dict[str, Path]:
    """Dotted name -> file, for every module under ``package_dir`` (``__init__`` = the package)."""
    root = package_dir.name
    names: dict[str, Path] = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = [root, *path.relative_to(package_dir).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _imported(tree: ast.AST, module: str, is_package: bool, known: set[str]) -> Iterator[str]:
    """Every dotted name of the package that the statements of ``tree`` import.

    The module named by a statement counts, and so do the packages above it that Python imports on
    the way, except the importing module's own ancestors (imported before it runs; for a package's
    ``__init__``, the package itself).
    """
    package = module if is_package else module.rpartition(".")[0]
    ancestors = set(_parents(module)) | ({module} if is_package else set())
    for node in ast.walk(tree):
        named: list[str] = []
        if isinstance(node, ast.Import):
            named = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            named = [base]
            named += [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known]
        for name in named:
            yield name
            yield from (p for p in _parents(name) if p not in ancestors)


def _parents(name: str) -> list[str]:
    """``a.b.c`` -> ``["a", "a.b"]``."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same package that it imports."""
    known = module_names(package_dir)
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        imported = _imported(tree, name, path.name == "__init__.py", set(known))
        graph[name] = {target for target in imported if target in known}
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components in no particular order, members sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def one_cycle(graph: dict[str, set[str]], members: list[str]) -> list[str]:
    """A shortest cycle through the first member, staying inside the component."""
    inside = set(members)
    start = members[0]
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & inside):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    return [start, start]


def find_cycles(package_dir: Path) -> list[tuple[list[str], list[str]]]:
    """Each cycle as (its modules, sorted; one shortest cycle through the first of them)."""
    graph = import_graph(package_dir)
    cycles = []
    for component in strongly_connected(graph):
        if len(component) > 1 or component[0] in graph[component[0]]:
            cycles.append((component, one_cycle(graph, component)))
    return sorted(cycles)


def main(argv: list[str]) -> int:
    """Print the cycles and their count; 1 if there is any."""
    default = Path(__file__).resolve().parent.parent / "negosim"
    package_dir = Path(argv[0]) if argv else default
    cycles = find_cycles(package_dir)
    for members, cycle in cycles:
        print(f"{len(members)} module(s): {', '.join(members)}")
        print(f"    e.g. {' -> '.join(cycle)}")
    print(f"{len(cycles)} import cycle(s) in {package_dir.name}/")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
