"""Group-sequential boundary plot: efficacy and futility bounds by information, observed path."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["plot_boundaries"]


def plot_boundaries(information_rates: Sequence[float], critical_values: Sequence[float], *,
                    futility_bounds: Sequence[float] | None = None,
                    observed_information: Sequence[float] = (),
                    observed_z: Sequence[float] = (), ax: Axes | None = None) -> Axes:
    """Efficacy boundary (z, one-sided: reject when z >= bound), futility bound, observed z.

    The sign convention is the design module's: z > 0 favours the experimental arm.
    Futility bounds of -6 or below (rpact's "none", or -inf) are not drawn; as in rpact
    there may be fewer of them than looks (none at the final look): they belong to the
    first looks.
    """
    if ax is None:
        figure = Figure(figsize=(6.5, 4.5))
        ax = figure.add_subplot()
    rates = np.asarray(information_rates, dtype=float)
    ax.plot(rates, critical_values, "o-", color="#1f5fa8", label="efficacy boundary")
    if futility_bounds is not None:
        futility = np.asarray(futility_bounds, dtype=float)
        shown = futility > -6.0
        if shown.any():
            ax.plot(rates[:futility.size][shown], futility[shown], "s--", color="#c4461b",
                    label="futility bound")
    if len(observed_z):
        ax.plot(observed_information, observed_z, "D-", color="black", label="observed z")
    ax.axhline(0.0, color="grey", linewidth=0.8)
    ax.set_xlim(0.0, 1.05)
    ax.set_xlabel("Information fraction (events / planned events)")
    ax.set_ylabel("z (log-rank; > 0 favours experimental)")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", frameon=False)
    return ax
