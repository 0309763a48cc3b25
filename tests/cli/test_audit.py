"""``negosim audit``: first-order indices against decompositions known in closed form, and what
the command shows (text, JSON, figure, refusals)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ruamel.yaml import YAML

from negosim.cli import main
from negosim.errors import UsageError
from negosim.tables.first_order import best_split, first_order, n_bins

ROOT = Path(__file__).resolve().parents[2]
DEAL = ROOT / "tests" / "cli" / "deal.yaml"
SEED = ROOT / "scenarios" / "nato_russia_missile_defence_2012.yaml"
BROKEN = ROOT / "tests" / "scenario" / "fixtures" / "broken" / "unknown_model.yaml"


def _yaml(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


# -- the estimator ---------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), [(1.0, 1.0), (2.0, 1.0), (3.0, 0.5)])
def test_linear_response_to_independent_uniforms(a, b):
    # Y = a X1 + b X2 with X1, X2 independent uniforms: Var(E[Y | X1]) = a^2 / 12 and
    # Var(Y) = (a^2 + b^2) / 12, so S1 = a^2 / (a^2 + b^2) and S2 = b^2 / (a^2 + b^2); an input
    # Y does not depend on has S = 0.
    rng = np.random.default_rng(11)
    n = 20_000
    x1, x2, x3 = rng.random(n), rng.random(n), rng.random(n)
    y = a * x1 + b * x2
    s1 = first_order(pd.Series(x1), y).index
    s2 = first_order(pd.Series(x2), y).index
    s3 = first_order(pd.Series(x3), y).index
    assert s1 == pytest.approx(a * a / (a * a + b * b), abs=0.015)
    assert s2 == pytest.approx(b * b / (a * a + b * b), abs=0.015)
    assert s3 < 0.005


def test_a_category_and_a_flag():
    # Y = 2 C + Z with C a fair coin and Z standard normal: Var(E[Y | C]) = 4 * 1/4 = 1 and
    # Var(Y) = 1 + 1, so S_C = 1/2.
    rng = np.random.default_rng(5)
    n = 20_000
    coin = rng.random(n) < 0.5
    y = 2 * coin + rng.standard_normal(n)
    assert first_order(pd.Series(coin), y).index == pytest.approx(0.5, abs=0.02)
    words = pd.Series(np.where(coin, "heads", "tails"), dtype="string")
    score = first_order(words, y)
    assert score.bins == 2 and score.index == pytest.approx(0.5, abs=0.02)


def test_the_bias_correction_removes_the_noise_of_binning():
    # For an unrelated input the raw share averages (B - 1) / (n - 1); Kelley's correction
    # averages 0 before clipping, so the clipped index stays far below the raw share.
    rng = np.random.default_rng(2)
    n = 400
    scores = [first_order(pd.Series(rng.random(n)), rng.random(n)) for _ in range(200)]
    noise = (n_bins(n) - 1) / (n - 1)
    assert np.mean([s.raw for s in scores]) == pytest.approx(noise, rel=0.2)
    assert np.mean([s.index for s in scores]) < noise / 3


def test_too_few_runs_are_refused():
    with pytest.raises(UsageError, match="at least 100 runs"):
        first_order(pd.Series(np.arange(50.0)), np.arange(50.0))


def test_the_split_finds_a_step():
    rng = np.random.default_rng(8)
    x = rng.random(5000)
    split = best_split(pd.Series(x), (x < 0.56).astype(float))
    assert split.threshold == pytest.approx(0.56, abs=0.005)
    assert (split.below, split.above) == (1.0, 0.0)


def _row(text: str, first: str) -> list[str]:
    """The cells of the table row whose first cell is ``first``, each cell's wrapped lines
    joined (a rich table wraps long cells onto lines whose first cell is blank)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"│ {first} "))
    cells = [c.strip() for c in lines[start].strip("│").split("│")]
    for line in lines[start + 1 :]:
        parts = [c.strip() for c in line.strip("│").split("│")]
        if not line.startswith("│") or parts[0]:
            break
        cells = [f"{a} {b}".strip() for a, b in zip(cells, parts, strict=True)]
    return cells


# -- the command -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def deal_document() -> dict:
    from negosim.scenario import load_scenario
    from negosim.simulation.audit import audit_scenario

    return audit_scenario(load_scenario(DEAL), runs=400).to_dict()


