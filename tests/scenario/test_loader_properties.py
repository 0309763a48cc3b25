"""Property: the loader returns a Scenario or raises ScenarioError, never anything else."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from negosim import Scenario, ScenarioError, load_scenario_text

VALID = Path(__file__).parent / "fixtures" / "valid"
BASE_TEXT = (VALID / "minimal.yaml").read_text(encoding="utf-8")
BASE: dict[str, Any] = json.loads(
    json.dumps(YAML(typ="safe", pure=True).load(BASE_TEXT), default=str)
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["alpha", "beta", "treaty", "legal", "none", "memo", "2020-02-02", "NO", "1w"]),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, child in node.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            out += _paths(child, (*prefix, i))
    return out


ALL_PATHS = [p for p in _paths(BASE) if p]


@st.composite
def mutated_documents(draw: st.DrawFn) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(ALL_PATHS))
        parent: Any = doc
        try:
            for part in path[:-1]:
                parent = parent[part]
            last = path[-1]
            action = draw(st.sampled_from(["replace", "delete", "insert"]))
            if action == "replace":
                parent[last] = draw(values)
            elif action == "delete":
                del parent[last]
            elif isinstance(parent, dict):
                parent[draw(st.text(max_size=10))] = draw(values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or retyped this path
    return doc


def _check(text: str) -> None:
    try:
        result = load_scenario_text(text, base_dir=VALID)
    except ScenarioError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.render()
    else:
        assert isinstance(result, Scenario)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_documents())
def test_mutated_scenarios_load_or_raise_scenario_error(doc):
    # JSON is YAML 1.2, so this exercises the real parser too.
    _check(json.dumps(doc, allow_nan=True))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_raw_bytes_load_or_raise_scenario_error(data):
    try:
        load_scenario_text(data, base_dir=VALID)
    except ScenarioError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(BASE_TEXT) - 1), st.integers(1, 40), st.text(max_size=5))
def test_spliced_text_loads_or_raises_scenario_error(start, length, insert):
    _check(BASE_TEXT[:start] + insert + BASE_TEXT[start + length :])
