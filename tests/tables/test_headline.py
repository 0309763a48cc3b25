"""Issue 17, item 1: the run summary says what each issue ends with, agreed or without a deal,
and counts rounds from 1 as --explain does."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from negosim import load_scenario, simulate
from negosim.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("headline") / "r"
    return out


def test_terminal_and_json_headlines_are_what_runs_parquet_holds(seed_run, capsys):
    args = ["run", str(SEED), "--runs", "200", "--seed", "5", "--out", str(seed_run)]
    assert main(args) == 0
    text = " ".join(capsys.readouterr().out.split())
    runs = pd.read_parquet(seed_run / "runs.parquet")
    without = runs[~runs["agreed"]]
    assert len(without)  # the check below needs runs without a deal
    # Without a deal, the table holds what the fallbacks impose (never an empty outcome).
    imposed = {"countermeasures": "missiles_and_new_start", "president_chicago": "stays_away"}
    for issue, option in imposed.items():
        assert (without.loc[without["issue"] == issue, "outcome"] == option).all()
    share = (~runs.loc[runs["issue"] == "countermeasures", "agreed"]).mean()
    # (The table wraps long cells; the --json document below has each label whole.)
    assert "without a deal: Missiles and withdrawal" in text and "(Russia's fallback)" in text
    assert f"{100 * share:.1f}%" in text
    assert "no agreement" not in text
    scenario = load_scenario(SEED)
    assert main([*args, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    for issue_id in scenario.issues:
        rows = [r for r in document["outcomes"] if r["issue"] == issue_id]
        assert sum(r["probability"] for r in rows) == pytest.approx(1.0)
        mine = runs[runs["issue"] == issue_id]
        for row in rows:
            if row["issue"] == "countermeasures" and not row["agreed"]:
                assert row["label"] == (
                    "without a deal: Missiles and withdrawal from New START (Russia's fallback)"
                )
            hits = (mine["agreed"] == row["agreed"]) & (mine["outcome"] == row["outcome"])
            assert row["count"] == int(hits.sum())
            assert row["ending"] == ("agreed" if row["agreed"] else "without a deal")
    assert [r["issue"] for r in document["outcomes"]] == sorted(
        (r["issue"] for r in document["outcomes"]), key=list(scenario.issues).index
    )


def test_rounds_count_from_one_in_the_tables_as_in_explain():
    scenario = load_scenario(SEED)
    results = simulate(scenario, runs=30, seed=2, trajectories=True)
    dates = [pd.Timestamp(d) for d in scenario.calendar.round_dates()]
    runs = results.runs
    assert runs["end_round"].min() >= 1 and runs["end_round"].max() <= len(dates)
    # Round n is the n-th round date: round 1 is the calendar's start, 2012-02-27.
    assert (runs["end_date"] == runs["end_round"].map(lambda n: dates[n - 1])).all()
    rounds = results.trajectories.drop_duplicates("round")
    assert rounds["round"].min() == 1
    assert (rounds["date"] == rounds["round"].map(lambda n: dates[n - 1])).all()
    assert dates[0] == pd.Timestamp("2012-02-27")
