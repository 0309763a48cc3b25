"""Figures speak the scenario's words: names, labels, dates; ids only without a scenario."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from negosim.errors import UsageError
from negosim.plots.labels import (
    base_value,
    factor_label,
    format_level,
    format_percent,
    outcome_label,
    timeline_markers,
)


@pytest.mark.parametrize(
    ("path", "words", "ids"),
    [
        (
            "actors.russia.stances.guarantees.salience",
            "Russia: salience (Guarantee that the shield is not directed at Russia)",
            "russia: salience (guarantees)",
        ),
        (  # the shorthand of the overrides module reads the same
            "actors.russia.salience.guarantees",
            "Russia: salience (Guarantee that the shield is not directed at Russia)",
            "russia: salience (guarantees)",
        ),
        ("actors.russia.fallback.value", "Russia: fallback value", "russia: fallback value"),
        (
            "actors.united_states.capability",
            "United States: capability",
            "united states: capability",
        ),
        (
            "events.election.outcomes.putin_wins.probability",
            "Russian presidential election: probability (Putin wins)",
            "election: probability (putin wins)",
        ),
        ("deadlines.chicago.date", "NATO summit in Chicago: date", "chicago: date"),
    ],
)
def test_factor_label(scenario, path, words, ids):
    assert factor_label(path, scenario) == words
    assert factor_label(path, None) == ids


def test_base_value_is_the_number_or_the_centre_of_its_range(scenario):
    assert base_value("actors.russia.stances.guarantees.salience", scenario) == pytest.approx(0.9)
    assert base_value("actors.russia.fallback.value", scenario) == pytest.approx(0.475)
    assert base_value("deadlines.chicago.date", scenario) is None
    assert base_value("actors.nobody.capability", scenario) is None
    assert base_value("actors.russia.capability", None) is None


def test_outcome_label(scenario):
    assert outcome_label("agreement", scenario) == "P(full agreement)"
    assert outcome_label("guarantees=political", scenario) == "P(Political declaration)"
    assert outcome_label("guarantees=political", None) == "P(political)"
    assert outcome_label("fallback:russia", scenario) == "P(Russia's fallback plays out)"
    assert outcome_label("breakdown", None) == "P(breakdown)"
    assert outcome_label("guarantees:value", scenario) == (
        "Mean outcome: Guarantee that the shield is not directed at Russia (0-100)"
    )


def test_outcome_label_reads_the_one_grammar():
    with pytest.raises(UsageError, match="ISSUE=OPTION"):
        outcome_label("guarantees", None)


def test_formats():
    assert format_percent(0.0) == "0%" and format_percent(0.0038) == "0.4%"
    assert format_percent(1e-18) == "0%"  # a Wilson bound of 0 successes, up to rounding
    assert format_percent(0.812) == "81%"
    assert format_level(0.55) == "0.55" and format_level(1234.5) == "1.23e+03"
    assert format_level(pd.Timestamp("2012-05-20")) == "2012-05-20"
    assert format_level(dt.datetime(2012, 5, 20)) == "2012-05-20"
    assert format_level("legal") == "legal"


def test_timeline_markers_merge_conditional_variants(scenario):
    markers = timeline_markers(scenario)
    assert [(d.date(), label, kind) for d, label, kind in markers] == [
        (dt.date(2012, 2, 27), "Stavridis–Makarov talks in Moscow", "event"),
        (dt.date(2012, 3, 4), "Russian presidential election", "event"),
        (dt.date(2012, 5, 7), "Inauguration", "event"),
        (dt.date(2012, 5, 20), "NATO summit in Chicago", "deadline"),
    ]
