"""Declared beliefs (issue 13, point 1): the schema, located errors, the JSON Schema and the docs.

``fixtures/beliefs/valid.yaml`` is the minimal scenario with beliefs; every other file there is it
with one mistake (``fixtures/beliefs/regenerate.py``).  The expected messages were written from the
mistake, naming the line the mistake is on.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from negosim.cli import main
from negosim.scenario.distributions import Uniform
from negosim.scenario.loader import load_scenario, load_scenario_text
from negosim.scenario.schema import Belief, BeliefStance

HERE = Path(__file__).resolve().parent
BELIEFS = HERE / "fixtures" / "beliefs"
ROOT = HERE.parents[1]
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"
DOCS = ROOT / "docs" / "scenario-format.md"

# name -> the lines of the error, after "path:".
EXPECTED: dict[str, list[str]] = {
    "unknown_target": [
        "44: actors.alpha.beliefs.gamma: unknown actor 'gamma' (known: alpha, beta)"
    ],
    "belief_about_itself": [
        "44: actors.alpha.beliefs.alpha: an actor knows its own numbers: a belief is about another "
        "actor"
    ],
    "stance_target_lacks": [
        "81: actors.beta.beliefs.alpha.stances.tariffs: unknown issue among the stances of "
        "'alpha': 'tariffs' (known: treaty)"
    ],
    "unknown_option": [
        "84: actors.beta.beliefs.alpha.stances.treaty.utilities.binding: unknown option of issue "
        "'treaty': 'binding' (known: legal, none, political)"
    ],
    "pass_probability_without_ratification": [
        "79: actors.beta.beliefs.alpha.pass_probability: actor 'alpha' has no `ratification`: "
        "there is no pass probability to hold a belief about"
    ],
    "fallback_value_out_of_range": [
        "45: actors.alpha.beliefs.beta.fallback_value: fallback value must lie in [0, 1] (got "
        "values from 0.2 to 1.4)"
    ],
    "patience_zero": ["46: actors.alpha.beliefs.beta.patience: patience must be > 0 (got 0)"],
    "risk_out_of_range": [
        "79: actors.beta.beliefs.alpha.risk: risk must lie in [-1, 1] (got values from -1.5 to 0)"
    ],
    "pass_probability_out_of_range": [
        "47: actors.alpha.beliefs.beta.pass_probability: probability must lie in [0, 1] (got "
        "values from 0.1 to 1.3)"
    ],
    "salience_out_of_range": [
        "82: actors.beta.beliefs.alpha.stances.treaty.salience: salience must lie in [0, 1] (got "
        "values from 0.2 to 1.5)"
    ],
    "utility_out_of_range": [
        "84: actors.beta.beliefs.alpha.stances.treaty.utilities.political: utility must lie in "
        "[0, 1] (got -0.8)"
    ],
    "empty_belief": [
        "78: actors.beta.beliefs.alpha: a belief gives at least one of fallback_value, patience, "
        "risk, pass_probability or stances (without a belief the holder keeps the common prior: "
        "leave the entry out)"
    ],
    "empty_stance_belief": [
        "81: actors.beta.beliefs.alpha.stances.treaty: a belief about a stance gives `salience`, "
        "`utilities` or both (leave the issue out to keep the common prior)"
    ],
    "missing_provenance": [
        "44: actors.alpha.beliefs.beta: needs provenance: give `evidence` (source id and verbatim "
        "quote) or an `assumption` with a one-line rationale, on the belief or on each number it "
        "gives"
    ],
    "unknown_belief_field": [
        "45: actors.alpha.beliefs.beta.fallback: unknown field 'fallback' (did you mean "
        "'fallback_value'? allowed: assumption, evidence, fallback_value, pass_probability, "
        "patience, risk, stances)"
    ],
}


def test_every_broken_fixture_has_an_expectation():
    on_disk = {p.stem for p in BELIEFS.glob("*.yaml")} - {"valid"}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_belief_is_refused_at_its_line(name, capsys):
    path = BELIEFS / f"{name}.yaml"
    code = main(["validate", str(path)])
    captured = capsys.readouterr()
    assert code == 2
    expected = [f"{path}:{line}" for line in EXPECTED[name]]
    assert captured.err.splitlines() == [*expected, "1 of 1 file(s) invalid"]
    assert "Traceback" not in captured.err


def test_valid_beliefs_load_as_written():
    s = load_scenario(BELIEFS / "valid.yaml")
    alpha_about_beta = s.actors["alpha"].beliefs["beta"]
    assert alpha_about_beta.fallback_value == Uniform(uniform=(0.2, 0.4))
    assert alpha_about_beta.risk is None and alpha_about_beta.stances == {}
    assert alpha_about_beta.assumption == "Alpha reads Beta's threats as bluff."
    stance = s.actors["beta"].beliefs["alpha"].stances["treaty"]
    assert isinstance(stance, BeliefStance)
    assert stance.salience == Uniform(
        uniform=(0.2, 0.5), assumption="Beta thinks Alpha cares little."
    )
    assert set(stance.utilities) == {"political"}
    # A belief's provenance is listed with the rest, at its path.
    assumptions = dict(s.assumptions())
    assert assumptions["actors.alpha.beliefs.beta"] == "Alpha reads Beta's threats as bluff."
    assert (
        assumptions["actors.beta.beliefs.alpha.stances.treaty.salience"]
        == "Beta thinks Alpha cares little."
    )


def test_without_beliefs_an_actor_has_none():
    s = load_scenario(HERE / "fixtures" / "valid" / "minimal.yaml")
    assert all(actor.beliefs == {} for actor in s.actors.values())


def test_the_shipped_json_schema_describes_beliefs():
    """``docs/scenario.schema.json`` is regenerated with ``negosim schema -o ...``: the belief
    fields carry the schema's own descriptions."""
    document = json.loads((ROOT / "docs" / "scenario.schema.json").read_text(encoding="utf-8"))
    definitions = document["$defs"]
    actor = definitions["Actor"]["properties"]["beliefs"]
    assert actor["description"].startswith("What this actor believes about other actors'")
    assert actor["patternProperties"] == {"^[a-z][a-z0-9_]*$": {"$ref": "#/$defs/Belief"}}
    belief = definitions["Belief"]["properties"]
    assert set(belief) == {
        "evidence",
        "assumption",
        "fallback_value",
        "patience",
        "risk",
        "pass_probability",
        "stances",
    }
    for name in ("fallback_value", "patience", "risk", "pass_probability", "stances"):
        assert belief[name]["description"] == Belief.model_fields[name].description
    assert set(definitions["BeliefStance"]["properties"]) == {"salience", "utilities"}


def _docs_example() -> str:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("#### Beliefs: what actors think they know about each other", 1)[1]
    match = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert match is not None
    return match.group(1)


def test_the_documented_example_fits_the_seed_scenario():
    """NATO's belief of the docs' example, added to the shipped seed scenario, validates."""
    example = _docs_example()
    nato_beliefs = example[example.index("    beliefs:\n") :]
    seed = SEED.read_text(encoding="utf-8")
    assert seed.count("\n  russia:\n") == 1
    text = seed.replace("\n  russia:\n", "\n" + nato_beliefs + "\n  russia:\n")
    s = load_scenario_text(text, base_dir=SEED.parent, path=str(SEED))
    belief = s.actors["nato"].beliefs["russia"]
    assert belief.fallback_value == Uniform(
        uniform=(0.2, 0.4), assumption="NATO reads Russia's threats as bluff"
    )
    assert set(belief.stances) == {"guarantees"}
