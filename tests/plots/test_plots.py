"""Plots draw what the summaries say: labels, counts of bars and lines, interval bounds, dates.

Nothing here compares pixels; each test reads back the artists a figure holds.
"""

from __future__ import annotations

import datetime as dt

import matplotlib as mpl
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from negosim import simulate
from negosim.cli import main
from negosim.errors import UsageError
from negosim.plots import (
    plot_all,
    plot_model_comparison,
    plot_outcome_distribution,
    plot_sweep_heatmap,
    plot_sweep_response,
    plot_time_to_agreement,
    plot_tornado,
    plot_trajectories,
    save_figure,
)
from negosim.plots.labels import base_value
from negosim.plots.style import OKABE_ITO
from negosim.sweeps import sweep
from negosim.tables.response import sweep_response, tornado_table
from negosim.tables.results import Results
from negosim.tables.summary import (
    fan_quantiles,
    mean_outcome_values,
    option_probabilities,
    outcome_probabilities,
)

from .helpers import FALLBACK, SALIENCE, SEED


def errorbar_spans(ax, vertical: bool = False) -> list[float]:
    """low, high, low, high, ... of every error bar drawn on ``ax``, in drawing order."""
    spans = []
    for collection in ax.collections:
        if not hasattr(collection, "get_segments"):
            continue
        for (x0, y0), (x1, y1) in collection.get_segments():
            spans.extend((y0, y1) if vertical else (x0, x1))
    return spans


def as_date(x) -> dt.date:
    if isinstance(x, float | int | np.floating):
        return mdates.num2date(x).date()
    return pd.Timestamp(x).date()


def footnotes(ax) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_gid() == "footnote"]


# --- outcome distribution -------------------------------------------------------------------


def test_outcome_distribution_bars_and_wilson_intervals(results, scenario):
    ax = plot_outcome_distribution(results, "guarantees", scenario=scenario)
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert labels == [
        "agreed: No guarantee",
        "agreed: Political declaration",
        "agreed: Legally binding guarantee",
        "without a deal: No guarantee (NATO's fallback)",
    ]
    assert len(ax.patches) == 4
    assert [p.get_gid() for p in ax.patches] == ["agreed"] * 3 + ["no-deal"]
    table = option_probabilities(results.runs, "guarantees", options=["none", "political", "legal"])
    assert [bar.get_width() for bar in ax.patches] == pytest.approx(list(table["probability"]))
    # The bars are what the issue ends with, counted here from the runs table itself.
    rows = results.runs[results.runs["issue"] == "guarantees"]
    by_hand = [
        ((rows["outcome"] == o) & rows["agreed"]).mean() for o in ("none", "political", "legal")
    ] + [((rows["outcome"] == "none") & ~rows["agreed"]).mean()]
    assert [bar.get_width() for bar in ax.patches] == pytest.approx(by_hand)
    assert sum(bar.get_width() for bar in ax.patches) == pytest.approx(1.0)
    # Every error bar spans exactly the Wilson interval, zero counts included.
    spans = errorbar_spans(ax)
    assert spans == pytest.approx(table[["low", "high"]].to_numpy().ravel().tolist())
    zero = table[table["count"] == 0]
    assert len(zero) and (zero["high"] > 0).all()
    # The same bounds as the package's summary table, for the options that occurred.
    summary = outcome_probabilities(results.runs[results.runs["issue"] == "guarantees"])
    political = summary[(summary["outcome"] == "political") & summary["agreed"]].iloc[0]
    assert spans[2:4] == pytest.approx([political["low"], political["high"]])
    none_agreed = summary[~summary["agreed"]].iloc[0]
    assert spans[6:8] == pytest.approx([none_agreed["low"], none_agreed["high"]])
    percentages = [t.get_text() for t in ax.texts if t.get_gid() == "percentage"]
    assert percentages == [
        f"{p:.0%}" if p == 0 or p >= 0.01 else f"{p:.1%}" for p in table["probability"]
    ]
    assert ax.get_title(loc="left") == "Guarantee that the shield is not directed at Russia"
    assert ax.get_xlabel() == "Probability the issue ends so by the deadline (95% interval)"
    # One scale: the axis is in percent, as the bars' labels are.
    ax.figure.canvas.draw()
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"{p}%" for p in range(0, 101, 20)]


