"""Loading valid scenarios, hostile files, and YAML 1.2 semantics."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from negosim import ScenarioError, load_scenario, load_scenario_text
from negosim.scenario.yamlio import Limits

ROOT = Path(__file__).resolve().parents[2]
VALID = Path(__file__).parent / "fixtures" / "valid"
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"


def _problems(exc: pytest.ExceptionInfo[ScenarioError]) -> list[str]:
    return [p.render() for p in exc.value.problems]


def test_seed_scenario_loads_with_every_quote_found():
    scenario = load_scenario(SEED)
    assert set(scenario.actors) == {"nato", "russia", "united_states"}
    officials = {o.name for o in scenario.officials.values() if not o.hypothetical}
    assert officials == {
        "Anders Fogh Rasmussen",
        "James Stavridis",
        "Dmitry Medvedev",
        "Vladimir Putin",
        "Sergei Lavrov",
        "Dmitry Rogozin",
        "Nikolai Makarov",
        "Sergei Ryabkov",
        "Vladimir Vysotsky",
    }
    # Loading succeeded, so each quote was found; every `quote:` line of the file is counted.
    assert len(scenario.evidence()) == SEED.read_text(encoding="utf-8").count("quote:")
    assert scenario.deadlines["chicago"].date == dt.date(2012, 5, 20)
    assert scenario.events["election"].date == dt.date(2012, 3, 4)
    assert scenario.issues["active_endeavour"].package != scenario.issues["guarantees"].package
    assert scenario.sha256 is not None and len(scenario.sha256) == 64


def test_loaded_scenario_is_frozen():
    scenario = load_scenario(VALID / "minimal.yaml")
    with pytest.raises(ValueError, match="frozen"):
        scenario.engine = scenario.engine  # type: ignore[misc]
    with pytest.raises(ValueError, match="frozen"):
        scenario.actors["alpha"].capability = 1.0  # type: ignore[misc]
    assert isinstance(scenario.actors["alpha"].stances["treaty"].evidence, tuple)


def test_yaml_12_keeps_no_and_yes_as_strings():
    text = (
        (VALID / "minimal.yaml").read_text().replace("title: Minimal valid scenario", "title: NO")
    )
    scenario = load_scenario_text(text, base_dir=VALID)
    assert scenario.metadata.title == "NO"


def test_a_quoted_iso_date_is_accepted():
    text = (VALID / "minimal.yaml").read_text().replace("date: 2020-02-02", "date: '2020-02-02'")
    scenario = load_scenario_text(text, base_dir=VALID)
    assert scenario.events["vote"].date == dt.date(2020, 2, 2)


def test_oversize_file_refused_before_parsing(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * (256 * 1024) + b"\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(big)
    assert _problems(exc) == [f"{big}: file is 262,147 bytes, over the 262,144-byte limit"]


def test_non_utf8_refused(tmp_path):
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("title: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(ScenarioError) as exc:
        load_scenario(bad)
    assert _problems(exc) == [f"{bad}: file is not UTF-8 text (byte 10 is 0xe9)"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "<scenario>: file is empty; expected one scenario document"),
        ("a: 1\n---\nb: 2\n", "<scenario>: file holds 2 documents; expected one scenario document"),
        ("a: \x00\n", "<scenario>: file contains a NUL byte: not a text file"),
        ("42\n", "<scenario>:1: a scenario is a mapping of sections (got 42)"),
    ],
)
def test_degenerate_documents(text, message):
    with pytest.raises(ScenarioError) as exc:
        load_scenario_text(text)
    assert _problems(exc) == [message]


def test_deep_nesting_refused():
    text = "a: " + "[" * 60 + "]" * 60 + "\n"
    with pytest.raises(ScenarioError) as exc:
        load_scenario_text(text)
    assert _problems(exc) == ["<scenario>:1: nesting deeper than 40 levels is refused"]


def test_small_alias_use_is_fine_but_expansion_is_bounded():
    limits = Limits(max_nodes=50)
    text = "a: &x [1, 2, 3]\nb: [*x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x, *x]\n"
    with pytest.raises(ScenarioError) as exc:
        load_scenario_text(text, limits=limits)
    assert "alias bomb" in _problems(exc)[0]


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ScenarioError) as exc:
        load_scenario(tmp_path / "nope.yaml")
    assert _problems(exc) == [f"{tmp_path / 'nope.yaml'}: no such file"]
    with pytest.raises(ScenarioError) as exc:
        load_scenario(tmp_path)
    assert _problems(exc) == [f"{tmp_path}: is a directory, not a scenario file"]


def test_several_problems_are_all_reported_in_line_order():
    text = (VALID / "minimal.yaml").read_text()
    text = text.replace("position: legal", "position: binding").replace(
        "actor: alpha\n    role: Challenger", "actor: gamma\n    role: Challenger"
    )
    with pytest.raises(ScenarioError) as exc:
        load_scenario_text(text, base_dir=VALID)
    lines = [p.line for p in exc.value.problems]
    assert len(lines) == 2 and lines == sorted(lines)


@pytest.mark.parametrize("rule", ["consensus", "head_decides"])
def test_members_are_accepted_only_under_consensus(rule):
    text = (VALID / "minimal.yaml").read_text()
    text = text.replace(
        "  alpha:\n    name: Alpha\n    kind: state\n",
        f"  alpha:\n    name: Alpha\n    kind: alliance\n    rule: {rule}\n    members: [beta]\n",
    )
    if rule == "consensus":
        assert load_scenario_text(text, base_dir=VALID).actors["alpha"].members == ("beta",)
        return
    with pytest.raises(ScenarioError) as exc:
        load_scenario_text(text, base_dir=VALID)
    assert _problems(exc) == [
        "<scenario>:29: actors.alpha.members: an actor that lists members decides by "
        "`rule: consensus` (members are recorded for the reader; the engine reads nothing from "
        "them)"
    ]
