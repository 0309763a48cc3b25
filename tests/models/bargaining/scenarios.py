"""Small scenario texts for engine tests, built from parameters."""

from __future__ import annotations

import textwrap

from negosim import Scenario, load_scenario_text


def bilateral(
    *,
    rounds: int,
    patience: tuple[float, float] = (0.9, 0.8),
    concession: tuple[float | str, float | str] = (1e6, 1e6),
    fallback: tuple[float, float] = (0.0, 0.0),
    protocol: str = "alternating",
    grid_step: float = 0.5,
    capability: tuple[float, float] = (0.5, 0.5),
) -> Scenario:
    """Two actors split one divisible issue: A wants 100, B wants 0 (u_A = x/100, u_B = 1 - x/100).

    Rounds are daily from 2020-01-01; the deadline falls on the day of round ``rounds - 1``.
    """
    import datetime as dt

    start = dt.date(2020, 1, 1)
    deadline = start + dt.timedelta(days=rounds - 1)
    text = f"""
    schema_version: 1
    metadata: {{id: bilateral, title: Divide a surplus}}
    calendar: {{start: {start}, end: {deadline}, round_length: 1d}}
    issues:
      share:
        label: Share to A
        kind: continuous
        status_quo: 50
    actors:
      a:
        name: A
        kind: state
        capability: {capability[0]}
        stances:
          share: {{position: 100, salience: 1, assumption: A wants it all.}}
        fallback: {{description: Nothing, value: {fallback[0]}, assumption: No deal is worth this.}}
        behaviour: {{concession: {concession[0]}, patience: {patience[0]}, assumption: Test.}}
      b:
        name: B
        kind: state
        capability: {capability[1]}
        stances:
          share: {{position: 0, salience: 1, assumption: B wants it all.}}
        fallback: {{description: Nothing, value: {fallback[1]}, assumption: No deal is worth this.}}
        behaviour: {{concession: {concession[1]}, patience: {patience[1]}, assumption: Test.}}
    deadlines:
      end: {{label: Deadline, date: {deadline}, assumption: Test.}}
    engine:
      model: bargaining
      parameters: {{protocol: {protocol}, grid_step: {grid_step}}}
      runs: 1
    """
    return load_scenario_text(textwrap.dedent(text))
