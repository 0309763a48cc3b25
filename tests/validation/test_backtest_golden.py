"""Golden test: the ``negosim backtest deu3`` output documented in docs/models.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from negosim.cli.app import app

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_documented_backtest_output_is_what_the_command_prints():
    """Regenerate the block with the command in the comment that opens it, piped (``| cat``:
    the table is 140 columns wide off a terminal)."""
    docs = (ROOT / "docs" / "models.md").read_text(encoding="utf-8")
    head, _, rest = docs.partition("<!-- backtest-golden: negosim ")
    command, _, rest = rest.partition(" -->\n```text\n")
    documented, _, _ = rest.partition("\n```\n<!-- /backtest-golden -->")
    assert head and documented, "the golden block is missing from docs/models.md"
    result = CliRunner().invoke(app, command.split())
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip("\n") == documented, (
        "negosim backtest's output changed: regenerate the block in docs/models.md with "
        f"`negosim {command} | cat`"
    )
