"""Kaplan-Meier figure with censor marks and a numbers-at-risk table under the axis.

Drawn as survminer draws it: a step function per arm (S(t) right-continuous: the drop is at
the event time), a "+" at each censoring time on the curve, optional pointwise confidence
bands, and below the axis the number at risk at chosen times (patients still under
observation just before t, as R's ``summary(fit, times=)$n.risk``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["ARM_COLOURS", "KaplanMeierCurve", "numbers_at_risk", "plot_km", "step_coordinates"]

ARM_COLOURS = ("#1f5fa8", "#c4461b", "#2e8b57", "#7a4fa3", "#8c6d1f")


class KaplanMeierCurve(Protocol):
    """What the figure reads from a Kaplan-Meier result (trialdesk.survival.kaplan_meier)."""

    @property
    def time(self) -> np.ndarray: ...
    @property
    def survival(self) -> np.ndarray: ...
    @property
    def lower(self) -> np.ndarray: ...
    @property
    def upper(self) -> np.ndarray: ...
    @property
    def n_event(self) -> np.ndarray: ...
    @property
    def n_censor(self) -> np.ndarray: ...


def numbers_at_risk(km: KaplanMeierCurve, times: Sequence[float]) -> np.ndarray:
    """Patients under observation just before each of ``times`` (events + censorings at >= t)."""
    leaving = np.asarray(km.n_event) + np.asarray(km.n_censor)
    # leaving counted from the end: at_or_after[i] = patients whose time >= km.time[i]
    at_or_after = np.concatenate([np.cumsum(leaving[::-1])[::-1], [0]])
    first = np.searchsorted(np.asarray(km.time), np.asarray(times, dtype=float), side="left")
    return at_or_after[first].astype(int)


def step_coordinates(km: KaplanMeierCurve, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of a post-step curve through ``values`` at ``km.time``, starting at (0, 1)."""
    x = np.concatenate([[0.0], np.asarray(km.time, dtype=float)])
    y = np.concatenate([[1.0], values])
    return x, y


def plot_km(
    km_by_arm: Mapping[str, KaplanMeierCurve],
    *,
    ax: Axes | None = None,
    risk_table_at: Sequence[float] | None = None,
    time_label: str = "Months since randomisation",
    survival_label: str = "Recurrence-free survival",
    confidence_bands: bool = True,
) -> Axes:
    """Plot one Kaplan-Meier curve per arm; return the axes.

    Parameters
    ----------
    km_by_arm
        Arm label -> Kaplan-Meier result, in the order the legend shows.
    ax
        Axes to draw on; a new 7 x 5 inch figure when None.
    risk_table_at
        Times at which the numbers at risk are printed under the axis (none when None); they
        become the x ticks and the axis ends at the last of them. The table is an inset axes
        of ``ax`` (``ax.child_axes[0]``), outside the axes box: save with
        ``bbox_inches="tight"``.
    confidence_bands
        Shade the pointwise confidence band (NaN limits are left unshaded).
    """
    if ax is None:
        figure = Figure(figsize=(7.0, 5.0))
        ax = figure.add_subplot()
    for k, (arm, km) in enumerate(km_by_arm.items()):
        colour = ARM_COLOURS[k % len(ARM_COLOURS)]
        x, y = step_coordinates(km, np.asarray(km.survival, dtype=float))
        ax.step(x, y, where="post", color=colour, linewidth=1.6, label=arm)
        censored = np.asarray(km.n_censor) > 0
        ax.plot(np.asarray(km.time)[censored], np.asarray(km.survival)[censored], "+",
                color=colour, markersize=7, markeredgewidth=1.2)
        if confidence_bands:
            _, lower = step_coordinates(km, np.asarray(km.lower, dtype=float))
            _, upper = step_coordinates(km, np.asarray(km.upper, dtype=float))
            ax.fill_between(x, lower, upper, step="post", color=colour, alpha=0.12,
                            linewidth=0, where=~(np.isnan(lower) | np.isnan(upper)))
    ax.set_ylim(0.0, 1.02)
    ax.set_xlim(left=0.0)
    ax.set_xlabel(time_label)
    ax.set_ylabel(survival_label)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", frameon=False)
    if risk_table_at is not None:
        _draw_risk_table(ax, km_by_arm, sorted(float(t) for t in risk_table_at))
    return ax


def _draw_risk_table(ax: Axes, km_by_arm: Mapping[str, KaplanMeierCurve],
                     times: list[float]) -> Axes:
    """A table axes under ``ax`` (sharing its time axis): one row per arm, one column per time.

    Arm names are the table's y tick labels, so they sit left of the axis and never run into
    the column at time 0; the x axis stops at the last time so columns and ticks line up.
    """
    ax.set_xticks(times)
    if times[-1] > 0:
        ax.set_xlim(0.0, times[-1] * 1.03)
    n_arms = len(km_by_arm)
    height = 0.075 * n_arms
    table = ax.inset_axes((0.0, -0.2 - height, 1.0, height), sharex=ax)
    table.set_ylim(n_arms - 0.5, -0.5)
    table.set_yticks(range(n_arms), labels=list(km_by_arm), fontsize=9)
    table.tick_params(axis="both", length=0, labelbottom=False, pad=14)
    for side in table.spines.values():
        side.set_visible(False)
    table.set_title("Number at risk", loc="left", fontsize=9, fontweight="bold", pad=3)
    for k, (label, km) in enumerate(zip(table.get_yticklabels(), km_by_arm.values(), strict=True)):
        colour = ARM_COLOURS[k % len(ARM_COLOURS)]
        label.set_color(colour)
        for t, n in zip(times, numbers_at_risk(km, times), strict=True):
            table.text(t, k, str(n), ha="center", va="center", fontsize=9, color=colour)
    return table
