"""A mergeable summary of one simulated quantity: count, mean and a fixed-grid histogram.

Operating characteristics are summed block by block, so memory stays flat however many
trials run, and the result is bit-identical however blocks are batched: counts are integers,
and float sums are combined in block order only (docs/simulate.md#seeds-and-chunks).
Quantiles are read from the histogram by linear interpolation within a bin, so they are
exact to the bin width (``QuantityGrid.width``); the mean is exact.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

__all__ = ["QUANTILES", "QUANTILE_NAMES", "Distribution", "QuantityGrid"]

logger = logging.getLogger(__name__)

#: Quantiles reported for every simulated quantity.
QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Their names in tables and JSON.
QUANTILE_NAMES: tuple[str, ...] = tuple(f"q{round(100 * p):02d}" for p in QUANTILES)


@dataclass(frozen=True)
class QuantityGrid:
    """Histogram bins of ``width`` from ``low`` to ``high``; values outside are clipped.

    ``discrete``: the values are multiples of ``width`` from ``low`` (counts), so a quantile
    is the bin's value itself rather than an interpolation within it.
    """

    low: float
    high: float
    width: float
    discrete: bool = False

    @property
    def n_bins(self) -> int:
        """Number of bins."""
        return round((self.high - self.low) / self.width)

    def counts(self, values: np.ndarray) -> np.ndarray:
        """Bin counts of the finite ``values``."""
        index = np.floor((values - self.low) / self.width).astype(np.int64)
        return np.bincount(np.clip(index, 0, self.n_bins - 1), minlength=self.n_bins)


@dataclass(frozen=True)
class Distribution:
    """Summary of a quantity over simulated trials; NaN values (not estimable) are counted apart."""

    grid: QuantityGrid
    n: int
    n_missing: int
    total: float
    histogram: np.ndarray

    @classmethod
    def of(cls, values: np.ndarray, grid: QuantityGrid) -> Distribution:
        """The summary of one block's values."""
        finite = values[np.isfinite(values)]
        return cls(grid=grid, n=int(finite.size), n_missing=int(values.size - finite.size),
                   total=float(np.sum(finite)), histogram=grid.counts(finite))

    def merge(self, later: Distribution) -> Distribution:
        """This block's summary followed by ``later``'s (sums in that order)."""
        return Distribution(grid=self.grid, n=self.n + later.n, n_missing=self.n_missing + later.n_missing,
                            total=self.total + later.total, histogram=self.histogram + later.histogram)

    @property
    def mean(self) -> float:
        """Mean of the estimable values (NaN when none)."""
        return self.total / self.n if self.n else float("nan")

    @property
    def missing_fraction(self) -> float:
        """Fraction of trials where the quantity was not estimable (e.g. median not reached)."""
        total = self.n + self.n_missing
        return self.n_missing / total if total else float("nan")

    def quantile(self, probability: float) -> float:
        """The ``probability`` quantile of the estimable values, to the grid's bin width."""
        if self.n == 0:
            return float("nan")
        cumulative = np.cumsum(self.histogram)
        target = probability * self.n
        index = int(np.searchsorted(cumulative, target, side="left"))
        if self.grid.discrete:
            return float(self.grid.low + self.grid.width * index)
        before = cumulative[index - 1] if index > 0 else 0
        inside = (target - before) / self.histogram[index]
        return float(self.grid.low + self.grid.width * (index + inside))

    def percentile_of(self, value: float) -> float:
        """The percentage of estimable simulated values below ``value`` (0-100).

        Values in the bin of ``value`` count in proportion to where it lies in the bin; for a
        discrete grid, half of those equal to ``value`` count as below (mid-rank).
        """
        if self.n == 0:
            return float("nan")
        position = (value - self.grid.low) / self.grid.width + (0.5 if self.grid.discrete else 0.0)
        index = int(np.clip(np.floor(position), 0, self.grid.n_bins - 1))
        below = float(self.histogram[:index].sum())
        below += self.histogram[index] * float(np.clip(position - index, 0.0, 1.0))
        return 100.0 * below / self.n

    def quantiles(self) -> dict[str, float]:
        """The reported quantiles, keyed by ``QUANTILE_NAMES`` (``q05`` ... ``q95``)."""
        return {name: self.quantile(p) for name, p in zip(QUANTILE_NAMES, QUANTILES, strict=True)}
