"""Read-only arrays for frozen result objects (a result's arrays cannot be changed in place)."""

from __future__ import annotations

import numpy as np

__all__ = ["read_only"]


def read_only(array: np.ndarray) -> np.ndarray:
    """``array`` itself, marked not writeable (no copy)."""
    array.setflags(write=False)
    return array