def test_outcome_distribution_without_scenario_uses_ids(results):
    ax = plot_outcome_distribution(results, "guarantees")
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert labels[-1] == "without a deal: none"
    assert set(labels[:-1]) <= {"agreed: none", "agreed: political", "agreed: legal"}
    assert ax.get_title(loc="left") == "guarantees"
    with pytest.raises(UsageError, match="no issue 'treaty'"):
        plot_outcome_distribution(results, "treaty")


def test_continuous_issue_is_a_histogram_with_positions(quota):
    res = simulate(quota, runs=200, seed=1)
    ax = plot_outcome_distribution(res, "quota_share", scenario=quota)
    lines = {line.get_gid(): line.get_xdata()[0] for line in ax.get_lines() if line.get_gid()}
    assert lines == {"sq": 50, "position:northland": 70, "position:southland": 30}
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "Northland's position" in legend and "Status quo" in legend
    # 50 holds without a deal: the status quo, which Northland's fallback also imposes.
    assert any(text.startswith("Without a deal: 50 (Northland's fallback): ") for text in legend)
    agreed = res.runs[res.runs["agreed"]]
    assert sum(bar.get_height() for bar in ax.patches) == len(agreed)
    assert ax.get_xlabel().startswith("0 = ")
    # Without the scenario the data still say the issue is continuous.
    bare = plot_outcome_distribution(res, "quota_share")
    assert sum(bar.get_height() for bar in bare.patches) == len(agreed)


# --- time to agreement ----------------------------------------------------------------------


def test_time_to_agreement_marks_events_and_deadlines(results, scenario):
    ax = plot_time_to_agreement(results, scenario=scenario)
    events = {as_date(line.get_xdata()[0]) for line in ax.get_lines() if line.get_gid() == "event"}
    deadlines = {
        as_date(line.get_xdata()[0]) for line in ax.get_lines() if line.get_gid() == "deadline"
    }
    assert events == {e.date for e in scenario.events.values()}
    assert deadlines == {dt.date(2012, 5, 20)}
    labels = {t.get_text() for t in ax.texts if (t.get_gid() or "").endswith("-label")}
    assert {"Russian presidential election", "Inauguration", "NATO summit in Chicago"} <= labels
    # The curve ends at the probability of full agreement and runs at least to the deadline.
    (curve,) = [line for line in ax.get_lines() if line.get_gid() == "curve"]
    per_run = results.runs.groupby("run")["agreed"].all()
    assert curve.get_ydata()[-1] == pytest.approx(per_run.mean())
    assert as_date(curve.get_xdata()[-1]) >= dt.date(2012, 5, 20)
    assert ax.get_xlabel() == "2012"


def test_time_to_agreement_labels_overlap_nothing(results, scenario):
    ax = plot_time_to_agreement(results, scenario=scenario)
    figure = ax.figure
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    labels = [t for t in ax.texts if (t.get_gid() or "").endswith("-label")]
    # The text alone (an annotation's extent includes its leader).
    boxes = [mpl.text.Text.get_window_extent(t, renderer) for t in labels]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)
    title = ax.title if ax.title.get_text() else ax._left_title
    title_box = title.get_window_extent(renderer)
    axes_box = ax.get_window_extent(renderer)
    for box in boxes:
        assert not box.overlaps(title_box)
        assert box.y0 >= axes_box.y1 - 1  # above the plot, not over the data


# --- trajectories ---------------------------------------------------------------------------


def test_trajectories_one_median_per_actor(results, scenario):
    ax = plot_trajectories(results, "aspiration_missile_defence", scenario=scenario)
    medians = [line for line in ax.get_lines() if not line.get_gid()]
    assert [line.get_label() for line in medians] == ["NATO", "Russia", "United States"]
    fan = fan_quantiles(results.trajectories, "aspiration_missile_defence")
    nato = fan[fan["actor"] == "nato"]
    # Steps: each round's value, held one round more at the end so the last step has width.
    assert np.allclose(medians[0].get_ydata()[:-1], nato["median"], equal_nan=True)
    assert all(line.get_drawstyle() == "steps-post" for line in medians)
    assert len({line.get_linestyle() for line in medians}) == 3  # coinciding lines stay apart
    assert (fan["q05"] <= fan["q25"]).all() and (fan["q25"] <= fan["median"]).all()
    assert (fan["median"] <= fan["q75"]).all() and (fan["q75"] <= fan["q95"]).all()
    assert {line.get_gid() for line in ax.get_lines()} >= {"event", "deadline"}


