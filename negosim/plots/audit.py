"""The assumption audit as a figure: each headline's first-order indices, coloured by provenance."""

from __future__ import annotations

import os
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.patches import Patch

from negosim.plots.style import GREY, OKABE_ITO, footnote, house_style, new_axes
from negosim.scenario.schema import Scenario
from negosim.tables.audit import Audit, HeadlineAudit

__all__ = ["PROVENANCE_COLOURS", "plot_audit", "plot_audit_headline"]

# What defends an input, as the legend names it and the colour its bar gets.
PROVENANCE_COLOURS = {
    "evidence": ("quote from a source", OKABE_ITO[0]),
    "assumption": ("assumption", OKABE_ITO[1]),
    "derived": ("derived from other inputs", OKABE_ITO[2]),
    "none": ("no source", GREY),
}


def _label(path: str, width: int = 44) -> str:
    """A dotted path broken at dots to fit ``width`` characters a line."""
    lines, line = [], ""
    for part in path.split("."):
        piece = part if not line else f"{line}.{part}"
        if len(piece) > width and line:
            lines.append(line + ".")
            line = part
        else:
            line = piece
    return "\n".join([*lines, line])


def plot_audit_headline(
    headline: HeadlineAudit,
    *,
    top: int = 8,
    runs: int | None = None,
    scenario: Scenario | None = None,
    ax: Axes | None = None,
    note: bool = True,
) -> Axes:
    """Horizontal bars of one headline's ``top`` largest first-order indices, largest on top,
    each coloured by its input's provenance and labelled with its value.

    Parameters
    ----------
    headline
        One headline of an :class:`~negosim.tables.audit.Audit`.
    top
        How many inputs to draw.
    runs, scenario
        For the footnote (run count, sources).
    ax
        Axes to draw on; by default a new figure.
    note
        Write the footnote (sources, runs, method) under the axes.
    """
    shown = list(headline.inputs[:top])
    ax = new_axes(ax, (7.0, 0.45 * max(1, len(shown)) + 1.4))
    with house_style():
        ys = list(range(len(shown)))[::-1]
        for y, score in zip(ys, shown, strict=True):
            fill = PROVENANCE_COLOURS[score.provenance.kind][1]
            value = 100 * score.score.index
            ax.barh(y, value, color=fill, height=0.65, gid=f"bar:{score.path}")
            ax.annotate(
                f"{value:.0f} %",
                xy=(value, y),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        ax.set_yticks(ys, [_label(s.path) for s in shown], fontsize=8)
        ax.set_xlim(0, 100)
        ax.set_xlabel("share of the headline's variance explained alone (%)")
        mean = f"{100 * headline.mean:.0f} %" if headline.is_event else f"mean {headline.mean:.1f}"
        ax.set_title(f"{headline.name} ({mean})", loc="left")
        present = {s.provenance.kind for s in shown}
        kinds = [k for k in PROVENANCE_COLOURS if k in present]
        handles = [
            Patch(color=PROVENANCE_COLOURS[k][1], label=PROVENANCE_COLOURS[k][0]) for k in kinds
        ]
        ax.legend(handles=handles, loc="lower right", title="provenance")
        if note:
            footnote(ax, scenario, runs, "First-order indices, binned and bias-corrected.")
    return ax


def plot_audit(
    audit: Audit,
    path: str | os.PathLike[str],
    *,
    scenario: Scenario | None = None,
    top: int = 8,
    headlines: int = 4,
) -> Path:
    """Write a figure of the audit's first ``headlines`` headlines that vary (one panel each) to
    ``path`` (format from its suffix), atomically; return ``path``.

    Raises
    ------
    UsageError
        If no headline varies between the runs."""
    import matplotlib.pyplot as plt

    from negosim.plots.all import save_figure

    # A headline the same in every run has no bars to draw.
    chosen = [h for h in audit.headlines if h.inputs][:headlines]
    if not chosen:
        from negosim.errors import UsageError

        raise UsageError("no headline varies between the runs: there is nothing to draw")
    heights = [0.45 * max(1, min(top, len(h.inputs))) + 1.6 for h in chosen]
    with house_style():
        _, axes = plt.subplots(
            len(chosen),
            1,
            figsize=(7.5, sum(heights)),
            layout="constrained",
            height_ratios=heights,
            squeeze=False,
        )
    for i, (ax, headline) in enumerate(zip(axes[:, 0], chosen, strict=True)):
        last = i == len(chosen) - 1
        plot_audit_headline(headline, top=top, runs=audit.runs, scenario=scenario, ax=ax, note=last)
    return save_figure(axes[0, 0], path)
