"""Scenario text of any size, for the tests of the size limits (``negosim.limits``).

:func:`sized_scenario` writes a schema-valid scenario of ``n_actors`` actors with a stance on every
issue; each issue is ``(kind, n_options, package)``, a continuous issue taking no options.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["issue_line", "sized_scenario"]


def sized_scenario(
    n_actors: int,
    issues: Sequence[tuple[str, int, str]],
    *,
    model: str = "bargaining",
    parameters: str = "{}",
) -> str:
    """YAML text of the scenario (issue ``k`` is ``i<k>``, actor ``a`` is ``a<a>``)."""
    lines = [
        "schema_version: 1",
        "metadata: {id: sized, title: Sized}",
        "calendar: {start: 2025-01-06, end: 2025-02-03, round_length: 2w}",
        "issues:",
    ]
    for k, (kind, n, package) in enumerate(issues):
        if kind == "continuous":
            lines.append(
                f"  i{k}: {{label: I{k}, kind: continuous, status_quo: 50, package: {package}}}"
            )
        else:
            options = ", ".join(f"o{j}: {{label: O{j}, value: {j}}}" for j in range(n))
            lines.append(
                f"  i{k}: {{label: I{k}, kind: ordinal, status_quo: o0, package: {package}, "
                f"options: {{{options}}}}}"
            )
    lines.append("actors:")
    for a in range(n_actors):
        lines += [f"  a{a}:", f"    name: A{a}", "    kind: state", "    capability: 1"]
        lines.append("    stances:")
        for k, (kind, n, _) in enumerate(issues):
            position = (a * 7) % 100 if kind == "continuous" else f"o{a % n}"
            lines.append(f"      i{k}: {{position: {position}, salience: 0.5, assumption: stated}}")
        lines.append("    fallback: {description: none, assumption: stated}")
        lines.append(
            "    behaviour: {concession: linear, patience: 0.9, risk: 0.0, assumption: stated}"
        )
    lines.append(f"engine: {{model: {model}, runs: 10, seed: 1, parameters: {parameters}}}")
    return "\n".join(lines) + "\n"


def issue_line(text: str, issue_id: str) -> int:
    """The 1-based line on which issue ``issue_id`` is declared in ``text``."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith(f"  {issue_id}:"):
            return number
    raise ValueError(f"no issue {issue_id!r} in the text")