def test_json_names_the_driver_its_threshold_and_provenance(capsys):
    doc = _yaml(DEAL)
    assert main(["audit", str(DEAL), "--runs", "400", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["runs"] == 400
    agreement = report["headlines"][0]
    assert agreement["id"] == "agreement"
    assert agreement["same_runs"] == ["deal ends at yes"]  # one issue: the same event
    top = agreement["inputs"][0]
    # Agreement iff the fallback (uniform on [0, 1]) is below the deal's worth, 0.5: a step,
    # whose first-order index is 1 (a few runs at the edge of a bin take a little from it).
    assert top["input"] == "actors.alpha.fallback.value"
    assert top["index"] > 0.85
    assert top["split"]["threshold"] == pytest.approx(0.5, abs=0.03)
    assert "iff actors.alpha.fallback.value < about 0.5" in top["flip"]
    fallback = doc["actors"]["alpha"]["fallback"]["value"]
    assert top["provenance"] == {
        "kind": "assumption",
        "text": fallback["assumption"],
        "source": None,
        "path": "actors.alpha.fallback.value",
        "assumption": None,
    }
    # Beta's salience does not matter to a deal both want: no share, no flip.
    other = agreement["inputs"][1]
    assert other["input"] == "actors.beta.stances.deal.salience"
    assert other["index"] < 0.03 and other["flip"] == ""


def test_text_shows_each_input_with_its_provenance(capsys):
    assert main(["audit", str(DEAL), "--runs", "400"]) == 0
    out = capsys.readouterr().out
    assert "agreement (" in out
    _, index, provenance, flip = _row(out, "actors.alpha.fallback.value")
    assert index.endswith("%") and float(index.rstrip(" %")) > 85
    assert provenance.startswith("assumption: Nobody knows what walking away")
    assert flip.startswith("iff < about 0.5")


def test_a_quote_is_shown_where_the_file_gives_one(tmp_path, capsys):
    # The seed's utility of a political declaration cites two sources: the first quote shows.
    doc = _yaml(SEED)
    political = doc["actors"]["russia"]["stances"]["guarantees"]["utilities"]["political"]
    assert main(["run", str(SEED), "--runs", "200", "--out", str(tmp_path / "seed")]) == 0
    capsys.readouterr()
    assert main(["audit", str(SEED), "--from", str(tmp_path / "seed"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    rows = {row["input"]: row for h in report["headlines"] for row in h["inputs"]}
    cited = rows["actors.russia.stances.guarantees.utilities.political"]["provenance"]
    first = political["evidence"][0]
    assert cited["kind"] == "evidence" and cited["source"] == first["source"]
    assert cited["text"] == first["quote"]
    assert cited["assumption"] == " ".join(political["assumption"].split())
    # The election's outcome, the inaugurations it triggers and the head they install split the
    # runs the same way: one row stands for them all.
    election = rows["events.election.outcome"]
    assert set(election["equivalent"]) == {
        "events.inauguration_putin.happens",
        "events.inauguration_other.happens",
        "authority.russia.chicago",
    }
    assert "events.inauguration_putin.happens" not in rows


def test_plot_draws_one_bar_per_input_coloured_by_provenance(tmp_path, deal_document):
    from negosim.plots.audit import PROVENANCE_COLOURS, plot_audit_headline
    from negosim.scenario import load_scenario
    from negosim.simulation.audit import audit_scenario

    audit = audit_scenario(load_scenario(DEAL), runs=400)
    ax = plot_audit_headline(audit.headlines[0], top=5)
    bars = {p.get_gid(): p for p in ax.patches if (p.get_gid() or "").startswith("bar:")}
    assert set(bars) == {"bar:actors.alpha.fallback.value", "bar:actors.beta.stances.deal.salience"}
    top = bars["bar:actors.alpha.fallback.value"]
    index = deal_document["headlines"][0]["inputs"][0]["index"]
    assert top.get_width() == pytest.approx(100 * index)
    assert top.get_facecolor()[:3] == pytest.approx(
        tuple(int(PROVENANCE_COLOURS["assumption"][1][i : i + 2], 16) / 255 for i in (1, 3, 5))
    )
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["assumption"]
    assert ax.get_title(loc="left").startswith("agreement (")
    png = tmp_path / "audit.png"
    assert main(["audit", str(DEAL), "--runs", "400", "--plot", str(png), "-q"]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["audit", str(ROOT / "no_such_file.yaml")], "no_such_file.yaml"),
        (["audit", str(BROKEN)], "unknown_model.yaml"),
        (["audit", str(DEAL), "--runs", "50"], "at least 100 runs"),
        (["audit", str(DEAL), "--from", str(ROOT), "--runs", "200"], "--from DIR"),
        (["audit", str(DEAL), "--from", str(ROOT / "tests")], "not a results or sweep folder"),
    ],
)
def test_refusals_exit_2_with_a_message(capsys, args, message):
    assert main(args) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert "Traceback" not in captured.err


def test_results_of_another_scenario_are_refused(tmp_path, capsys):
    assert main(["run", str(DEAL), "--runs", "100", "--out", str(tmp_path / "deal")]) == 0
    capsys.readouterr()
    assert main(["audit", str(SEED), "--from", str(tmp_path / "deal")]) == 2
    assert "holds results of another scenario file" in capsys.readouterr().err


def test_a_headline_the_same_in_every_run_has_nothing_to_share():
    from negosim.scenario import load_scenario
    from negosim.tables.audit import audit_tables

    n = 200
    runs = pd.DataFrame(
        {
            "run": range(n),
            "issue": "deal",
            "outcome": "yes",
            "value": 100.0,
            "run_end_reason": "agreement",
        }
    )
    draws = pd.DataFrame({"run": range(n), "actors.alpha.fallback.value": np.linspace(0, 1, n)})
    audit = audit_tables(runs, draws, load_scenario(DEAL))
    # Agreement in every run: no variance; the deal's only outcome is no headline at all.
    [agreement] = audit.headlines
    assert agreement.id == "agreement" and agreement.mean == 1.0
    assert agreement.inputs == ()
