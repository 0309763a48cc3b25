"""House style: readable fonts, a colour-blind-safe palette, a footnote with sources and runs.

Nothing here changes global state: :func:`house_style` applies the style inside a ``with`` block,
and :func:`new_axes` creates a figure inside it (spines and tick sizes are fixed at creation).
"""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Iterator
from typing import Any

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from negosim.scenario.schema import Scenario

__all__ = [
    "GREY",
    "LINESTYLES",
    "OKABE_ITO",
    "colour",
    "footnote",
    "footnote_text",
    "house_style",
    "linestyle",
    "new_axes",
    "note_panel",
    "root_figure",
    "source_line",
    "style_axes",
]

# Okabe & Ito (2008), safe for the common colour-vision deficiencies.  Yellow (#F0E442) is last
# but one: it is hard to see on white, so it is only reached with seven categories.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
GREY = "#8C8C8C"
DARK = "#333333"
# Small print needs more contrast than a bar: #666666 on white is 5.7:1.
NOTE_GREY = "#666666"
# Lines that coincide (two actors holding one position) stay distinguishable in print.
LINESTYLES = ["-", "--", "-.", ":"]

_RC: dict[str, Any] = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 8,
    "legend.title_fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=OKABE_ITO),
    "legend.frameon": False,
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
}


def colour(i: int) -> str:
    """The ``i``-th colour of the palette (cycling)."""
    return OKABE_ITO[i % len(OKABE_ITO)]


def linestyle(i: int) -> str:
    """The ``i``-th line style (cycling), paired with :func:`colour` for overlapping lines."""
    return LINESTYLES[i % len(LINESTYLES)]


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """Apply the house style inside a ``with`` block (no global rcParams change)."""
    with mpl.rc_context(_RC):
        yield


def style_axes(ax: Axes) -> Axes:
    """The house style on axes created elsewhere: no top or right spine, readable ticks."""
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(labelsize=_RC["xtick.labelsize"])
    return ax


def new_axes(ax: Axes | None, size: tuple[float, float] = (7.0, 4.0)) -> Axes:
    """``ax`` in the house style, or the axes of a new figure of ``size`` inches."""
    if ax is not None:
        return style_axes(ax)
    import matplotlib.pyplot as plt

    with house_style():
        _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def note_panel(ax: Axes, text: str) -> None:
    """Say in the middle of ``ax`` why it shows nothing (``gid`` ``"note"``), so an empty panel
    never passes for a figure of zeros."""
    ax.text(
        0.5,
        0.5,
        "\n".join(textwrap.wrap(text, 60)),
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=10,
        color=DARK,
        bbox={"boxstyle": "round,pad=0.6", "facecolor": "white", "edgecolor": GREY},
        gid="note",
        zorder=10,
    )


def root_figure(ax: Axes) -> Figure:
    """The top-level figure holding ``ax`` (also when ``ax`` sits in a subfigure)."""
    figure: Any = ax.figure
    # A Figure's ``figure`` is itself; a SubFigure's is the figure it belongs to.
    root: Figure = figure.figure
    return root


def source_line(scenario: Scenario | None) -> str:
    """``"Sources: outlet, date; ..."`` for the scenario's source documents ('' if none)."""
    if scenario is None or not scenario.sources:
        return ""
    sources = "; ".join(f"{s.outlet}, {s.date:%d %b %Y}" for s in scenario.sources.values())
    return f"Sources: {sources}."


def footnote_text(scenario: Scenario | None, runs: int | None, extra: str = "") -> str:
    """The footnote's words: the sources (outlet, date), the run count, and ``extra``."""
    parts = [source_line(scenario)]
    if runs is not None:
        parts.append(f"{runs:,} Monte Carlo run{'s' if runs != 1 else ''}.")
    parts.append(extra)
    return " ".join(p for p in parts if p)


def footnote(ax: Axes, scenario: Scenario | None, runs: int | None, extra: str = "") -> None:
    """Sources (outlet, date) and the run count in small grey print under ``ax``.

    The note hangs below the x-axis label of ``ax`` itself, so each panel of a grid keeps its own
    note, and it is wrapped to the width of the axes.
    """
    text = footnote_text(scenario, runs, extra)
    if not text:
        return
    width_inches = root_figure(ax).get_figwidth() * ax.get_position().width
    # About 0.6 em per character at 7 pt: 72 / (0.6 * 7) characters per inch.
    chars = max(40, int(width_inches * 72 / 4.2))
    ax.annotate(
        "\n".join(textwrap.wrap(text, chars)),
        xy=(0.0, 0.0),
        xycoords=("axes fraction", ax.xaxis.label),
        xytext=(0, -6),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=7,
        color=NOTE_GREY,
        gid="footnote",
        annotation_clip=False,
    )
