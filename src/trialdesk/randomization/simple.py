"""Simple (unrestricted) randomisation: each patient independently, with the ratio's probabilities."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["simple_arm"]


def simple_arm(uniforms: ArrayLike, ratio: ArrayLike) -> np.ndarray:
    """Arm index per uniform draw in [0, 1): arm ``a`` with probability ``r_a / sum(r)``."""
    ratio_array = np.asarray(ratio, dtype=np.float64)
    bounds = np.cumsum(ratio_array)[:-1] / ratio_array.sum()
    return np.searchsorted(bounds, np.asarray(uniforms), side="right")
