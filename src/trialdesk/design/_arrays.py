"""Read-only float arrays, the array type of every design result."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["FloatArray", "frozen"]

FloatArray = npt.NDArray[np.float64]


def frozen(values: Sequence[float] | np.ndarray) -> FloatArray:
    """A read-only float64 copy of ``values`` (results hold no writable arrays)."""
    array = np.array(values, dtype=float)
    array.setflags(write=False)
    return array
