"""CONSORT flow diagram: assessed, excluded, randomised, then per arm allocated, lost, analysed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["ConsortArm", "plot_consort"]


@dataclass(frozen=True, slots=True)
class ConsortArm:
    """Counts of one arm in the CONSORT flow (``trialdesk.analysis.consort.ConsortArmCounts``
    has the same fields and is drawn as it is)."""

    label: str
    allocated: int
    received_allocated: int
    did_not_receive: int
    lost_to_follow_up: int
    discontinued: int
    analysed: int
    withdrawn: int = 0


def _box(ax: Axes, x: float, y: float, text: str) -> None:
    ax.text(x, y, text, ha="center", va="center", fontsize=8.5, wrap=True,
            bbox={"boxstyle": "square,pad=0.5", "facecolor": "white", "edgecolor": "black"})


def _arrow(ax: Axes, x0: float, y0: float, x1: float, y1: float) -> None:
    ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                arrowprops={"arrowstyle": "->", "color": "black", "linewidth": 0.9})


def plot_consort(*, assessed: int, excluded: int, exclusion_reasons: Mapping[str, int],
                 randomised: int, arms: Sequence[ConsortArm], ax: Axes | None = None) -> Axes:
    """Draw the CONSORT 2010 flow (enrolment, allocation, follow-up, analysis) for 2+ arms."""
    if ax is None:
        figure = Figure(figsize=(8.0, 7.0))
        ax = figure.add_subplot()
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    _box(ax, 0.5, 0.94, f"Assessed for eligibility (n={assessed})")
    reasons = "\n".join(f"  {reason} (n={n})" for reason, n in exclusion_reasons.items())
    _box(ax, 0.82, 0.80, f"Excluded (n={excluded})" + (f"\n{reasons}" if reasons else ""))
    _arrow(ax, 0.5, 0.91, 0.5, 0.70)
    _arrow(ax, 0.5, 0.80, 0.66, 0.80)
    _box(ax, 0.5, 0.66, f"Randomised (n={randomised})")
    width = 1.0 / max(len(arms), 1)
    for k, arm in enumerate(arms):
        x = width * (k + 0.5)
        _arrow(ax, 0.5, 0.63, x, 0.55)
        _box(ax, x, 0.48, f"Allocated to {arm.label} (n={arm.allocated})\n"
                          f"Received allocated intervention (n={arm.received_allocated})\n"
                          f"Did not receive it (n={arm.did_not_receive})")
        _arrow(ax, x, 0.42, x, 0.34)
        _box(ax, x, 0.28, f"Lost to follow-up (n={arm.lost_to_follow_up})\n"
                          f"Withdrew (n={arm.withdrawn})\n"
                          f"Discontinued intervention (n={arm.discontinued})")
        _arrow(ax, x, 0.24, x, 0.15)
        _box(ax, x, 0.10, f"Analysed (n={arm.analysed})")
    for y, stage in ((0.94, "Enrolment"), (0.48, "Allocation"), (0.28, "Follow-up"),
                     (0.10, "Analysis")):
        ax.text(0.0, y, stage, fontsize=8, color="#555555", rotation=90, va="center")
    return ax
