"""Imbalance between arms, scaled to the allocation ratio.

Counts are divided by the ratio first (``n_a / r_a``: patients per ratio unit), so a list in
the exact ratio has imbalance 0 whatever the ratio. Two measures (Pocock and Simon 1975;
Signorini et al. 1993):

``range``
    ``max_a n_a/r_a - min_a n_a/r_a``; for 1:1 the difference in patient numbers.
``marginal_balance``
    ``sum_{a<b} |n_a/r_a - n_b/r_b|``; equals ``range`` for two arms.

Functions take counts with arms on the last axis and any leading (batch) axes.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["Criterion", "imbalance"]

Criterion = Literal["range", "marginal_balance"]


def imbalance(counts: ArrayLike, ratio: ArrayLike, *, criterion: Criterion = "range") -> np.ndarray:
    """Imbalance of ``counts`` (..., n_arms) against ``ratio`` (n_arms,): shape (...)."""
    scaled = np.asarray(counts, dtype=np.float64) / np.asarray(ratio, dtype=np.float64)
    if criterion == "range":
        return scaled.max(axis=-1) - scaled.min(axis=-1)
    return np.abs(scaled[..., :, None] - scaled[..., None, :]).sum(axis=(-1, -2)) / 2
