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

__all__ = ["KaplanMeierCurve", "numbers_at_risk", "plot_km"]

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


def _step(km: KaplanMeierCurve, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
        Times at which the numbers at risk are printed under the axis (none when None).
    confidence_bands
        Shade the pointwise confidence band (NaN limits are left unshaded).
    """
    if ax is None:
        figure = Figure(figsize=(7.0, 5.0))
        ax = figure.add_subplot()
    for k, (arm, km) in enumerate(km_by_arm.items()):
        colour = ARM_COLOURS[k % len(ARM_COLOURS)]
        x, y = _step(km, np.asarray(km.survival, dtype=float))
        ax.step(x, y, where="post", color=colour, linewidth=1.6, label=arm)
        censored = np.asarray(km.n_censor) > 0
        ax.plot(np.asarray(km.time)[censored], np.asarray(km.survival)[censored], "+",
                color=colour, markersize=7, markeredgewidth=1.2)
        if confidence_bands:
            _, lower = _step(km, np.asarray(km.lower, dtype=float))
            _, upper = _step(km, np.asarray(km.upper, dtype=float))
            ax.fill_between(x, lower, upper, step="post", color=colour, alpha=0.12,
                            linewidth=0, where=~(np.isnan(lower) | np.isnan(upper)))
    ax.set_ylim(0.0, 1.02)
    ax.set_xlim(left=0.0)
    ax.set_xlabel(time_label)
    ax.set_ylabel(survival_label)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", frameon=False)
    if risk_table_at is not None:
        _draw_risk_table(ax, km_by_arm, list(risk_table_at))
    return ax


def _draw_risk_table(ax: Axes, km_by_arm: Mapping[str, KaplanMeierCurve],
                     times: list[float]) -> None:
    ax.set_xticks(times)
    n_arms = len(km_by_arm)
    ax.figure.subplots_adjust(bottom=0.18 + 0.05 * n_arms)
    transform = ax.get_xaxis_transform()
    ax.text(0.0, -0.16, "Number at risk", transform=ax.transAxes, fontsize=9,
            fontweight="bold", ha="left", va="top")
    for k, (arm, km) in enumerate(km_by_arm.items()):
        y = -0.23 - 0.07 * k
        colour = ARM_COLOURS[k % len(ARM_COLOURS)]
        ax.text(-0.02, y, arm, transform=ax.transAxes, ha="right", va="top", fontsize=9,
                color=colour)
        for t, n in zip(times, numbers_at_risk(km, times), strict=True):
            ax.text(t, y, str(n), transform=transform, ha="center", va="top", fontsize=9,
                    color=colour)
    if isinstance(ax.figure, Figure) and n_arms:
        ax.figure.subplots_adjust(left=0.2)
