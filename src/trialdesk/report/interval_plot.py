"""Scan-aware RFS figure: Turnbull's interval-censored estimate beside the Kaplan-Meier curve.

Per arm (one colour each) the conventional Kaplan-Meier curve, which places each relapse at
the scan that showed it (the right endpoint), is drawn dashed; Turnbull's NPMLE is drawn
solid. Inside a Turnbull innermost interval the estimate is not identified (only the mass on
the interval is): the curve is drawn as a straight line across it, from S at its left end to
S at its right end. Mass at infinity (beyond the last observation) is not drawn.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from trialdesk.report.km_plot import ARM_COLOURS, KaplanMeierCurve, step_coordinates

__all__ = ["TurnbullCurve", "plot_turnbull_beside_km", "turnbull_coordinates"]


class TurnbullCurve(Protocol):
    """What the figure reads from ``trialdesk.analysis.TurnbullEstimate``."""

    @property
    def left(self) -> np.ndarray: ...
    @property
    def right(self) -> np.ndarray: ...
    @property
    def survival(self) -> np.ndarray: ...


def turnbull_coordinates(estimate: TurnbullCurve) -> tuple[np.ndarray, np.ndarray]:
    """Polyline (x, y) of the NPMLE: flat between innermost intervals, a straight line across
    each finite one (from S before it at its left end to S after it at its right end)."""
    finite = np.isfinite(estimate.right)
    left = np.asarray(estimate.left, dtype=float)[finite]
    right = np.asarray(estimate.right, dtype=float)[finite]
    after = np.asarray(estimate.survival, dtype=float)[finite]
    before = np.concatenate([[1.0], after])[:-1]
    x = np.concatenate([[0.0], np.column_stack([left, right]).ravel()])
    y = np.concatenate([[1.0], np.column_stack([before, after]).ravel()])
    return x, y


def plot_turnbull_beside_km(km_by_arm: Mapping[str, KaplanMeierCurve],
                            turnbull_by_arm: Mapping[str, TurnbullCurve], *,
                            ax: Axes | None = None,
                            time_label: str = "Months since randomisation",
                            survival_label: str = "Recurrence-free survival") -> Axes:
    """Overlay, per arm, the Turnbull NPMLE (solid) and the Kaplan-Meier curve (dashed).

    Both mappings are keyed by arm label, in the legend's order; times in the data's unit.
    """
    if ax is None:
        figure = Figure(figsize=(7.0, 4.5))
        ax = figure.add_subplot()
    for k, (arm, km) in enumerate(km_by_arm.items()):
        colour = ARM_COLOURS[k % len(ARM_COLOURS)]
        x, y = step_coordinates(km, np.asarray(km.survival, dtype=float))
        ax.step(x, y, where="post", color=colour, linewidth=1.1, linestyle="--",
                label=f"{arm}: Kaplan-Meier (relapse at the scan)")
        tx, ty = turnbull_coordinates(turnbull_by_arm[arm])
        ax.plot(tx, ty, color=colour, linewidth=1.8, label=f"{arm}: Turnbull (interval-censored)")
    ax.set_ylim(0.0, 1.02)
    ax.set_xlim(left=0.0)
    ax.set_xlabel(time_label)
    ax.set_ylabel(survival_label)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", frameon=False, fontsize=8.5)
    return ax
