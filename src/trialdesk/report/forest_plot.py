"""Forest plot of hazard ratios by subgroup, on a log axis with the line of no effect at 1."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator
from matplotlib.transforms import ScaledTranslation

__all__ = ["ForestRow", "plot_forest"]

#: Candidate x ticks (hazard ratios); those inside the axis range are shown.
_HR_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
#: Text columns right of the axes as (axes edge, offset in inches).
_ESTIMATE_X, _EVENTS_X = (1.0, 0.1), (1.0, 1.35)
#: Width of a 9-point character (generous for DejaVu Sans), inches: sizes the label column.
_CHAR_WIDTH = 0.075
_BOLD = 1.15  # bold characters are wider


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


def _limits(rows: Sequence[ForestRow]) -> tuple[float, float]:
    """Axis range covering every finite CI and at least 0.5-2, on the log scale."""
    ends = [v for r in rows if not r.is_heading for v in (r.lower, r.upper)
            if math.isfinite(v) and v > 0]
    low, high = min([*ends, 0.5]), max([*ends, 2.0])
    return low / 1.15, high * 1.15


def plot_forest(rows: Sequence[ForestRow], *, ax: Axes | None = None,
                favours: tuple[str, str] = ("favours experimental", "favours control"),
                interaction_p: Mapping[str, float] | None = None,
                events_header: str = "events/N") -> Axes:
    """Draw the rows top to bottom; headings (factor names) are bold and have no marker.

    Labels stand in a column left of the axes, as wide as the longest label, "HR (95% CI)" and
    ``events_n`` in columns right of it (outside the axes box: save with
    ``bbox_inches="tight"``); ``events_header`` may hold a line break. A hazard ratio
    below 1 favours ``favours[0]``. ``interaction_p`` maps a heading label to its
    treatment-by-subgroup interaction p-value, printed in the heading's estimate column.
    """
    if ax is None:
        figure = Figure(figsize=(2.6, 0.3 * len(rows) + 1.2))
        ax = figure.add_subplot()
    positions = np.arange(len(rows))[::-1]
    label_width = _CHAR_WIDTH * max(_BOLD * len("Subgroup"), *(
        _BOLD * len(r.label) if r.is_heading else len(r.label) + 3 for r in rows)) + 0.15
    label_x, level_x = (0.0, -label_width), (0.0, -label_width + 0.15)

    def column(place: tuple[float, float], y: float, text: str, **style: object) -> None:
        edge, inches = place
        shift = ScaledTranslation(inches, 0.0, ax.figure.dpi_scale_trans)
        ax.text(edge, y, text, transform=ax.get_yaxis_transform() + shift, ha="left",
                va="center", fontsize=9, **style)

    for y, row in zip(positions, rows, strict=True):
        if row.is_heading:
            column(label_x, y, row.label, fontweight="bold")
            if interaction_p and row.label in interaction_p:
                column(_ESTIMATE_X, y, f"interaction p = {interaction_p[row.label]:.3f}",
                       style="italic")
            continue
        column(level_x, y, row.label)
        if np.isfinite([row.hazard_ratio, row.lower, row.upper]).all():
            ax.plot([row.lower, row.upper], [y, y], color="black", linewidth=1.2)
            ax.plot([row.hazard_ratio], [y], "s", color="#1f5fa8", markersize=6)
            estimate = f"{row.hazard_ratio:.2f} ({row.lower:.2f}-{row.upper:.2f})"
        else:
            estimate = "not estimable"
        column(_ESTIMATE_X, y, estimate)
        column(_EVENTS_X, y, row.events_n)
    for place, text in ((label_x, "Subgroup"), (_ESTIMATE_X, "HR (95% CI)"),
                        (_EVENTS_X, events_header)):
        column(place, len(rows) + 0.2, text, fontweight="bold")
    ax.axvline(1.0, color="grey", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    low, high = _limits(rows)
    ax.set_xlim(low, high)
    ax.xaxis.set_major_locator(FixedLocator([t for t in _HR_TICKS if low <= t <= high]))
    ax.xaxis.set_major_formatter(lambda value, _: f"{value:g}")
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_ylim(-0.7, len(rows) + 0.8)
    ax.set_yticks([])
    ax.set_xlabel(f"Hazard ratio (log scale)\n<- {favours[0]}   |   {favours[1]} ->", fontsize=9)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    return ax
