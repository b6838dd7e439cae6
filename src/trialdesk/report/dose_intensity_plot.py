"""Relative dose intensity figure: the distribution of RDI among treated patients of an arm."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["plot_rdi_distribution"]


def plot_rdi_distribution(rdi: np.ndarray, *, arm: str, n_full_dose: int,
                          n_interruption_or_reduction: int, ax: Axes | None = None) -> Axes:
    """Histogram of RDI in percent (10-point bins from 0 to 110+), planned dose marked at 100%.

    Parameters
    ----------
    rdi
        Relative dose intensity per treated patient, a proportion (1 = the planned dose).
    arm
        The arm's label, for the title.
    n_full_dose, n_interruption_or_reduction
        Patients with the full dose and with any interruption or reduction (shown in the
        title, as trial reports count them).
    """
    if ax is None:
        figure = Figure(figsize=(6.5, 3.8))
        ax = figure.add_subplot()
    percent = np.clip(100.0 * np.asarray(rdi, dtype=float), 0.0, 119.9)
    counts, edges, _ = ax.hist(percent, bins=np.arange(0.0, 121.0, 10.0), color="#1f5fa8",
                               edgecolor="white", alpha=0.85)
    ax.axvline(100.0, color="#c4461b", linestyle="--", linewidth=1.2, label="planned dose (100%)")
    ax.set_xlim(0.0, 120.0)
    ax.set_xticks(edges[::2], labels=[f"{e:g}" for e in edges[:-1:2]] + ["120+"])
    ax.set_ylim(0.0, max(float(counts.max(initial=0.0)), 1.0) * 1.15)
    ax.set_xlabel("Relative dose intensity, % of the planned dose over the planned period")
    ax.set_ylabel("Patients")
    ax.set_title(f"{arm}: {percent.size} treated, {n_full_dose} with the full dose, "
                 f"{n_interruption_or_reduction} with an interruption or reduction", fontsize=9.5)
    ax.legend(loc="upper left", frameon=False, fontsize=8.5)
    ax.grid(axis="y", alpha=0.3)
    return ax
