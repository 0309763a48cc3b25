"""`negosim run --explain`: the story names its draws, what each event did, who decides and who
pulls where, why a package broke down, and the last round's fall to the floors, in names and
labels only.  Every expected number is worked out by hand from the scenario text below."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

import negosim
from negosim.cli import main

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"

# One ordinal issue (0 = stays away, 100 = travels).  A's first head wants the trip; an adviser
# (influence 0.2) does not; an event on 2020-01-03 makes a (hypothetical, so never pulling)
# second head who does not want it either, raises B's salience and doubles A's capability.
EVENTS = """
schema_version: 1
metadata: {id: trip, title: A presidential trip}
calendar: {start: 2020-01-01, end: 2020-01-05, round_length: 1d}
issues:
  trip:
    label: The president's trip
    kind: ordinal
    status_quo: stays
    options:
      stays: {label: Stays away, value: 0}
      travels: {label: Travels, value: 100}
actors:
  a:
    name: Avalon
    kind: state
    capability: 1
    stances:
      trip: {position: travels, salience: 0.5, assumption: Test.}
    fallback: {description: Nothing, value: 0.9, assumption: Test.}
    behaviour: {patience: 0.9, assumption: Test.}
  b:
    name: Borduria
    kind: state
    capability: {uniform: [1, 2], assumption: Test.}
    stances:
      trip: {position: stays, salience: 0.5, assumption: Test.}
    fallback: {description: Nothing, value: 0.9, assumption: Test.}
    behaviour: {patience: 0.9, assumption: Test.}
officials:
  first:
    name: First Head
    actor: a
    role: President
    authority: [{from: 2019-01-01}]
    stances:
      trip: {position: travels, assumption: Test.}
  adviser:
    name: The Adviser
    actor: a
    role: Adviser
    influence: 0.2
    stances:
      trip: {position: stays, assumption: Test.}
  second:
    name: Second Head
    actor: a
    role: President after the vote
    hypothetical: true
    stances:
      trip: {position: stays, assumption: Test.}
events:
  vote:
    label: The vote
    date: 2020-01-03
    assumption: Test.
    effects:
      - {type: authority, actor: a, official: second}
      - {type: salience, actor: b, issue: trip, set: 0.8}
      - {type: capability, actor: a, multiply: 2}
  storm:
    label: A storm
    date: 2020-01-02
    probability: 0
    assumption: Test.
deadlines:
  end: {label: Deadline, date: 2020-01-05, assumption: Test.}
