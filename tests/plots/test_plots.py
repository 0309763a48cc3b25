"""Plots draw what the summaries say: labels, counts of bars and lines, interval bounds."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from negosim import load_scenario, simulate
from negosim.cli import main
from negosim.plots import (
    plot_all,
    plot_model_comparison,
    plot_outcome_distribution,
    plot_sweep_heatmap,
    plot_sweep_response,
    plot_time_to_agreement,
    plot_tornado,
    plot_trajectories,
)
from negosim.plots.summaries import agreement_curve, fan_quantiles, sweep_response
from negosim.sweeps import sweep
from negosim.tables.summary import outcome_probabilities, wilson_interval

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"
QUOTA = ROOT / "scenarios" / "two_state_fishing_quota.yaml"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(SEED)


@pytest.fixture(scope="module")
def results(scenario):
    return simulate(scenario, runs=400, seed=3, trajectories=True)


@pytest.fixture(scope="module")
def swept(scenario):
    grid = {
        "actors.russia.fallback.value": [0.4, 0.6, 0.7],
        "actors.russia.salience.guarantees": [0.5, 0.9],
    }
    return sweep(scenario, grid, runs=100, seed=2)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.mark.parametrize(("k", "n"), [(0, 10), (5, 10), (10, 10), (3, 40)])
def test_wilson_interval_against_the_formula(k, n):
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = wilson_interval(k, n)
    assert float(low) == pytest.approx(max(0.0, centre - half), abs=1e-12)
    assert float(high) == pytest.approx(min(1.0, centre + half), abs=1e-12)
    if k == 0:
        assert float(low) == 0.0 and float(high) == pytest.approx(z * z / (n + z * z))


def test_outcome_distribution_bars_and_intervals(results, scenario):
    ax = plot_outcome_distribution(results, "guarantees", scenario=scenario)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [
        "No guarantee",
        "Political declaration",
        "Legally binding guarantee",
        "No agreement",
    ]
    bars = ax.patches
    assert len(bars) == 4
    table = outcome_probabilities(results.runs[results.runs["issue"] == "guarantees"])
    political = table[(table["outcome"] == "political") & table["agreed"]].iloc[0]
    assert bars[1].get_width() == pytest.approx(political["probability"])
    # The error bar of the political declaration spans exactly the Wilson interval.
    segments = ax.collections[0].get_segments()
    (x0, _), (x1, _) = segments[1]
    assert (x0, x1) == pytest.approx((political["low"], political["high"]))
    assert ax.get_title(loc="left") == "Guarantee that the shield is not directed at Russia"


def test_continuous_issue_is_a_histogram_with_positions(scenario):
    quota = load_scenario(QUOTA)
    res = simulate(quota, runs=200, seed=1)
    ax = plot_outcome_distribution(res, "quota_share", scenario=quota)
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert (
        "status quo" in labels
        and "Northland's position" in labels
        and "Southland's position" in labels
    )
    lines = {line.get_label(): line.get_xdata()[0] for line in ax.get_lines()}
    assert lines["Northland's position"] == 70 and lines["Southland's position"] == 30
    assert lines["status quo"] == 50


def test_time_to_agreement_marks_events_and_ends_at_agreement_probability(results, scenario):
    ax = plot_time_to_agreement(results, scenario=scenario)
    vlines = {
        pd.Timestamp(line.get_xdata()[0]).date()
        for line in ax.get_lines()
        if line.get_linestyle() == ":"
    }
    expected = {e.date for e in scenario.events.values()} | {
        d.date for d in scenario.deadlines.values()
    }
    assert vlines == expected
    texts = {t.get_text().strip() for t in ax.texts}
    assert {"Russian presidential election", "Inauguration", "NATO summit in Chicago"} <= texts
    curve = agreement_curve(results.runs)
    per_run = results.runs.groupby("run")["run_end_reason"].first()
    assert curve["probability"].iloc[-1] == pytest.approx((per_run == "agreement").mean())


def test_trajectories_one_median_per_actor(results, scenario):
    ax = plot_trajectories(results, "aspiration_missile_defence", scenario=scenario)
    assert [line.get_label() for line in ax.get_lines()] == ["NATO", "Russia", "United States"]
    fan = fan_quantiles(results.trajectories, "aspiration_missile_defence")
    nato = fan[fan["actor"] == "nato"]
    assert np.allclose(ax.get_lines()[0].get_ydata(), nato["median"])
    assert (fan["q05"] <= fan["q25"]).all() and (fan["q25"] <= fan["median"]).all()
    assert (fan["median"] <= fan["q75"]).all() and (fan["q75"] <= fan["q95"]).all()


def test_fan_quantiles_match_numpy():
    frame = pd.DataFrame(
        {
            "actor": ["a"] * 5,
            "round": [0] * 5,
            "date": [pd.Timestamp("2020-01-01")] * 5,
            "x": [1.0, 2.0, 3.0, 4.0, 10.0],
        }
    )
    row = fan_quantiles(frame, "x").iloc[0]
    assert row["median"] == 3.0
    assert row["q25"] == np.quantile([1, 2, 3, 4, 10], 0.25)


def test_sweep_response_lines_and_values(swept, scenario):
    ax = plot_sweep_response(swept, "actors.russia.fallback.value", scenario=scenario)
    lines = ax.get_lines()
    assert len(lines) == 2  # one per level of the second factor
    table = sweep_response(
        swept.runs, "actors.russia.fallback.value", by="actors.russia.salience.guarantees"
    )
    first = table[table["actors.russia.salience.guarantees"] == 0.5]
    assert np.allclose(lines[0].get_ydata(), first["probability"])
    assert ax.get_ylabel() == "P(full agreement)"


def test_sweep_heatmap_cells(swept, scenario):
    ax = plot_sweep_heatmap(swept, scenario=scenario)
    image = ax.get_images()[0].get_array()
    assert image.shape == (2, 3)
    table = sweep_response(
        swept.runs, "actors.russia.fallback.value", by="actors.russia.salience.guarantees"
    )
    assert image[0, 0] == pytest.approx(
        table[
            (table["actors.russia.fallback.value"] == 0.4)
            & (table["actors.russia.salience.guarantees"] == 0.5)
        ]["probability"].iloc[0]
    )


def test_tornado_orders_factors_by_swing(swept, scenario):
    ax = plot_tornado(swept, scenario=scenario)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["russia.fallback.value", "russia.salience.guarantees"]
    widths = [bar.get_width() for bar in ax.patches]
    assert widths[0] >= widths[1]


def test_model_comparison_groups(results, scenario):
    other = simulate(scenario, runs=400, seed=4)
    ax = plot_model_comparison({"run A": results, "run B": other}, "guarantees", scenario=scenario)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["run A", "run B"]
    assert len(ax.patches) == 2 * 4  # two result sets x (three options + no agreement)


def test_plot_all_and_cli(results, swept, scenario, tmp_path, capsys):
    written = plot_all(results, scenario, tmp_path / "run")
    names = {p.name for p in written}
    assert {
        "outcome_guarantees.png",
        "time_to_agreement.png",
        "trajectory_aspiration_missile_defence.png",
    } <= names
    assert all(p.stat().st_size > 1000 for p in written)
    sweep_files = plot_all(swept, scenario, tmp_path / "sweep", fmt="svg")
    assert {p.name for p in sweep_files} == {
        "sweep_response.svg",
        "sweep_heatmap.svg",
        "tornado.svg",
    }
    out = tmp_path / "res"
    assert main(["run", str(SEED), "--runs", "100", "--out", str(out), "--plot"]) == 0
    assert (out / "guarantees.png").exists() is False and (out / "outcome_guarantees.png").exists()
    assert main(["plot", str(out), "--format", "pdf"]) == 0
    assert (out / "figures" / "time_to_agreement.pdf").read_bytes()[:4] == b"%PDF"
    assert main(["plot", str(out), "--format", "gif"]) == 2
    assert "--format must be one of png, svg, pdf (got 'gif')" in capsys.readouterr().err
    assert main(["plot", str(tmp_path / "nothing")]) == 2


def test_model_comparison_with_certain_outcomes(scenario):
    """A model that always picks one option (probability exactly 1) must not give negative error
    bars: rounding can put the Wilson bound a hair past p (this crashed `negosim compare`)."""
    certain = simulate(scenario, runs=300, seed=1, model="exchange")
    guarantees = certain.runs[certain.runs["issue"] == "guarantees"]
    shares = guarantees["outcome"].value_counts(normalize=True)
    assert shares.max() == 1.0  # the case under test
    ax = plot_model_comparison({"exchange": certain}, "guarantees", scenario=scenario)
    assert len(ax.patches) == 4