def test_ideal_points_name_the_options(results, scenario):
    ax = plot_trajectories(results, "ideal_guarantees", scenario=scenario)
    ticks = {
        t.get_text().replace("\n", " "): v
        for t, v in zip(ax.get_yticklabels(), ax.get_yticks(), strict=True)
    }
    assert ticks == {
        "No guarantee": 0,
        "Political declaration": 50,
        "Legally binding guarantee": 100,
    }


def test_trajectories_need_trajectories(scenario):
    bare = simulate(scenario, runs=20, seed=1)
    with pytest.raises(UsageError, match="no trajectories"):
        plot_trajectories(bare, "aspiration_missile_defence")


# --- sweeps ---------------------------------------------------------------------------------


def test_sweep_response_one_line_per_level_of_the_second_factor(swept, scenario):
    ax = plot_sweep_response(swept, FALLBACK, scenario=scenario)
    lines = ax.get_lines()
    assert len(lines) == 2
    table = sweep_response(swept.runs, FALLBACK, by=SALIENCE)
    first = table[table[SALIENCE] == 0.5]
    assert np.allclose(lines[0].get_xdata(), [0.4, 0.55, 0.7])
    assert np.allclose(lines[0].get_ydata(), first["probability"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["0.5", "0.9"]
    assert ax.get_legend().get_title().get_text().startswith("Russia: salience")
    assert ax.get_xlabel() == "Russia: fallback value"
    assert ax.get_ylabel() == "P(full agreement)\n(95% interval)"
    # The bands are the Wilson intervals.
    band = ax.collections[0].get_paths()[0].vertices
    assert band[:, 1].min() == pytest.approx(first["low"].min())
    assert band[:, 1].max() == pytest.approx(first["high"].max())


def test_sweep_response_of_an_option_without_second_factor(swept, scenario):
    ax = plot_sweep_response(
        swept, SALIENCE, by=None, outcome="guarantees=political", scenario=scenario
    )
    assert ax.get_ylabel().startswith("P(Political declaration)")
    # With two factors, `by` defaults to the other one.
    assert len(ax.get_lines()) == 3


def test_sweep_heatmap_cells(swept, scenario):
    ax = plot_sweep_heatmap(swept, scenario=scenario)
    image = ax.get_images()[0].get_array()
    assert image.shape == (2, 3)  # rows: salience levels; columns: fallback levels
    table = sweep_response(swept.runs, FALLBACK, by=SALIENCE)
    cell = table[(table[FALLBACK] == 0.4) & (table[SALIENCE] == 0.5)]["probability"].iloc[0]
    assert image[0, 0] == pytest.approx(cell)
    cells = [t.get_text() for t in ax.texts if t.get_gid() == "cell"]
    assert len(cells) == 6
    # Each cell: the probability, then its Wilson interval (all cells hold 60 runs: the
    # footnote says so).
    row = table[(table[FALLBACK] == 0.4) & (table[SALIENCE] == 0.5)].iloc[0]
    assert cells[0] == (f"{100 * row.probability:.0f}%\n{100 * row.low:.0f}-{100 * row.high:.0f}")
    assert "95% interval of 60 runs" in footnotes(ax)[0].replace("\n", " ")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.4", "0.55", "0.7"]


def test_tornado_bars_run_from_the_reference(swept, scenario):
    ax = plot_tornado(swept, scenario=scenario)
    base = {f: base_value(f, scenario) for f in [FALLBACK, SALIENCE]}
    table = tornado_table(swept.runs, [FALLBACK, SALIENCE], base=base)
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert labels[0] == "Russia: fallback value"  # the larger swing on top
    low_bars = [p for p in ax.patches if p.get_gid() == "low"]
    high_bars = [p for p in ax.patches if p.get_gid() == "high"]
    assert len(low_bars) == len(high_bars) == 2
    for row, low, high in zip(table.itertuples(), low_bars, high_bars, strict=True):
        assert low.get_x() == pytest.approx(row.reference)
        assert low.get_x() + low.get_width() == pytest.approx(row.at_low)
        assert high.get_x() + high.get_width() == pytest.approx(row.at_high)
    (reference,) = [line for line in ax.get_lines() if line.get_gid() == "reference"]
    assert reference.get_xdata()[0] == pytest.approx(table["reference"].iloc[0])


def test_sweep_plots_refuse_results_without_factors(results):
    with pytest.raises(UsageError, match="not a sweep"):
        plot_sweep_response(results)
    with pytest.raises(UsageError, match="not a sweep"):
        plot_tornado(results)


# --- model comparison -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_models(scenario):
    return {
        "bargaining": simulate(scenario, runs=150, seed=4),
        "compromise": simulate(scenario, runs=150, seed=4, model="compromise"),
    }


def test_model_comparison_bars_per_model_and_option(two_models, scenario):
    ax = plot_model_comparison(two_models, "guarantees", scenario=scenario)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["bargaining", "compromise"]
    assert len(ax.patches) == 2 * 4  # two models x (three options agreed + one without a deal)
    runs = pd.concat([r.runs.assign(model=m) for m, r in two_models.items()])
    table = option_probabilities(
        runs, "guarantees", options=["none", "political", "legal"], by=["model"]
    )
    # Bars are drawn option by option: the political declaration comes third and fourth.
    political = table[table["outcome"] == "political"]
    assert [p.get_height() for p in ax.patches[2:4]] == pytest.approx(
        list(political["probability"])
    )
    spans = errorbar_spans(ax, vertical=True)
    # Error bars are drawn option by option, one per model: the political declaration's come
    # second.
    assert spans[4:8] == pytest.approx(political[["low", "high"]].to_numpy().ravel().tolist())
    legend = [t.get_text().replace("\n", " ") for t in ax.get_legend().get_texts()]
    assert legend == [
        "agreed: No guarantee",
        "agreed: Political declaration",
        "agreed: Legally binding guarantee",
        "without a deal: No guarantee (NATO's fallback)",
    ]
    # The red line the forecasting models cannot see is named under the figure.
    assert "Red lines: NATO never agrees to Legally binding guarantee." in " ".join(
        footnotes(ax)[0].split()
    )


def test_model_comparison_accepts_a_runs_table_or_results_with_a_model_column(two_models, scenario):
    runs = pd.concat([r.runs.assign(model=m) for m, r in two_models.items()], ignore_index=True)
    from_table = plot_model_comparison(runs, "guarantees", scenario=scenario)
    from_results = plot_model_comparison(
        Results(runs=runs, manifest={}), "guarantees", scenario=scenario
    )
    for ax in (from_table, from_results):
        assert len(ax.patches) == 8
    with pytest.raises(UsageError, match="`model` column"):
        plot_model_comparison(runs.drop(columns="model"), "guarantees")


def test_model_comparison_of_mean_outcomes(two_models, scenario):
    ax = plot_model_comparison(two_models, scenario=scenario)
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert labels[0] == "Guarantee that the shield is not directed at Russia"
    assert len(labels) == len(scenario.issues)
    runs = pd.concat([r.runs.assign(model=m) for m, r in two_models.items()])
    means = mean_outcome_values(runs, by=["model"])
    markers = [line for line in ax.get_lines() if line.get_linestyle() == "None"]
    bargaining = means[means["model"] == "bargaining"].set_index("issue")
    assert np.allclose(markers[0].get_xdata(), bargaining.loc[list(scenario.issues), "mean"])


def test_model_comparison_with_certain_outcomes(scenario):
    """A model that always picks one option (probability exactly 1) must not give negative error
    bars: rounding can put the Wilson bound a hair past p (this crashed `negosim compare`)."""
    certain = simulate(scenario, runs=100, seed=1, model="exchange")
    guarantees = certain.runs[certain.runs["issue"] == "guarantees"]
    assert guarantees["outcome"].value_counts(normalize=True).max() == 1.0  # the case under test
    ax = plot_model_comparison({"exchange": certain}, "guarantees", scenario=scenario)
    assert len(ax.patches) == 4


# --- house style, files ---------------------------------------------------------------------


def test_house_style_leaves_global_settings_alone(results, scenario):
    before = dict(mpl.rcParams)
    ax = plot_outcome_distribution(results, "guarantees", scenario=scenario)
    plot_time_to_agreement(results, scenario=scenario)
    assert dict(mpl.rcParams) == before
    assert {p.get_facecolor()[:3] for p in ax.patches[:3]} <= {
        mpl.colors.to_rgb(c) for c in OKABE_ITO
    }
    assert not ax.spines["top"].get_visible()


def test_footnote_names_sources_and_runs_on_each_panel(results, scenario):
    _, axes = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
    plot_outcome_distribution(results, "guarantees", scenario=scenario, ax=axes[0])
    plot_outcome_distribution(results, "architecture", scenario=scenario, ax=axes[1])
    for ax in axes:
        (note,) = footnotes(ax)
        flat = note.replace("\n", " ")
        assert "RIA Novosti" in flat and "27 Feb 2012" in flat
        assert "Global Security Newswire, 29 Feb 2012" in flat
        assert "300 Monte Carlo runs." in flat
        assert not ax.spines["top"].get_visible()  # axes made elsewhere get the house style


def test_plot_all_writes_what_the_results_support(results, swept, scenario, tmp_path):
    written = plot_all(results, scenario, tmp_path / "run")
    names = {p.name for p in written}
    assert {f"outcome_{issue}.png" for issue in scenario.issues} <= names
    assert {"time_to_agreement.png", "trajectory_aspiration_missile_defence.png"} <= names
    assert "trajectory_ideal_guarantees.png" in names
    assert all(p.stat().st_size > 1000 for p in written)
    assert not [p for p in (tmp_path / "run").iterdir() if p.name.startswith(".")]
    bare = plot_all(simulate(scenario, runs=20, seed=1), scenario, tmp_path / "bare", fmt="pdf")
    assert not [p for p in bare if p.name.startswith("trajectory_")]
    assert bare[0].read_bytes()[:4] == b"%PDF"
    sweep_files = plot_all(swept, scenario, tmp_path / "sweep", fmt="svg")
    assert {p.name for p in sweep_files} == {
        "sweep_response_actors_russia_fallback_value.svg",
        "sweep_response_actors_russia_stances_guarantees_salience.svg",
        "sweep_heatmap.svg",
        "tornado.svg",
    }
    with pytest.raises(UsageError, match="--format must be one of png, svg, pdf"):
        plot_all(results, scenario, tmp_path, fmt="gif")
    assert not plt.get_fignums()  # every figure written was closed


def test_plot_all_reads_a_sweep_from_the_sweep_runner(scenario, tmp_path):
    grid = {"actors.russia.fallback.value": [0.4, 0.7], "actors.russia.salience.guarantees": [0.5]}
    swept = sweep(scenario, grid, runs=20, seed=1)
    names = {p.name for p in plot_all(swept, scenario, tmp_path)}
    assert "sweep_response_actors_russia_fallback_value.png" in names


def test_save_figure_is_atomic(results, tmp_path):
    target = tmp_path / "figure.png"
    target.write_bytes(b"old")
    ax = plot_outcome_distribution(results, "guarantees")
    with pytest.raises(ValueError):
        save_figure(ax, tmp_path / "figure.nonsense")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figure.png"]
    assert not plt.get_fignums()


def test_cli_run_plot_and_plot(tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", str(SEED), "--runs", "50", "--out", str(out), "--plot"]) == 0
    assert (out / "outcome_guarantees.png").exists()
    assert main(["plot", str(out), "--format", "pdf"]) == 0
    assert (out / "figures" / "time_to_agreement.pdf").read_bytes()[:4] == b"%PDF"
    assert main(["plot", str(out), "--format", "gif"]) == 2
    assert "--format must be one of png, svg, pdf (got 'gif')" in capsys.readouterr().err
    assert main(["plot", str(tmp_path / "nothing")]) == 2


def test_public_api_is_honest_and_documented():
    import negosim.plots as plots

    assert sorted(plots.__all__) == sorted(
        name for name in vars(plots) if name.startswith(("plot_", "save_"))
    )
    for name in plots.__all__:
        function = getattr(plots, name)
        assert function.__doc__ and "Returns" in function.__doc__, name
