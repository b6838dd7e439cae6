"""The reference data sets of ../shared/reference as pandas frames, as R's tests read them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tests.conftest import REFERENCE_DIR, load_reference

__all__ = ["as_float", "reference_frame"]


def reference_frame(name: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The CSV of ``name`` with ``arm`` a categorical in ``meta.arm_levels`` order (R's factor
    levels, first = reference), and the reference JSON (R: ``meta.data_setup``)."""
    reference = load_reference(name)
    data = pd.read_csv(REFERENCE_DIR / reference["meta"]["csv_file"])
    data["arm"] = pd.Categorical(data["arm"], categories=reference["meta"]["arm_levels"])
    return data, reference


def as_float(values: Any) -> np.ndarray:
    """JSON numbers as float64: null -> NaN, "Inf" -> inf."""
    if not isinstance(values, list):
        values = [values]
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)