engine: {model: bargaining, runs: 4}
"""


def split(
    *,
    information: str = "private",
    fallback_b: str = "0.7",
    walk_away: float = 0.05,
    particles: int = 8,
    rounds: int = 3,
    late_event: bool = False,
) -> str:
    """Two actors split one 0-100 scale: u_A = x / 100, u_B = 1 - x / 100; A's fallback 0.7.
    ``late_event``: an event with an effect on the last day, so that nobody walks away before."""
    end = f"2020-01-0{rounds}"  # the deadline, on the day of the last round
    close = f"2020-01-0{rounds + 1}"
    events = (
        f"events: {{late: {{label: Late news, date: {end}, assumption: Test., "
        "effects: [{type: capability, actor: a, multiply: 1}]}}"
    )
    return textwrap.dedent(
        f"""
        schema_version: 1
        metadata: {{id: split, title: Split}}
        calendar: {{start: 2020-01-01, end: {close}, round_length: 1d}}
        issues:
          share: {{label: Share to A, kind: continuous, status_quo: 50}}
        actors:
          a:
            name: Avalon
            kind: state
            capability: 1
            stances: {{share: {{position: 100, salience: 1, assumption: Test.}}}}
            fallback: {{description: Nothing, value: 0.7, assumption: Test.}}
            behaviour: {{patience: 0.9, assumption: Test.}}
          b:
            name: Borduria
            kind: state
            capability: 1
            stances: {{share: {{position: 0, salience: 1, assumption: Test.}}}}
            fallback: {{description: Nothing, value: {fallback_b}, assumption: Test.}}
            behaviour: {{patience: 0.9, assumption: Test.}}
        deadlines:
          end: {{label: Deadline, date: {end}, assumption: Test.}}
        {events if late_event else ""}
        engine:
          model: bargaining
          parameters:
            protocol: alternating
            grid_step: 0.5
            information: {information}
            walk_away: {walk_away}
            particles: {particles}
          runs: 2
        """
    )


def explain(tmp_path: Path, text: str, capsys, *args: str) -> list[str]:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    code = main(["run", str(path), "--out", str(tmp_path / "out"), "--explain", *args])
    assert code == 0
    out = capsys.readouterr().out
    return out[out.index("round by round:") :].splitlines()[1:]


def test_story_opens_with_the_runs_draws_as_draws_parquet_holds_them(tmp_path, capsys):
    lines = explain(tmp_path, EVENTS, capsys, "--run", "2")
    assert lines[0] == "run 2's draws (its row of draws.parquet, by dotted path):"
    drawn = dict(
        line.strip().split(" = ") for line in lines[1 : lines.index("round 1, 2020-01-01")]
    )
    # What varies between runs (B's capability; every other number is fixed) and who heads A
    # at the deadline: the vote, sure to happen, made the second head.
    assert list(drawn) == ["actors.b.capability", "authority.a.end"]
    assert drawn["authority.a.end"] == "second"
    row = negosim.load_draws(tmp_path / "out").set_index("run").loc[2]
    assert 1.0 <= row["actors.b.capability"] <= 2.0
    assert drawn["actors.b.capability"] == f"{row['actors.b.capability']:.4g}"


def test_events_officials_and_stances_in_words(tmp_path, capsys):
    lines = explain(tmp_path, EVENTS, capsys)
    text = "\n".join(lines)
    # Round 1: the first head decides; the adviser pulls the ideal from 100 by
    # 0.2 * (0 - 100) / (1 + 0.2) = -16.7 points, to 83.
    assert "  Avalon: First Head decides" in lines
    assert (
        "    on “The president's trip” The Adviser (influence 0.20) pulls its ideal to "
        "83 (between 'Stays away' and 'Travels')"
    ) in lines
    assert "  event: A storm does not happen in this run" in lines
    assert "  event: The vote" in lines
    assert "    Borduria's salience of “The president's trip” set to 0.80" in lines
    assert "    Avalon's capability is multiplied by 2.00 (now 2.00)" in lines
    # After the vote the second head (0) decides; the first head, no longer head, pulls with
    # weight 1: 1 * (100 - 0) / (1 + 1) = 50 points, held to the pull limit of 25.
    assert (
        "  Second Head now decides for Avalon; its ideal on “The president's trip” moves from "
        "83 (between 'Stays away' and 'Travels') to 25 (between 'Stays away' and 'Travels')"
    ) in lines
    # The vote is told before its consequences, in round 3 (2020-01-03).
    assert text.index("round 3, 2020-01-03") < text.index("  event: The vote")
    assert text.index("  event: The vote") < text.index("Second Head now decides")


def test_last_round_asks_for_the_fallbacks(tmp_path, capsys):
    # No package is worth 0.7 to both, but news is due on the last day, so talks go on to the
    # last round; there each actor asks for exactly its fallback's worth.
    lines = explain(tmp_path, split(rounds=2, late_event=True), capsys)
    assert lines.index("round 2, 2020-01-02") < lines.index(
        "  Share to A: last round, nothing left to wait for: each actor's floor is now what its "
        "fallback is worth to it, and it asks for that alone: Avalon 0.70, Borduria 0.70"
    )


def test_breakdown_under_complete_information_names_who_and_why(tmp_path, capsys):
    # A accepts x >= 70 only; of those B's best is 1 - 0.70 = 0.30, below its fallback 0.7.
    lines = explain(tmp_path, split(information="complete"), capsys)
    assert "    -> breakdown" in lines
    assert (
        "    Avalon walks away: no package worth its fallback (0.70) to it is worth theirs to "
        "Borduria (the best of them is worth 0.30 to it, its fallback 0.70), and no later "
        "event can change that"
    ) in lines
    assert "  Share to A: breakdown in round 1, 2020-01-01: '50'" in lines


def test_breakdown_under_private_information_gives_the_believed_chance(tmp_path, capsys):
    # B's fallback is uniform on [0.28, 0.9]: B accepts a share x >= 70 only if its fallback is
    # at most 0.30, a prior chance of 0.02 / 0.62 = 0.032, below the walk-away threshold 0.1.
    text = split(fallback_b="{uniform: [0.28, 0.9], assumption: Test.}", walk_away=0.1)
    lines = explain(tmp_path, text.replace("particles: 8", "particles: 200"), capsys)
    said = [line for line in lines if line.startswith("    Avalon walks away")]
    assert len(said) == 1, lines
    found = re.fullmatch(
        r"    Avalon walks away: it believes no package worth its fallback \(0\.70\) to it is "
        r"one Borduria would accept \(chance (\d\.\d\d) < 0\.10\), and no later event can "
        r"change that",
        said[0],
    )
    assert found, said[0]
    assert float(found.group(1)) <= 0.032 + 3 * (0.032 * 0.968 / 200) ** 0.5


@pytest.fixture(scope="module")
def seed_story(tmp_path_factory) -> list[str]:
    out = tmp_path_factory.mktemp("seed")
    story = negosim.explain_run(negosim.load_scenario(SEED), 1, 3, runs=20)
    assert out.exists()
    return story


def test_seed_story_uses_names_and_labels_only(seed_story):
    rounds = seed_story[seed_story.index("round 1, 2012-02-27") :]
    scenario = negosim.load_scenario(SEED)
    ids = {*scenario.actors, *scenario.issues, *scenario.officials, *scenario.events}
    ids |= {option for issue in scenario.issues.values() for option in issue.options}
    ids |= {issue.package for issue in scenario.issues.values()}
    # Ids that are not plain English words (the ones with an underscore) never appear.
    for line in rounds:
        assert not re.search(r"\w=\S", line) and "[" not in line, line
        for word in ids:
            if "_" in word:
                assert word not in line, (word, line)
    assert any(line.startswith("  Missile defence: ") for line in rounds)
    assert any(line.startswith("  Russia: Dmitry Medvedev decides") for line in rounds)
