"""Forest plot of hazard ratios by subgroup, on a log axis with the line of no effect at 1."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["ForestRow", "plot_forest"]


@dataclass(frozen=True, slots=True)
class ForestRow:
    """One line of a forest plot.

    hazard_ratio, lower, upper: the estimate and its CI (NaN where not estimable, e.g. no
    events in one arm); events_n: the text shown beside it, e.g. "12/30 vs 9/31".
    """

    label: str
    hazard_ratio: float
    lower: float
    upper: float
    events_n: str = ""
    is_heading: bool = False


def plot_forest(rows: Sequence[ForestRow], *, ax: Axes | None = None,
                favours: tuple[str, str] = ("favours experimental", "favours control"),
                interaction_p: dict[str, float] | None = None) -> Axes:
    """Draw the rows top to bottom; headings (factor names) are bold and have no marker.

    ``interaction_p`` maps a heading label to its treatment-by-subgroup interaction p-value,
    printed beside the heading.
    """
    if ax is None:
        figure = Figure(figsize=(8.0, 0.38 * len(rows) + 1.6))
        ax = figure.add_subplot()
    positions = np.arange(len(rows))[::-1]
    finite = [r for r in rows if not r.is_heading and np.isfinite([r.lower, r.upper]).all()]
    low = min([r.lower for r in finite] + [0.5])
    high = max([r.upper for r in finite] + [2.0])
    for y, row in zip(positions, rows, strict=True):
        if row.is_heading:
            text = row.label
            if interaction_p and row.label in interaction_p:
                text += f"  (interaction p = {interaction_p[row.label]:.3f})"
            ax.text(low / 1.9, y, text, ha="left", va="center", fontweight="bold", fontsize=9)
            continue
        ax.text(low / 1.8, y, "   " + row.label, ha="left", va="center", fontsize=9)
        if np.isfinite([row.hazard_ratio, row.lower, row.upper]).all():
            ax.plot([row.lower, row.upper], [y, y], color="black", linewidth=1.2)
            ax.plot([row.hazard_ratio], [y], "s", color="#1f5fa8", markersize=6)
            label = f"{row.hazard_ratio:.2f} ({row.lower:.2f}-{row.upper:.2f})"
        else:
            label = "not estimable"
        ax.text(high * 1.6, y, f"{label}   {row.events_n}", ha="left", va="center", fontsize=9)
    ax.axvline(1.0, color="grey", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ax.set_xlim(low / 2.0, high * 1.5)
    ax.set_ylim(-1, len(rows))
    ax.set_yticks([])
    ax.set_xlabel(f"Hazard ratio (95% CI)   <- {favours[0]} | {favours[1]} ->")
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.figure.subplots_adjust(left=0.05, right=0.62)
    return ax
