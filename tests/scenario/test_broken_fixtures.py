"""Every broken fixture gives its located paragraph in full, exit 2, and no traceback.

Each fixture is ``fixtures/valid/minimal.yaml`` with one mistake (see ``broken/regenerate.py``); the
expected messages below were written from the mistake, naming the line the mistake is on.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from negosim.cli import main

BROKEN = Path(__file__).parent / "fixtures" / "broken"
CALENDAR_9999_DAYS = (dt.date(9999, 12, 31) - dt.date(2020, 1, 6)).days

# name -> the lines of the error, after "path:" (the file's path is prepended by the test).
EXPECTED: dict[str, list[str]] = {
    "yaml_syntax": [
        "22:16: YAML syntax error: while parsing a flow mapping expected ',' or '}', but got ':'"
    ],
    "duplicate_key": [
        '28:5: YAML syntax error: while constructing a mapping found duplicate key "kind" with '
        'value "state" (original value: "state")'
    ],
    "python_tag": [
        "4:10: tag '!!python/object/apply:os.system' is not allowed: scenario files hold plain data only"
    ],
    "alias_bomb": ["8: document expands to more than 200000 values (alias bomb?); refused"],
    "not_a_mapping": ["1: a scenario is a mapping of sections (got a list)"],
    "unknown_top_level_key": [
        "11: calender: unknown field 'calender' (did you mean 'calendar'? allowed: actors, calendar, "
        "deadlines, engine, events, issues, metadata, officials, schema_version, sources)"
    ],
    "unknown_nested_key": [
        "50: actors.beta.stances.treaty.salince: unknown field 'salince' (did you mean 'salience'? "
        "allowed: assumption, evidence, position, red_line, salience, utilities)"
    ],
    "wrong_type_number": [
        "28: actors.alpha.capability: expected a number or a one-key mapping: fixed, uniform, "
        "triangular, normal or choice (got 'high')"
    ],
    "yaml12_no_is_string": [
        "49: actors.beta.stances.treaty.position: unknown option of issue 'treaty': 'NO' "
        "(known: legal, none, political)"
    ],
    "missing_required": ["25: actors.alpha.behaviour: required field is missing"],
    "invalid_id": [
        "43: actors.Beta: invalid id 'Beta': ids are lower_snake_case (a letter, then letters, "
        "digits or _)"
    ],
    "unknown_actor_official": [
        "80: officials.bob.actor: unknown actor 'gamma' (known: alpha, beta)"
    ],
    "unknown_issue_stance": [
        "52: actors.beta.stances.tariffs: unknown issue 'tariffs' (known: treaty)"
    ],
    "unknown_option": [
        "31: actors.alpha.stances.treaty.position: unknown option of issue 'treaty': 'binding' "
        "(known: legal, none, political)"
    ],
    "unknown_source": [
        "34: actors.alpha.stances.treaty.evidence[0].source: unknown source 'memo_2' "
        "(did you mean 'memo'? known: memo)"
    ],
    "quote_not_in_source": [
        "35: actors.alpha.stances.treaty.evidence[0].quote: quote not found in source 'memo' "
        "(memo.txt): 'Alpha demands a legally binding treaty.'; closest passage: "
        "'Alpha wants a legally binding treaty.'"
    ],
    "event_outside_calendar": [
        "85: events.vote.date: event date 2019-12-24 is outside the calendar [2020-01-06, 2020-03-30]"
    ],
    "deadline_before_start": [
        "100: deadlines.summit.date: deadline 2020-01-01 is not after the start (2020-01-06)"
    ],
    "calendar_end_before_start": [
        "13: calendar.end: end (2019-03-30) must be after start (2020-01-06)"
    ],
    "probability_above_one": [
        "86: events.vote.probability: probability must lie in [0, 1] (got 1.5)"
    ],
    "outcomes_do_not_sum_to_one": [
        "86: events.vote.outcomes: outcome probabilities must be able to sum to 1 (they are "
        "normalised per run) (got 1.2)"
    ],
    "negative_salience": [
        "50: actors.beta.stances.treaty.salience: salience must lie in [0, 1] (got -0.2)"
    ],
    "negative_capability": [
        "46: actors.beta.capability: capability must be >= 0 (got values from -0.1 to 0.4)"
    ],
    "salience_range_above_one": [
        "32: actors.alpha.stances.treaty.salience: salience must lie in [0, 1] "
        "(got values from 0.6 to 1.9)"
    ],
    "uniform_low_above_high": [
        "32: actors.alpha.stances.treaty.salience.uniform: uniform needs low <= high (got [0.9, 0.6])"
    ],
    "unknown_concession_style": [
        # A union (a named style or an exponent): one paragraph with both readings, not two.
        "64: actors.beta.behaviour.concession: input should be 'boulware', 'linear' or "
        "'conceder'; or a valid number (got 'bulware')"
    ],
    "unknown_distribution": [
        "32: actors.alpha.stances.treaty.salience: expected a number or a one-key mapping: fixed, "
        "uniform, triangular, normal or choice (got a mapping)"
    ],
    "missing_provenance": [
        "36: actors.alpha.fallback: needs provenance: give `evidence` (source id and verbatim "
        "quote) or an `assumption` with a one-line rationale"
    ],
    "ordinal_option_without_value": [
        "16: issues.treaty: every option of an ordinal issue needs a `value` on 0-100 "
        "(missing for political)"
    ],
    "red_line_excludes_own_position": [
        "52: actors.beta.stances.treaty.red_line.acceptable: the actor's own position 'political' "
        "is not acceptable to it"
    ],
    "unknown_model": [
        "103: engine.model: unknown model 'bargainig' (did you mean 'bargaining'? known: "
        "bargaining, compromise, exchange, expected_utility, nash)"
    ],
    "authority_overlap": [
        "83: officials.bob.authority[0]: authority periods of alice and bob overlap: an actor has "
        "one head at a time"
    ],
    "condition_on_later_event": [
        "92: events.handover.date: event 'handover' (2020-01-20) depends on 'vote', which is not "
        "earlier (2020-02-02): events out of calendar order"
    ],
    "official_of_other_actor": [
        "95: events.handover.effects[0].official: official 'bob' belongs to 'alpha', not 'beta'"
    ],
    "source_file_missing": [
        f"10: sources.memo.file: source file not found: memo_missing.txt (resolved to "
        f"{(BROKEN / 'memo_missing.txt').resolve()})"
    ],
    "bad_round_length": [
        "14: calendar.round_length: round_length must be a positive number of days or weeks such "
        "as '7d' or '1w' (got 'fortnight')"
    ],
    "wrong_schema_version": ["1: schema_version: input should be 1 (got 2)"],
    # Issue 12, point 8.
    "date_out_of_range": [
        "85: events.vote.date: not a date in the calendar: day is out of range for month "
        "(got '2012-02-30')"
    ],
    "date_not_iso": [
        # Day first or month first: both readings are offered, in ISO form.
        "85: events.vote.date: write dates as ISO dates, YYYY-MM-DD (2024-03-01 or 2024-01-03) "
        "(got '01/03/2024')"
    ],
    "calendar_ends_9999": [
        f"13: calendar.end: the calendar spans {CALENDAR_9999_DAYS:,} days (2020-01-06 to "
        "9999-12-31); at most 36,525 days (100 years) are supported"
    ],
    "choice_weights_overflow": [
        "28: actors.alpha.capability.choice: choice weights must have a finite sum (they are "
        "divided by it); scale them down (got [1e+308, 1e+308])"
    ],
    "tab_indent": [
        "28:1: YAML syntax error: a tab character here; YAML indents with spaces only (replace "
        "the tab with spaces)"
    ],
    "indent_first_key_too_deep": [
        # The parser notices on line 27, the first line that fits no open block; the mistake is
        # the line before, which opened alpha's mapping one space too deep.
        "26: YAML indentation error: this line is indented 5 spaces but the next line 4: keys "
        "of one mapping start in the same column"
    ],
    "indent_key_too_shallow": [
        "28: YAML indentation error: this line is indented 3 spaces, the column of no key it "
        "could belong to (the line before is indented 4): keys of one mapping start in the same "
        "column"
    ],
    "yaml11_boolean": [
        "23: issues.treaty.options.legal.requires_ratification: input should be true or false: "
        "YAML 1.2 reads yes as text, not a boolean (got 'yes')"
    ],
    "misspelt_effect_type": [
        "95: events.handover.effects[0]: unknown effect type 'authorty' (did you mean "
        "'authority'? known: authority, capability, position, salience)"
    ],
    # Four independent mistakes (a schema error in actors, a quote, a date in events, the
    # engine's model): one `validate` reports all four, in line order.
    "four_independent_mistakes": [
        "28: actors.alpha.capability: expected a number or a one-key mapping: fixed, uniform, "
        "triangular, normal or choice (got 'high')",
        "35: actors.alpha.stances.treaty.evidence[0].quote: quote not found in source 'memo' "
        "(memo.txt): 'Alpha demands a legally binding treaty.'; closest passage: "
        "'Alpha wants a legally binding treaty.'",
        "85: events.vote.date: not a date in the calendar: day is out of range for month "
        "(got '2012-02-30')",
        "103: engine.model: unknown model 'bargainig' (did you mean 'bargaining'? known: "
        "bargaining, compromise, exchange, expected_utility, nash)",
    ],
}


def test_every_fixture_has_an_expectation():
    on_disk = {p.stem for p in BROKEN.glob("*.yaml")}
    assert on_disk == set(EXPECTED)
    assert len(on_disk) >= 25


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_error_in_full(name, capsys):
    path = BROKEN / f"{name}.yaml"
    code = main(["validate", str(path)])
    captured = capsys.readouterr()
    assert code == 2
    expected = [f"{path}:{line}" for line in EXPECTED[name]]
    assert captured.err.splitlines() == [*expected, "1 of 1 file(s) invalid"]
    assert captured.out == ""
    assert "Traceback" not in captured.err


def test_subprocess_exit_code_and_no_traceback():
    """The installed entry point behaves like ``main``: exit 2, located message, no traceback."""
    path = BROKEN / "unknown_option.yaml"
    proc = subprocess.run(
        [sys.executable, "-m", "negosim.cli", "validate", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert f"{path}:31: actors.alpha.stances.treaty.position: unknown option" in proc.stderr
    assert "Traceback" not in proc.stderr
