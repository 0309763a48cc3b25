"""The outcome grammar: one parser, the same forms for sweeps, summaries and plot labels."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from negosim.errors import UsageError
from negosim.tables.outcomes import (
    OUTCOME_FORMS,
    OutcomeSpec,
    outcome_hits,
    outcome_value,
    parse_outcome,
)

from .helpers import GRID, sweep_table, two_issues

FORMS = "agreement, breakdown, ISSUE=OPTION, ISSUE:value or fallback:ACTOR"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("agreement", OutcomeSpec("agreement", "agreement")),
        ("breakdown", OutcomeSpec("breakdown", "breakdown")),
        ("g=political", OutcomeSpec("g=political", "option", issue="g", option="political")),
        ("g:value", OutcomeSpec("g:value", "value", issue="g")),
        ("fallback:russia", OutcomeSpec("fallback:russia", "fallback", actor="russia")),
        # fallback: is read first, then = before ':value'.
        ("fallback:value", OutcomeSpec("fallback:value", "fallback", actor="value")),
        ("a=b:value", OutcomeSpec("a=b:value", "option", issue="a", option="b:value")),
    ],
)
def test_every_accepted_form_parses(spec, expected):
    parsed = parse_outcome(spec)
    assert parsed == expected
    assert str(parsed) == spec
    assert parsed.is_event == (expected.kind != "value")
    assert parse_outcome(parsed) is parsed


@pytest.mark.parametrize(
    "spec", ["", "nonsense", "g", "g:mean", "=x", "g=", "fallback:", ":value", "Agreement", 3]
)
def test_a_bad_spec_names_the_accepted_forms(spec):
    with pytest.raises(UsageError) as error:
        parse_outcome(spec)
    assert FORMS in str(error.value)


def test_the_documented_forms_are_the_accepted_ones():
    assert ", ".join(OUTCOME_FORMS[:-1]) + f" or {OUTCOME_FORMS[-1]}" == FORMS


def test_hits_per_run_worked_by_hand():
    # See helpers.two_issues for the table.
    runs = two_issues()
    expected = {
        "agreement": [True, True, False, False],
        "breakdown": [False, False, False, True],
        "g=political": [True, False, True, False],
        "g=legal": [False, True, False, False],
        "g=none": [False, False, False, False],  # "none" holds in run 3 but is not agreed
        "a=yes": [True, True, False, False],
        "fallback:north": [False, False, False, True],
        "fallback:south": [False, False, True, True],
    }
    for spec, hits in expected.items():
        got = outcome_hits(runs, spec)
        assert got.index.name == "run" and list(got.index) == [0, 1, 2, 3], spec
        assert got.dtype == bool and list(got) == hits, spec
        assert outcome_value(runs, spec) == sum(hits) / 4, spec


def test_value_is_a_mean_not_an_event():
    runs = two_issues()
    assert outcome_value(runs, "g:value") == (50 + 100 + 50 + 0) / 4
    assert outcome_value(runs, "a:value") == (100 + 100 + 0 + 0) / 4
    with pytest.raises(UsageError, match="is a value, not an event"):
        outcome_hits(runs, "g:value")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("x=y", "unknown outcome 'x=y': no issue 'x'"),
        ("x:value", "unknown outcome 'x:value': no issue 'x'"),
        ("fallback:nobody", "unknown outcome 'fallback:nobody': no actor 'nobody'"),
    ],
)
def test_ids_the_table_lacks(spec, message):
    with pytest.raises(UsageError, match=message):
        outcome_value(two_issues(), spec)


def test_a_sweep_counts_runs_per_point():
    runs = sweep_table(GRID)
    hits = outcome_hits(runs, "agreement")
    assert hits.index.names == ["point", "run"]
    assert hits.groupby("point").sum().tolist() == [2, 4, 6, 10]
    assert outcome_hits(runs, "g=political").sum() == 2 + 4 + 6 + 10
    assert outcome_hits(runs, "fallback:russia").sum() == 8 + 6 + 4 + 0
    assert outcome_value(runs, "breakdown") == 18 / 40


def test_missing_outcome_is_no_hit():
    # A continuous issue has no option id: "g=political" cannot hold there.
    runs = two_issues().assign(outcome=pd.array([None] * 8, dtype="string"))
    assert not outcome_hits(runs, "g=political").any()


def test_every_caller_reads_the_one_grammar():
    from negosim import load_scenario
    from negosim.plots.labels import outcome_label
    from negosim.sweeps import as_function
    from negosim.sweeps.function import outcome_value as sweep_value
    from negosim.tables.response import sweep_response

    assert sweep_value is outcome_value
    scenario = load_scenario(
        Path(__file__).parents[2] / "scenarios" / "two_state_fishing_quota.yaml"
    )
    for bad in ("g", "g=", "fallback:"):
        with pytest.raises(UsageError, match="unknown outcome"):
            as_function(scenario, ["agreement", bad], runs=10)  # before anything runs
        with pytest.raises(UsageError, match="unknown outcome"):
            outcome_label(bad, None)
        with pytest.raises(UsageError, match="unknown outcome"):
            sweep_response(sweep_table(GRID), "a", outcome=bad)
    assert outcome_label("quota_share:value", None) == "Mean outcome: quota_share (0-100)"
