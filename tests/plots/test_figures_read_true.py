"""Issue 17, figures: labels tied to their lines, steps, one scale, grid levels kept, notes
instead of empty panels, and a compare folder that ``negosim plot`` reads."""

from __future__ import annotations

import json
import os

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest

from negosim.cli import main
from negosim.plots import plot_sweep_response, plot_time_to_agreement, plot_trajectories
from negosim.tables.results import Results

from .helpers import SEED


def _notes(ax) -> list[str]:
    return [t.get_text().replace("\n", " ") for t in ax.texts if t.get_gid() == "note"]


def test_every_event_label_has_a_leader_down_to_its_line(results, scenario):
    ax = plot_time_to_agreement(results, scenario=scenario)
    lines = {
        round(float(mdates.date2num(line.get_xdata()[0])), 6)
        for line in ax.get_lines()
        if line.get_gid() in ("event", "deadline")
    }
    labels = [t for t in ax.texts if (t.get_gid() or "").endswith("-label")]
    assert len(labels) == len(lines)
    for label in labels:
        assert label.arrow_patch is not None  # the leader
        x, y = label.xy
        assert round(float(x), 6) in lines and y == 1.0  # it ends on top of the line's date


def _sweep(levels_b: list[float], runs: int = 10) -> Results:
    """A two-factor grid sweep with one issue; P(agreement) = b at every point (by hand)."""
    rows = []
    point = 0
    for a in (0.1, 0.2):
        for b in levels_b:
            hits = round(b * runs)
            for run in range(runs):
                agreed = run < hits
                rows.append(
                    {"point": point, "run": run, "a": a, "b": b, "issue": "g"}
                    | {"outcome": "yes" if agreed else "no", "agreed": agreed}
                    | {"run_end_reason": "agreement" if agreed else "breakdown"}
                )
            point += 1
    manifest = {"kind": "sweep", "factors": ["a", "b"], "runs_per_point": runs}
    return Results(runs=pd.DataFrame(rows), manifest=manifest)


def test_a_grid_factor_of_five_levels_is_never_binned():
    levels = [0.3, 0.4, 0.5, 0.6, 0.7]
    ax = plot_sweep_response(_sweep(levels), "a", by="b")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["0.3", "0.4", "0.5", "0.6", "0.7"]  # no "0.35" that was never run
    assert len(ax.get_lines()) == 5
    for line, b in zip(ax.get_lines(), levels, strict=True):
        assert np.allclose(line.get_ydata(), b)  # P(agreement) = b, as built
    ax.figure.canvas.draw()
    assert all(t.get_text().endswith("%") for t in ax.get_yticklabels() if t.get_text())


def test_a_breakdown_in_round_one_gets_a_note_not_an_empty_panel():
    runs = pd.DataFrame(
        {
            "run": [0, 1, 2],
            "issue": ["g"] * 3,
            "agreed": [False] * 3,
            "end_round": [1] * 3,
            "end_date": pd.to_datetime(["2012-02-27"] * 3),
            "run_end_reason": ["breakdown"] * 3,
        }
    )
    ax = plot_time_to_agreement(Results(runs=runs, manifest={}))
    assert _notes(ax) == [
        "No run reached full agreement: 100% broke down, every run in round 1, 2012-02-27."
    ]


def test_no_trajectory_recorded_gets_a_note(results, scenario):
    empty = results.trajectories.assign(aspiration_missile_defence=np.nan)
    ax = plot_trajectories(
        Results(results.runs, {}, trajectories=empty), "aspiration_missile_defence"
    )
    (note,) = _notes(ax)
    assert note.startswith("No aspiration on the missile defence package")


def test_compare_folder_prints_the_red_line_caveat_and_plots_from_elsewhere(
    tmp_path, capsys, scenario
):
    out = tmp_path / "cmp"
    args = ["compare", str(SEED), "--models", "bargaining,compromise", "--runs", "60"]
    assert main([*args, "--seed", "2", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "compare" and manifest["models"] == ["bargaining", "compromise"]
    runs = pd.read_parquet(out / "runs.parquet")
    # The caveat's shares, counted here: runs with an agreed outcome outside a red line.
    outside = pd.Series(False, index=runs.index)
    for actor in scenario.actors.values():
        for issue_id, stance in actor.stances.items():
            if stance.red_line is not None and stance.red_line.acceptable is not None:
                rows = runs["agreed"] & (runs["issue"] == issue_id)
                outside |= rows & ~runs["outcome"].isin(list(stance.red_line.acceptable))
    share = outside.groupby([runs["model"], runs["run"]]).any().groupby(level=0).mean()
    words = " ".join(text.split())
    assert "Runs agreed outside an actor's stated red line" in words
    for model in ("bargaining", "compromise"):
        assert f"{model} {100 * share[model]:.1f}%" in words
    # negosim plot reads the folder from another working folder: compare figures, names drawn.
    here = os.getcwd()
    os.chdir(tmp_path.parent)
    try:
        assert main(["plot", str(out)]) == 0
    finally:
        os.chdir(here)
    drawn = sorted(p.name for p in (out / "figures").iterdir())
    assert "compare_means.png" in drawn and "compare_guarantees.png" in drawn
    assert not any(name.startswith("outcome_") for name in drawn)  # models never pooled


@pytest.mark.parametrize("model", ["compromise"])
def test_compare_json_carries_the_red_lines(tmp_path, capsys, model):
    args = ["compare", str(SEED), "--models", f"bargaining,{model}", "--runs", "30", "--json"]
    assert main(args) == 0
    document = json.loads(capsys.readouterr().out)
    shares = {row["model"]: row for row in document["red_lines"]}
    assert shares["bargaining"]["count"] == 0  # the engine never agrees across a red line
    assert all(row["ending"] in ("agreed", "without a deal") for row in document["outcomes"])
