"""House style: readable fonts, a colour-blind-safe palette, a footnote with sources and runs."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from negosim.scenario.schema import Scenario

__all__ = ["OKABE_ITO", "colour", "footnote", "house_style", "new_axes"]

# Okabe & Ito (2008), safe for the common colour-vision deficiencies.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
GREY = "#8C8C8C"

_RC = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=OKABE_ITO),
    "legend.frameon": False,
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
}


def colour(i: int) -> str:
    """The ``i``-th colour of the palette."""
    return OKABE_ITO[i % len(OKABE_ITO)]


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """Apply the house style inside a ``with`` block (no global rcParams change)."""
    with mpl.rc_context(_RC):
        yield


def new_axes(ax: Axes | None, size: tuple[float, float] = (7.0, 4.0)) -> Axes:
    """``ax`` itself, or a new figure's axes in the house style."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    with house_style():
        _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def footnote(ax: Axes, scenario: Scenario | None, runs: int | None, extra: str = "") -> None:
    """Sources (outlet, date) and the run count in small print under the figure."""
    parts = []
    if scenario is not None and scenario.sources:
        sources = "; ".join(f"{s.outlet}, {s.date:%d %b %Y}" for s in scenario.sources.values())
        parts.append(f"Sources: {sources}.")
    if runs is not None:
        parts.append(f"{runs:,} Monte Carlo runs.")
    if extra:
        parts.append(extra)
    if not parts:
        return
    figure: Any = ax.figure
    if isinstance(figure, Figure):
        import textwrap

        text = "\n".join(textwrap.wrap(" ".join(parts), 120))
        figure.text(0.01, -0.01, text, fontsize=7, color=GREY, ha="left", va="top")
