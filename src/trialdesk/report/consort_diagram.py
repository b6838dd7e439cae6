"""CONSORT flow diagram: assessed, excluded, randomised, then per arm allocated, lost, analysed."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

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


def _box(ax: Axes, x: float, y: float, text: str, *, ha: str = "center") -> Text:
    return ax.text(x, y, text, ha=ha, va="center", fontsize=8.5, linespacing=1.35,
                   bbox={"boxstyle": "square,pad=0.5", "facecolor": "white", "edgecolor": "black"})


def _arrow(ax: Axes, source: Text, target: Text, *, into: tuple[float, float] = (0.5, 1.0),
           out_of: tuple[float, float] = (0.5, 0.0)) -> None:
    """An arrow from ``out_of`` of the source box to ``into`` of the target box (fractions of
    each box, so arrows end at the box edges whatever the text's length)."""
    ax.annotate("", xy=into, xycoords=target, xytext=out_of, textcoords=source,
                arrowprops={"arrowstyle": "->", "color": "black", "linewidth": 0.9,
                            "shrinkA": 5, "shrinkB": 5})


def _reasons(exclusion_reasons: Mapping[str, int], width: int) -> str:
    lines = []
    for reason, n in exclusion_reasons.items():
        wrapped = textwrap.wrap(f"{reason} (n={n})", width) or [f"(n={n})"]
        lines += [f"- {wrapped[0]}", *(f"  {line}" for line in wrapped[1:])]
    return "\n".join(lines)


def plot_consort(*, assessed: int, excluded: int, exclusion_reasons: Mapping[str, int],
                 randomised: int, arms: Sequence[ConsortArm], ax: Axes | None = None) -> Axes:
    """Draw the CONSORT 2010 flow (enrolment, allocation, follow-up, analysis) for 2+ arms.

    Exclusion reasons are listed (wrapped) in the "Excluded" box right of the main column;
    arrows join box edges.
    """
    if ax is None:
        figure = Figure(figsize=(8.0, 7.5))
        ax = figure.add_subplot()
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    top = _box(ax, 0.5, 0.97, f"Assessed for eligibility (n={assessed})")
    reasons = _reasons(exclusion_reasons, 40)
    excluded_box = _box(ax, 0.6, 0.80, f"Excluded (n={excluded})" + (f"\n{reasons}" if reasons
                                                                     else ""), ha="left")
    middle = _box(ax, 0.5, 0.66, f"Randomised (n={randomised})")
    _arrow(ax, top, middle)
    ax.annotate("", xy=(0.0, 0.5), xycoords=excluded_box, xytext=(0.5, 0.80),
                textcoords="data",
                arrowprops={"arrowstyle": "->", "color": "black", "linewidth": 0.9, "shrinkB": 5})
    width = 1.0 / max(len(arms), 1)
    for k, arm in enumerate(arms):
        x = width * (k + 0.5)
        allocated = _box(ax, x, 0.50, f"Allocated to {arm.label} (n={arm.allocated})\n"
                                      f"Received allocated intervention (n={arm.received_allocated})\n"
                                      f"Did not receive it (n={arm.did_not_receive})")
        followed = _box(ax, x, 0.30, f"Lost to follow-up (n={arm.lost_to_follow_up})\n"
                                     f"Withdrew (n={arm.withdrawn})\n"
                                     f"Discontinued intervention (n={arm.discontinued})")
        analysed = _box(ax, x, 0.10, f"Analysed (n={arm.analysed})")
        _arrow(ax, middle, allocated)
        _arrow(ax, allocated, followed)
        _arrow(ax, followed, analysed)
    for y, stage in ((0.97, "Enrolment"), (0.50, "Allocation"), (0.30, "Follow-up"),
                     (0.10, "Analysis")):
        ax.text(-0.04, y, stage, fontsize=8, color="#555555", rotation=90, va="center")
    return ax
