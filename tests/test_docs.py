"""The documentation: the tutorial runs as written, and the site with its API reference builds
from the docstrings with warnings as errors (``mkdocs build --strict``)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from negosim.cli import main

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"
FENCE = re.compile(r"```(\w+)\n(.*?)```", re.S)
FILE = re.compile(r"<!-- file: (\S+) -->\n```\w+\n(.*?)```", re.S)


def test_api_reference_builds_strictly_from_the_docstrings(tmp_path):
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    tables = (site / "api" / "tables" / "index.html").read_text(encoding="utf-8")
    # A sentence of agreement_by_point's docstring: the page is generated from the code.
    assert "P(full agreement) at each design point of a sweep" in tables
    glossary = (site / "glossary" / "index.html").read_text(encoding="utf-8")
    assert "<dt><strong>aspiration</strong></dt>" in glossary


@pytest.fixture
def tutorial_folder(tmp_path, monkeypatch):
    text = TUTORIAL.read_text(encoding="utf-8")
    for name, body in FILE.findall(text):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return text


def test_tutorial_runs_as_written(tutorial_folder, capsys):
    text = tutorial_folder
    commands = [
        line
        for lang, body in FENCE.findall(text)
        if lang == "bash"
        for line in body.splitlines()
        if line.startswith("negosim ")
    ]
    assert len(commands) == 5
    outputs = []
    for command in commands:
        assert main(shlex.split(command)[1:]) == 0, command
        outputs.append(capsys.readouterr().out)
    # What section 3 says validate prints.
    assert (
        "ok my_first/reservoir.yaml: Upton and Downton share the Stillwater reservoir"
        in (outputs[0])
    )
    assert "7 evidence quotes, all found in their sources" in outputs[0]
    assert "11 assumptions" in outputs[0]
    assert "run 0's draws" in outputs[2] and "actors.downton.fallback.value = " in outputs[2]
    assert "  Upton: Ada Brandt decides" in outputs[2]
    assert Path("results/reservoir-sweep/manifest.json").exists()
    (python,) = [body for lang, body in FENCE.findall(text) if lang == "python"]
    exec(compile(python, str(TUTORIAL), "exec"), {})
    assert "P(full agreement):" in capsys.readouterr().out


def test_tutorial_quotes_the_stories_it_tells(tutorial_folder, capsys):
    prose = " ".join(tutorial_folder.split())
    for run, quoted in (
        ("1", "Lena Voss now decides for Upton; its ideal on"),
        ("139", "Downton walks away: it believes"),
    ):
        args = ["run", "my_first/reservoir.yaml", "--runs", "500", "--seed", "1"]
        assert main([*args, "--out", "results/r", "--explain", "--run", run]) == 0
        story = capsys.readouterr().out
        (line,) = [line.strip() for line in story.splitlines() if quoted in line]
        assert f'"{line}"' in prose, line
